using System.Diagnostics;
using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Optimizers;
using Bottleneck.Reports;
using Bottleneck.Tensors;
using Bottleneck.Training;

namespace Bottleneck.Bench;

/// <summary>
/// Where the wall time of a whole default run goes, outside and inside the training steps: data
/// loading, steps, evaluation plus checkpoint (between an epoch's last batch and its end), the run
/// folder's files, then each epoch-end piece timed on its own. Mirrors `bottleneck train`'s
/// defaults (784-400-20, BCE, Adam, batch 128, test evaluation, run folder, checkpoint every epoch).
/// </summary>
public static class RunProfile
{
    public static int Run(string[] args)
    {
        string data = Option(args, "--data") ?? "../shared/datasets/mnist";
        int epochs = int.Parse(Option(args, "--epochs") ?? "10", System.Globalization.CultureInfo.InvariantCulture);
        var engine = Option(args, "--threads") is { } t ? new EngineOptions { Threads = int.Parse(t, System.Globalization.CultureInfo.InvariantCulture) } : EngineOptions.Default;
        string output = Path.Combine(Path.GetTempPath(), "bottleneck-runprofile-" + Environment.ProcessId);

        var total = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        var (train, test) = Mnist.Load(data);
        double load = clock.Elapsed.TotalSeconds;
        var config = new AutoencoderConfig { InputShape = train.SampleShape };
        var model = new Autoencoder(config, seed: 42, engine);
        var meter = new PhaseMeter();
        var options = new FitOptions { Epochs = epochs, Validation = test, CheckpointPath = Path.Combine(output, Checkpoint.FileName) };
        var folder = new Timed(new RunFolder(output, model, test, options, e => new RunJson { Dataset = "mnist", EpochsDone = e.Epoch, Threads = engine.Threads }));
        clock.Restart();
        Trainer.Fit(model, train, options, new CallbackList(folder, meter));
        double fit = clock.Elapsed.TotalSeconds;
        double wall = total.Elapsed.TotalSeconds;

        Console.WriteLine($"load MNIST            {load,7:F3} s");
        Console.WriteLine($"fit                   {fit,7:F3} s");
        Console.WriteLine($"  steps               {meter.StepSeconds,7:F3} s  ({meter.StepSeconds / meter.Steps * 1000:F3} ms/step over {meter.Steps})");
        Console.WriteLine($"  eval + checkpoint   {meter.TailSeconds - folder.Seconds,7:F3} s");
        Console.WriteLine($"  run folder files    {folder.Seconds,7:F3} s");
        Console.WriteLine($"  first epoch steps   {meter.FirstEpochStepSeconds,7:F3} s");
        Console.WriteLine($"total                 {wall,7:F3} s (threads {engine.Threads})");

        // Each epoch-end piece on its own, warm, median of several.
        var adam = new Adam(model.Parameters, engine: engine);
        var rng = new Rng(1);
        var evalBatch = new Tensor(1000, config.InputSize);
        Console.WriteLine($"evaluate 10k (x1000)  {Median(() => model.Evaluate(test)) * 1000,7:F1} ms");
        Console.WriteLine($"checkpoint save       {Median(() => Checkpoint.Save(Path.Combine(output, "c.safetensors"), model, adam, rng, [])) * 1000,7:F1} ms");
        Console.WriteLine($"model save            {Median(() => ModelFile.Save(model, output)) * 1000,7:F1} ms");
        int epoch = 100;
        Console.WriteLine($"run folder epoch end  {Median(() => folder.Inner.OnEpochEnd(new EpochEnd(epoch++, 70, 69, 1, 1))) * 1000,7:F1} ms");
        Directory.Delete(output, recursive: true);
        return 0;
    }

    private static double Median(Action action)
    {
        action();
        var times = new double[7];
        for (int i = 0; i < times.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>Step time (batch end to batch end within an epoch) and the rest of each epoch.</summary>
    private sealed class PhaseMeter : TrainingCallback
    {
        private long last;

        public double StepSeconds { get; private set; }

        public double TailSeconds { get; private set; }

        public double FirstEpochStepSeconds { get; private set; }

        public int Steps { get; private set; }

        public override void OnTrainBegin(TrainBegin info) => last = Stopwatch.GetTimestamp();

        public override void OnBatchEnd(in BatchEnd info)
        {
            long now = Stopwatch.GetTimestamp();
            double s = Stopwatch.GetElapsedTime(last, now).TotalSeconds;
            StepSeconds += s;
            if (info.Epoch == 1) FirstEpochStepSeconds += s;
            Steps++;
            last = now;
        }

        public override void OnEpochEnd(EpochEnd info)
        {
            long now = Stopwatch.GetTimestamp();
            TailSeconds += Stopwatch.GetElapsedTime(last, now).TotalSeconds;
            last = now;
        }
    }

    /// <summary>Times another callback's epoch ends, and restarts the phase clock after them.</summary>
    private sealed class Timed(TrainingCallback inner) : TrainingCallback
    {
        public TrainingCallback Inner => inner;

        public double Seconds { get; private set; }

        public override void OnTrainBegin(TrainBegin info) => inner.OnTrainBegin(info);

        public override void OnEpochEnd(EpochEnd info)
        {
            long start = Stopwatch.GetTimestamp();
            inner.OnEpochEnd(info);
            Seconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
    }
}
