using Bottleneck.Training;
using Spectre.Console;

namespace Bottleneck.Cli;

/// <summary>
/// Prints training progress the way the PyTorch tutorial does. On a terminal a live progress bar
/// runs below the lines; when output is redirected only the plain lines are written.
/// </summary>
internal sealed class ConsoleProgress : TrainingCallback
{
    private readonly Action<string> writeLine;
    private readonly ProgressTask? bar;
    private TrainBegin? begin;

    private ConsoleProgress(Action<string> writeLine, ProgressTask? bar)
    {
        this.writeLine = writeLine;
        this.bar = bar;
    }

    /// <summary>Runs <paramref name="train"/> with a reporter suited to where stdout goes.</summary>
    public static History Run(Func<TrainingCallback, History> train)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return train(new ConsoleProgress(line => { Console.WriteLine(line); Console.Out.Flush(); }, null));
        return AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training");
                return train(new ConsoleProgress(line => AnsiConsole.WriteLine(line), task));
            });
    }

    public override void OnTrainBegin(TrainBegin info)
    {
        begin = info;
        if (bar is not null) bar.MaxValue = (double)info.Epochs * info.BatchesPerEpoch;
    }

    public override void OnBatchEnd(in BatchEnd info)
    {
        if (info.IsLogBatch)
        {
            int done = info.Batch * begin!.BatchSize;
            double percent = 100.0 * info.Batch / info.BatchesPerEpoch;
            writeLine($"Train Epoch: {info.Epoch} [{done}/{info.TrainSamples} ({percent:F0}%)]\tLoss: {info.Loss:F6}");
        }
        if (bar is not null)
        {
            bar.Value = (double)(info.Epoch - 1) * info.BatchesPerEpoch + info.Batch + 1;
            bar.Description = $"epoch {info.Epoch}/{begin!.Epochs}  loss {info.Loss:F2}";
        }
    }

    public override void OnEpochEnd(EpochEnd info)
    {
        writeLine($"====> Epoch: {info.Epoch} Average training loss: {info.TrainLoss:F4}  ({info.EpochSeconds:F1} s, {info.ElapsedSeconds:F1} s elapsed)");
        if (info.TestLoss is double test)
            writeLine(info.TestPenalty is double p && p != 0 && info.TestReconstruction is double r
                ? $"====> Test set loss: {test:F4} (reconstruction {r:F4} + penalty {p:F4})"
                : $"====> Test set loss: {test:F4}");
    }

}
