using System.Diagnostics;
using Bottleneck.Models;
using Bottleneck.Optimizers;
using Bottleneck.Tensors;

namespace Bottleneck.Training;

/// <summary>How a <see cref="Seq2SeqAutoencoder"/> trains.</summary>
public sealed record Seq2SeqFitOptions
{
    // The shared settings start from the autoencoders' defaults, kept in FitOptions.
    public int Epochs { get; init; } = FitOptions.Default.Epochs;

    public int BatchSize { get; init; } = FitOptions.Default.BatchSize;

    public double LearningRate { get; init; } = FitOptions.Default.LearningRate;

    public ulong Seed { get; init; } = FitOptions.Default.Seed;

    /// <summary>A fresh order of batches each epoch (off: batches in length order).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>
    /// The largest norm of a step's gradient, taken over all parameters for the loss per sequence
    /// (the batch's mean, as torch.nn.utils.clip_grad_norm_ after loss.mean()); larger gradients
    /// are scaled down to it. Recurrent networks now and then meet a steep cliff in the loss, and
    /// one unclipped step off it undoes epochs of training. Null: no clipping.
    /// </summary>
    public double? ClipNorm { get; init; }

    /// <summary>
    /// Cosine decay of the learning rate over the run, from <see cref="LearningRate"/> to zero
    /// after the last step (SGDR without restarts; torch.optim.lr_scheduler.CosineAnnealingLR
    /// stepped per batch). Adam at a constant rate keeps jumping between good and worse weights
    /// from one epoch to the next; the decay lets the last epochs settle.
    /// </summary>
    public bool CosineDecay { get; init; } = true;

    /// <summary>Held-out sequences (token ids): their loss and exact-match rate after each epoch.</summary>
    public IReadOnlyList<int[]>? Validation { get; init; }

    public void Validate()
    {
        if (Epochs < 1) throw new BottleneckException($"epochs must be at least 1, got {Epochs}");
        if (BatchSize < 1) throw new BottleneckException($"batch size must be at least 1, got {BatchSize}");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new BottleneckException($"learning rate must be a positive number, got {LearningRate}");
        if (ClipNorm is double c && !(c > 0 && double.IsFinite(c))) throw new BottleneckException($"the gradient clipping norm must be a positive number, got {c}");
    }
}

/// <summary>One epoch of a seq2seq run: mean loss per sequence (nats) and, with held-out sequences, theirs and the share decoded exactly.</summary>
public sealed record Seq2SeqEpoch(int Epoch, double TrainLoss, double? TestLoss, double? TestExactMatch, double Seconds, double ElapsedSeconds);

/// <summary>How well a seq2seq model writes sequences back: mean loss, exact matches overall and by length.</summary>
public sealed record Seq2SeqEvaluation(double Loss, double ExactMatch, IReadOnlyList<LengthAccuracy> ByLength, string[] Reconstructions);

/// <summary>Exact matches among the sequences of one length.</summary>
public sealed record LengthAccuracy(int Length, int Count, int Correct)
{
    public double Accuracy => Count == 0 ? double.NaN : (double)Correct / Count;
}

/// <summary>
/// The fit loop of <see cref="Seq2SeqAutoencoder"/>: batches of sequences of about one length
/// (the sequences sorted by length in a fresh random order, cut into batches, and the batches
/// shuffled), teacher-forced forward, cross-entropy, backward, Adam, each epoch then the held-out
/// loss and greedy exact-match rate. Grouping by length keeps padding, and so wasted work, small.
/// </summary>
public static class Seq2SeqTrainer
{
    private const ulong ShuffleStream = 0x5DEECE66DUL;

