using System.Diagnostics;
using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Optimizers;
using Bottleneck.Tensors;
using Bottleneck.Training;

namespace Bottleneck.Bench;

/// <summary>Where a training step of the seed autoencoder spends its time, phase by phase.</summary>
public static class StepProfile
{
    public static int Run(string[] args)
    {
        int from = Array.IndexOf(args, "--from");
        string? checkpoint = from >= 0 && from + 1 < args.Length ? args[from + 1] : null;
        var positional = args.Where((_, i) => from < 0 || (i != from && i != from + 1)).ToArray();
        var (train, _) = Mnist.Load(positional.Length > 0 ? positional[0] : "../shared/datasets/mnist");
        var model = new Autoencoder(new AutoencoderConfig(), seed: 42);
        var adam = new Adam(model.Parameters, engine: model.Engine);
        // A trained model's state (weights and Adam's moments) rather than a fresh one: late in a
        // run some values are far smaller than early on, which can change how fast a step is.
        if (checkpoint is not null) Checkpoint.Load(checkpoint).Restore(model, adam, new Rng(0));
        var batch = new Tensor(128, 784);
        var grad = new Tensor(128, 784);
        // A shuffled order, as training uses: the gather reads rows scattered over the data set.
        var order = Enumerable.Range(0, train.Count).ToArray();
        new Rng(1).Shuffle(order);
        string[] names = ["gather", "forward", "loss", "backward", "grad check", "adam"];
        // Windows of steps rather than one long run: the machine is shared, so the median and the
        // best window over many short ones say more than one average.
        const int Windows = 25, StepsPerWindow = 40, WarmUp = 50;
        var ticks = new long[Windows, names.Length];
        var at = new long[names.Length + 1];
        for (int s = -WarmUp; s < Windows * StepsPerWindow; s++)
        {
            int step = s + WarmUp;
            at[0] = Stopwatch.GetTimestamp();
            train.GetBatch(order.AsSpan((step % 400) * 128, 128), batch, model.Engine);
            at[1] = Stopwatch.GetTimestamp();
            var y = model.Forward(batch, true);
            at[2] = Stopwatch.GetTimestamp();
            model.Loss.Forward(y, batch);
            at[3] = Stopwatch.GetTimestamp();
            model.BackwardFromLoss(y, batch, grad); // the loss's gradient, then the layers
            at[4] = Stopwatch.GetTimestamp();
            Trainer.CheckGradients(model.NamedParameters, 1, step, model.Engine); // reads only the gradients no layer vouched for
            at[5] = Stopwatch.GetTimestamp();
            adam.Update();
            at[6] = Stopwatch.GetTimestamp();
            if (s < 0) continue;
            for (int i = 0; i < names.Length; i++) ticks[s / StepsPerWindow, i] += at[i + 1] - at[i];
        }
        double Ms(long t) => t * 1000.0 / Stopwatch.Frequency / StepsPerWindow;
        var totals = Enumerable.Range(0, Windows).Select(w => Enumerable.Range(0, names.Length).Sum(i => Ms(ticks[w, i]))).ToArray();
        Console.WriteLine($"{"phase",-11} {"median",8} {"best",8}  ms/step over {Windows} windows of {StepsPerWindow} steps (threads {model.Engine.Threads})");
        for (int i = 0; i < names.Length; i++)
        {
            var values = Enumerable.Range(0, Windows).Select(w => Ms(ticks[w, i])).Order().ToArray();
            Console.WriteLine($"{names[i],-11} {values[Windows / 2],8:F3} {values[0],8:F3}");
        }
        var sorted = totals.Order().ToArray();
        Console.WriteLine($"{"total",-11} {sorted[Windows / 2],8:F3} {sorted[0],8:F3}");
        // The layers on their own start from dL/d(reconstruction), as the unfused backward does.
        model.Loss.Backward(model.Forward(batch, true), batch, grad);
        LayerBreakdown(model, batch, grad);
        FusedVersusSeparate(model, batch, grad);
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

    /// <summary>
    /// Forward and backward of the whole model with the fusions (each ReLU into the GEMMs beside it,
    /// the sigmoid's backward into the loss's gradient) and with separate passes, interleaved.
    /// </summary>
    private static void FusedVersusSeparate(Autoencoder model, Tensor batch, Tensor grad)
    {
        const int Reps = 300;
        var ticks = new long[2, 2];
        // The same weights in a model whose engine does not fuse.
        var separate = new Autoencoder(model.Config, seed: 42, model.Engine with { FuseActivations = false });
        foreach (var ((_, from), (_, to)) in model.NamedParameters.Zip(separate.NamedParameters)) from.Value.Span.CopyTo(to.Value.Span);
        for (int r = 0; r < Reps + 20; r++)
        {
            for (int mode = 0; mode < 2; mode++)
            {
                var m = mode == 0 ? model : separate;
                long t0 = Stopwatch.GetTimestamp();
                var y = m.Forward(batch, true);
                long t1 = Stopwatch.GetTimestamp();
                m.BackwardFromLoss(y, batch, grad);
                long t2 = Stopwatch.GetTimestamp();
                if (r < 20) continue;
                ticks[mode, 0] += t1 - t0;
                ticks[mode, 1] += t2 - t1;
            }
        }
        double Ms(long t) => t * 1000.0 / Stopwatch.Frequency / Reps;
        Console.WriteLine($"  fused passes: forward {Ms(ticks[0, 0]):F3} ms  backward (with the loss gradient) {Ms(ticks[0, 1]):F3} ms; " +
            $"separate: forward {Ms(ticks[1, 0]):F3} ms  backward {Ms(ticks[1, 1]):F3} ms");
    }
}
