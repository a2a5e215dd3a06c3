using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Tensors;

namespace Bottleneck.Applications;

/// <summary>
/// Anomaly scores of one trained model: how badly it reconstructs each item, and for a VAE also
/// the negative ELBO (reconstruction of the mean code plus the KL divergence of the item's code
/// distribution from the prior), which also counts how unusual the code itself is.
/// </summary>
public static class AnomalyScores
{
    /// <summary>The file a run folder keeps its training items' reconstruction errors in (for percentile thresholds).</summary>
    public const string TrainingScoresName = "training_scores.npy";

    /// <summary>Per item, the model's reconstruction loss (summed over the item's values).</summary>
    public static double[] ReconstructionErrors(Autoencoder model, Dataset data) => ReconstructionErrors(model, data, null);

    /// <summary>
    /// The reconstruction losses of the items at <paramref name="rows"/> (all items when null), a
    /// chunk at a time: no copy of the data, nor of its reconstructions, is made whole (each would
    /// be 31 MB for 10,000 MNIST images, most of that time spent faulting in fresh pages).
    /// </summary>
    internal static double[] ReconstructionErrors(Autoencoder model, Dataset data, int[]? rows)
    {
        int n = rows?.Length ?? data.Count;
        var errors = new double[n];
        if (n == 0) return errors;
        var chunk = new Tensor(Math.Min(n, Autoencoder.InferenceChunk), data.FeatureCount);
        lock (model.Gate)
        {
            for (int start = 0; start < n; start += Autoencoder.InferenceChunk)
            {
                int count = Math.Min(Autoencoder.InferenceChunk, n - start);
                chunk.ResizeBatch(count);
                if (rows is null) data.CopyRows(start, count, chunk);
                else data.GetBatch(rows.AsSpan(start, count), chunk, model.Engine);
                // Reconstruct's arithmetic (each row's result does not depend on the rows beside it).
                model.Loss.PerItem(model.Forward(chunk, null, false), chunk, errors.AsSpan(start, count));
            }
        }
        return errors;
    }

    /// <summary>Per item, reconstruction loss + KL(q(z|x) ‖ N(0, I)) for a VAE; null for other kinds.</summary>
    public static double[]? NegativeElbo(Autoencoder model, Dataset data)
    {
        if (!ModelKinds.IsVariational(model.Config.Kind)) return null;
        var scores = ReconstructionErrors(model, data);
        var x = new Tensor(data.Count, data.FeatureCount);
        data.CopyRows(0, data.Count, x);
        var distribution = model.EncodeDistribution(x);
        int latent = model.Config.Latent;
        for (int i = 0; i < scores.Length; i++)
        {
            var row = distribution.Row(i);
            double kl = 0;
            for (int j = 0; j < latent; j++)
            {
                double mu = row[j], logVar = row[latent + j];
                kl += 1 + logVar - mu * mu - Math.Exp(logVar);
            }
            scores[i] += -0.5 * kl;
        }
        return scores;
    }

    /// <summary>
    /// Per time step of a series, the squared reconstruction error of that step's variables,
    /// averaged over the windows that cover it (<paramref name="starts"/>: each window's first
    /// step, as <see cref="TimeSeries.WindowStarts"/> gives them; <paramref name="steps"/>: the
    /// series' length); NaN for a step no window covers. Tells where in a window the model fails.
    /// A window's own score sums these errors over its <paramref name="window"/> steps.
    /// </summary>
    public static double[] PerStep(Autoencoder model, Dataset windows, ReadOnlySpan<int> starts, int steps, int window)
    {
        if (starts.Length != windows.Count)
            throw new BottleneckException($"{windows.Count} windows but {starts.Length} window starts");
        int length = windows.FeatureCount, features = window < 1 ? 0 : length / window;
        if (window < 1 || length != window * features)
            throw new BottleneckException($"items of {length} values are not windows of {window} steps");
        foreach (int start in starts)
        {
            if (start < 0 || start + window > steps)
                throw new BottleneckException($"a window starting at step {start} does not lie within the series' {steps} steps");
        }
        var sums = new double[steps];
        var counts = new int[steps];
        var chunk = new Tensor(Math.Min(Math.Max(1, windows.Count), Autoencoder.InferenceChunk), length);
        lock (model.Gate)
        {
            for (int first = 0; first < windows.Count; first += Autoencoder.InferenceChunk)
            {
                int count = Math.Min(Autoencoder.InferenceChunk, windows.Count - first);
                chunk.ResizeBatch(count);
                windows.CopyRows(first, count, chunk);
                var reconstruction = model.Forward(chunk, null, false);
                for (int i = 0; i < count; i++)
                {
                    ReadOnlySpan<float> x = chunk.Row(i), y = reconstruction.Row(i);
                    int start = starts[first + i];
                    for (int t = 0; t < window; t++)
                    {
                        double e = 0;
                        for (int j = t * features; j < (t + 1) * features; j++)
                        {
                            double d = (double)y[j] - x[j];
                            e += d * d;
                        }
                        sums[start + t] += e;
                        counts[start + t]++;
                    }
                }
            }
        }
        for (int t = 0; t < steps; t++) sums[t] = counts[t] > 0 ? sums[t] / counts[t] : double.NaN;
        return sums;
    }
}