    public static IReadOnlyList<Seq2SeqEpoch> Fit(Seq2SeqAutoencoder model, IReadOnlyList<int[]> train, Seq2SeqFitOptions options,
        Action<Seq2SeqEpoch>? epochEnd = null, Action<int, int, double>? batchEnd = null)
    {
        options.Validate();
        if (train.Count == 0) throw new BottleneckException("training data is empty");
        if (options.Validation is { Count: 0 }) throw new BottleneckException("test data is empty: give test sequences, or none at all");
        int n = train.Count;
        int batchSize = Math.Min(options.BatchSize, n);
        var optimizer = new Adam(model.Parameters, options.LearningRate, engine: model.Engine);
        var rng = new Rng(options.Seed ^ ShuffleStream);
        var history = new List<Seq2SeqEpoch>();
        var keys = new double[n];
        var order = new int[n];
        int batches = (n + batchSize - 1) / batchSize;
        var batchOrder = new int[batches];
        var clock = Stopwatch.StartNew();
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            double epochStart = clock.Elapsed.TotalSeconds;
            for (int i = 0; i < n; i++)
            {
                order[i] = i;
                keys[i] = train[i].Length + (options.Shuffle ? rng.NextDouble() : 0);
            }
            // Length first, then the random key: sequences of one length in a fresh order.
            Array.Sort(keys, order);
            for (int i = 0; i < batches; i++) batchOrder[i] = i;
            if (options.Shuffle) rng.Shuffle(batchOrder);
            double total = 0;
            for (int k = 0; k < batches; k++)
            {
                int start = batchOrder[k] * batchSize;
                var rows = order.AsSpan(start, Math.Min(batchSize, n - start));
                double loss;
                lock (model.Gate)
                {
                    loss = model.Forward(train, rows);
                    if (!double.IsFinite(loss))
                        throw new BottleneckException($"training diverged: the loss became {loss} at epoch {epoch}, batch {k + 1}; try a lower --lr");
                    model.Backward();
                    Trainer.CheckGradients(model.NamedParameters, epoch, k + 1, model.Engine);
                    if (options.ClipNorm is double clip) ClipGradients(model.NamedParameters, clip, rows.Length);
                    if (options.CosineDecay) optimizer.LearningRate = CosineRate(options.LearningRate, (long)(epoch - 1) * batches + k, (long)options.Epochs * batches);
                    optimizer.Update();
                }
                total += loss;
                batchEnd?.Invoke(epoch, k + 1, loss / rows.Length);
            }
            Seq2SeqEvaluation? test = options.Validation is { } v ? Evaluate(model, v) : null;
            double now = clock.Elapsed.TotalSeconds;
            var end = new Seq2SeqEpoch(epoch, total / n, test?.Loss, test?.ExactMatch, now - epochStart, now);
            history.Add(end);
            epochEnd?.Invoke(end);
        }
        return history;
    }

    /// <summary>The cosine schedule's rate for step <paramref name="step"/> (from 0) of <paramref name="steps"/>: lr·(1 + cos(π·step/steps))/2.</summary>
    internal static double CosineRate(double learningRate, long step, long steps) =>
        Math.Max(learningRate * 0.5 * (1 + Math.Cos(Math.PI * step / steps)), learningRate * 1e-6);

    /// <summary>
    /// Scales the gradients (of the batch's summed loss) so that the gradient of the loss per
    /// sequence has a norm of at most <paramref name="maxNorm"/>; returns that norm before clipping.
    /// </summary>
    internal static double ClipGradients(IReadOnlyList<(string Name, Layers.Parameter Parameter)> parameters, double maxNorm, int sequences)
    {
        double squares = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            var g = parameters[i].Parameter.Grad.Span;
            squares += System.Numerics.Tensors.TensorPrimitives.Dot(g, g);
        }
        double norm = Math.Sqrt(squares) / sequences;
        if (norm <= maxNorm) return norm;
        float scale = (float)(maxNorm / norm);
        for (int i = 0; i < parameters.Count; i++)
        {
            var g = parameters[i].Parameter.Grad.Span;
            System.Numerics.Tensors.TensorPrimitives.Multiply(g, scale, g);
        }
        return norm;
    }

    /// <summary>Mean teacher-forced loss per sequence, and the greedy reconstructions with their exact-match rate, overall and by length.</summary>
    public static Seq2SeqEvaluation Evaluate(Seq2SeqAutoencoder model, IReadOnlyList<int[]> sequences)
    {
        if (sequences.Count == 0) throw new BottleneckException("no sequences to evaluate");
        var losses = model.SequenceLosses(sequences);
        var written = model.Reconstruct(sequences);
        var byLength = new SortedDictionary<int, (int Count, int Correct)>();
        int correct = 0;
        for (int i = 0; i < sequences.Count; i++)
        {
            bool same = written[i] == model.Vocabulary.Decode(sequences[i]);
            if (same) correct++;
            int length = sequences[i].Length;
            var (c, k) = byLength.GetValueOrDefault(length);
            byLength[length] = (c + 1, k + (same ? 1 : 0));
        }
        return new Seq2SeqEvaluation(losses.Average(), (double)correct / sequences.Count,
            byLength.Select(p => new LengthAccuracy(p.Key, p.Value.Count, p.Value.Correct)).ToArray(), written);
    }
}
