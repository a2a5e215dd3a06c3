using System.Diagnostics;
using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Optimizers;
using Bottleneck.Tensors;

namespace Bottleneck.Bench;

/// <summary>Where a training step of the seed autoencoder spends its time, phase by phase.</summary>
public static class StepProfile
{
    public static int Run(string[] args)
    {
        var (train, _) = Mnist.Load(args.Length > 0 ? args[0] : "../shared/datasets/mnist");
        var model = new Autoencoder(new AutoencoderConfig(), seed: 42);
        var adam = new Adam(model.Parameters);
        var batch = new Tensor(128, 784);
        var grad = new Tensor(128, 784);
        var order = Enumerable.Range(0, train.Count).ToArray();
        string[] names = ["gather", "forward", "loss", "loss grad", "backward", "adam"];
        var ticks = new long[names.Length];
        const int Steps = 400;
        for (int s = 0; s < Steps + 50; s++)
        {
            long t0 = Stopwatch.GetTimestamp();
            train.GetBatch(order.AsSpan((s % 400) * 128, 128), batch);
            long t1 = Stopwatch.GetTimestamp();
            var y = model.Forward(batch, true);
            long t2 = Stopwatch.GetTimestamp();
            model.Loss.Forward(y, batch);
            long t3 = Stopwatch.GetTimestamp();
            model.Loss.Backward(y, batch, grad);
            long t4 = Stopwatch.GetTimestamp();
            model.Backward(grad);
            long t5 = Stopwatch.GetTimestamp();
            adam.Update();
            long t6 = Stopwatch.GetTimestamp();
            if (s < 50) continue; // warm-up
            long[] at = [t0, t1, t2, t3, t4, t5, t6];
            for (int i = 0; i < names.Length; i++) ticks[i] += at[i + 1] - at[i];
        }
        double total = ticks.Sum();
        for (int i = 0; i < names.Length; i++)
            Console.WriteLine($"{names[i],-10} {ticks[i] * 1000.0 / Stopwatch.Frequency / Steps,7:F3} ms/step  {100 * ticks[i] / total,5:F1}%");
        Console.WriteLine($"{"total",-10} {total * 1000.0 / Stopwatch.Frequency / Steps,7:F3} ms/step (threads {Engine.Threads})");
        LayerBreakdown(model, batch, grad);
        return 0;
    }

    /// <summary>Forward and backward time of each layer on its own.</summary>
    private static void LayerBreakdown(Autoencoder model, Tensor batch, Tensor grad)
    {
        var layers = model.Encoder.Layers.Select((l, i) => ("encoder." + i + " " + l.Describe(), l))
            .Concat(model.Decoder.Layers.Select((l, i) => ("decoder." + i + " " + l.Describe(), l))).ToArray();
        var inputs = new Tensor[layers.Length];
        var outputs = new Tensor[layers.Length];
        const int Reps = 200;
        var fwd = new long[layers.Length];
        var bwd = new long[layers.Length];
        for (int r = 0; r < Reps + 20; r++)
        {
            var x = batch;
            for (int i = 0; i < layers.Length; i++)
            {
                long t = Stopwatch.GetTimestamp();
                inputs[i] = x;
                x = outputs[i] = layers[i].Item2.Forward(x, true);
                if (r >= 20) fwd[i] += Stopwatch.GetTimestamp() - t;
            }
            Tensor? g = grad;
            for (int i = layers.Length - 1; i >= 0; i--)
            {
                long t = Stopwatch.GetTimestamp();
                g = layers[i].Item2.Backward(g!, i > 0);
                if (r >= 20) bwd[i] += Stopwatch.GetTimestamp() - t;
            }
        }
        for (int i = 0; i < layers.Length; i++)
            Console.WriteLine($"  {layers[i].Item1,-50} forward {fwd[i] * 1000.0 / Stopwatch.Frequency / Reps:F3} ms  backward {bwd[i] * 1000.0 / Stopwatch.Frequency / Reps:F3} ms");
    }
}
