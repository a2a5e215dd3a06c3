using System.Diagnostics;
using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Tensors;
using Bottleneck.Training;

namespace Bottleneck.Bench;

/// <summary>
/// Training and encoding throughput of the seed autoencoder (784-400-20, BCE, Adam, batch 128) on
/// MNIST, with bytes allocated per training step and the process's peak memory.
/// </summary>
public static class TrainBenchmark
{
    public static int Run(string[] args)
    {
        string data = Option(args, "--data") ?? "../shared/datasets/mnist";
        int epochs = int.Parse(Option(args, "--epochs") ?? "2", System.Globalization.CultureInfo.InvariantCulture);
        var engine = Option(args, "--threads") is { } t ? new EngineOptions { Threads = int.Parse(t, System.Globalization.CultureInfo.InvariantCulture) } : EngineOptions.Default;

        var (train, test) = Mnist.Load(data);
        var model = new Autoencoder(new AutoencoderConfig(), seed: 42, engine);
        var meter = new StepMeter();
        var clock = Stopwatch.StartNew();
        var history = Trainer.Fit(model, train, new FitOptions { Epochs = epochs, Validation = test }, meter);
        double seconds = clock.Elapsed.TotalSeconds;
        foreach (var e in history.Epochs)
            Console.WriteLine($"train epoch {e.Epoch}: {e.EpochSeconds:F2} s (evaluation included), test loss {e.TestLoss:F4}");
        Console.WriteLine($"train samples/s: {epochs * (double)train.Count / seconds:F0} ({epochs} epochs in {seconds:F2} s, threads {engine.Threads})");
        Console.WriteLine($"allocated bytes per training step (steady state): {meter.SteadyBytesPerStep:F1}");

        var x = new Tensor(test.Count, test.FeatureCount);
        test.CopyRows(0, test.Count, x);
        model.Encode(x);
        clock.Restart();
        const int Rounds = 5;
        for (int r = 0; r < Rounds; r++) model.Encode(x);
        Console.WriteLine($"encode samples/s: {Rounds * (double)test.Count / clock.Elapsed.TotalSeconds:F0}");
        using var self = Process.GetCurrentProcess();
        Console.WriteLine($"peak memory (working set): {self.PeakWorkingSet64 / (1024.0 * 1024):F0} MiB");
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>Bytes the training thread allocates between two batch ends, after the first epoch's warm-up.</summary>
    private sealed class StepMeter : TrainingCallback
    {
        private long last;
        private long steadyBytes;
        private long steadySteps;

        public double SteadyBytesPerStep => steadySteps > 0 ? (double)steadyBytes / steadySteps : double.NaN;

        public override void OnBatchEnd(in BatchEnd info)
        {
            long now = GC.GetAllocatedBytesForCurrentThread();
            // Skip the first epoch (buffers grow to their sizes) and each epoch's first batch (after evaluation).
            if (info.Epoch > 1 && info.Batch > 0)
            {
                steadyBytes += now - last;
                steadySteps++;
            }
            last = now;
        }
    }
}
