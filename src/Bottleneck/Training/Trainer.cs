using System.Diagnostics;
using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Optimizers;
using Bottleneck.Tensors;

namespace Bottleneck.Training;

/// <summary>
/// The fit loop: batches → forward and loss → backward → optimizer → callbacks, epoch after
/// epoch, with the test loss after each epoch. It sees a model only through
/// <see cref="ITrainable"/> and an optimizer only through <see cref="IOptimizer"/> (Adam with the
/// options' learning rate unless one is given). Buffers are made once, so a step allocates nothing.
/// </summary>
public static class Trainer
{
    // Distinct from the initialisation stream, so changing the epoch count never changes the init.
    private const ulong ShuffleStream = 0x5DEECE66DUL;

    public static History Fit(ITrainable model, Dataset train, FitOptions? options = null, TrainingCallback? callback = null,
        IOptimizer? optimizer = null)
    {
        options ??= new FitOptions();
        options.Validate();
        int inputSize = model.InputSize;
        if (train.FeatureCount != inputSize)
            throw new BottleneckException($"training data has {train.FeatureCount} values per item but the model expects {inputSize}");
        if (options.Validation is { } v && v.FeatureCount != inputSize)
            throw new BottleneckException($"test data has {v.FeatureCount} values per item but the model expects {inputSize}");
        if (train.Count == 0) throw new BottleneckException("training data is empty");
        if (options.Validation is { Count: 0 }) throw new BottleneckException("test data is empty: give test items, or no validation set at all");
        int[]? labels = model.NeedsLabels
            ? train.Labels ?? throw new BottleneckException($"{train.Name}: the model's prior is conditioned on labels, but the training data has none")
            : null;

        int n = train.Count;
        int batchSize = Math.Min(options.BatchSize, n);
        int batches = (n + batchSize - 1) / batchSize;
        var batching = new BatchOrder(n, batchSize, options.Shuffle,
            options.GroupByLength ? train.Lengths ?? throw new BottleneckException($"{train.Name}: batching by length needs data of sequences with their lengths") : null);
        model.Prepare(n);
        optimizer ??= options.Optimizer switch
        {
            OptimizerKind.Adam => new Adam(model.NamedParameters.Select(p => p.Parameter), options.LearningRate, weightDecay: options.WeightDecay, engine: model.Engine),
            _ => throw NamedEnum.Undefined(options.Optimizer),
        };
        var rng = new Rng(options.Seed ^ ShuffleStream);
        var history = new History();
        int firstEpoch = 1;
        if (options.ResumeFrom is { } checkpoint)
        {
            checkpoint.Restore(model, optimizer, rng);
            foreach (var e in checkpoint.History) history.Add(e);
            firstEpoch = checkpoint.Epoch + 1;
        }
        var batch = new Tensor(batchSize, inputSize);
        var grad = new Tensor(batchSize, inputSize);
        var batchLabels = labels is null ? null : new int[batchSize];
        // All of them once up front: a label the model cannot take stops the run before its first step.
        if (labels is not null) model.SetLabels(labels);
        callback?.OnTrainBegin(new TrainBegin(options.Epochs, n, batches, batchSize, firstEpoch));
        // Elapsed time carries on from a resumed run's last epoch.
        double elapsedBefore = history.Last?.ElapsedSeconds ?? 0;
        var clock = Stopwatch.StartNew();

        var best = options.Patience is null ? null : new BestWeights(model);
        for (int epoch = firstEpoch; epoch <= options.Epochs; epoch++)
        {
            double epochStart = clock.Elapsed.TotalSeconds;
            batching.NextEpoch(rng);
            double total = 0;
            int done = 0;
            for (int b = 0; b < batches; b++)
            {
                var rows = batching.Batch(b);
                batch.ResizeBatch(rows.Length);
                grad.ResizeBatch(rows.Length);
                train.GetBatch(rows, batch, model.Engine);
                if (batchLabels is not null)
                {
                    for (int i = 0; i < rows.Length; i++) batchLabels[i] = labels![rows[i]];
                    model.SetLabels(batchLabels.AsSpan(0, rows.Length));
                }
                if (options.LrSchedule != LrScheduleKind.Constant)
                    optimizer.LearningRate = LearningRateSchedule.Rate(options.LrSchedule, options.LearningRate, (long)(epoch - 1) * batches + b, (long)options.Epochs * batches);
                double loss;
                lock (model.Gate) loss = Step(model, optimizer, batch, grad, epoch, b + 1, options.ClipNorm);
                total += loss;
                done += rows.Length;
                callback?.OnBatchEnd(new BatchEnd(epoch, b, batches, done, n, loss / rows.Length, b % options.LogInterval == 0));
            }
            Evaluation? test = null;
            if (options.Validation is { } validation)
                test = model.Evaluate(validation);
            double now = clock.Elapsed.TotalSeconds;
            var end = new EpochEnd(epoch, total / n, test?.Loss, now - epochStart, elapsedBefore + now, test?.Reconstruction, test?.Penalty, test?.ExactMatch);
            history.Add(end);
            if (options.CheckpointPath is { } path && (epoch % options.CheckpointEvery == 0 || epoch == options.Epochs))
                Checkpoint.Save(path, model, optimizer, rng, history.Epochs, options.CheckpointMetadata);
            callback?.OnEpochEnd(end);
            if (best is not null && test is not null && best.Observe(test.Loss, epoch) && epoch - best.Epoch >= options.Patience) break;
        }
        best?.Restore();
        callback?.OnTrainEnd(history);
        return history;
    }

    /// <summary>
    /// One training step on <paramref name="batch"/>: forward and loss, backward (the loss's
    /// gradient into the lent <paramref name="grad"/> buffer), gradient check, clipping to
    /// <paramref name="clipNorm"/> when given, the optimizer's update, then the model's own phase
    /// (<see cref="ITrainable.AfterStep"/>); returns the batch's loss (summed reconstruction plus
    /// penalty). The caller holds the model's lock. A non-finite loss or gradient stops training,
    /// naming <paramref name="epoch"/> and <paramref name="batchNumber"/>, before any weight changes.
    /// </summary>
    internal static double Step(ITrainable model, IOptimizer optimizer, Tensor batch, Tensor grad, int epoch, int batchNumber, double? clipNorm = null)
    {
        double loss = model.TrainingLoss(batch);
        if (!double.IsFinite(loss))
            throw new BottleneckException($"training diverged: the loss became {loss} at epoch {epoch}, batch {batchNumber}; try a lower --lr");
        model.Backward(batch, grad);
        CheckGradients(model.NamedParameters, epoch, batchNumber, model.Engine);
        if (clipNorm is double maxNorm) GradientClipping.ClipNorm(model.NamedParameters, maxNorm, batch.Rows);
        optimizer.Update();
        model.AfterStep(batch);
        return loss;
    }

    /// <summary>The weights of the epoch with the lowest validation loss so far, for early stopping.</summary>
    private sealed class BestWeights(ITrainable model)
    {
        private readonly float[][] saved = model.StateDict().Select(t => t.Value.Span.ToArray()).ToArray();
        private double loss = double.PositiveInfinity;

        public int Epoch { get; private set; }

        /// <summary>Records the epoch if it is the best yet; returns true when it is not (time to count patience).</summary>
        public bool Observe(double validationLoss, int epoch)
        {
            if (validationLoss < loss)
            {
                loss = validationLoss;
                Epoch = epoch;
                var state = model.StateDict();
                for (int i = 0; i < saved.Length; i++) state[i].Value.Span.CopyTo(saved[i]);
                return false;
            }
            return true;
        }

        public void Restore()
        {
            if (Epoch == 0) return;
            var state = model.StateDict();
            for (int i = 0; i < saved.Length; i++) saved[i].CopyTo(state[i].Value.Span);
        }
    }

    /// <summary>
    /// A NaN or infinity in any gradient stops the run before it reaches the weights, so the last
    /// checkpoint stays good. The check reads exponent bits (on the engine's threads for large tensors).
    /// </summary>
    internal static void CheckGradients(IReadOnlyList<(string Name, Layers.Parameter Parameter)> parameters, int epoch, int batch, EngineOptions engine)
    {
        // An index loop: foreach over the IReadOnlyList would allocate an enumerator every step.
        for (int i = 0; i < parameters.Count; i++)
        {
            var (name, p) = parameters[i];
            if (p.GradientKnownFinite)
            {
                p.GradientKnownFinite = false;
                continue;
            }
            if (!p.Grad.AllFinite(engine))
                throw new BottleneckException($"training diverged: the gradient of {name} holds NaN or infinity at epoch {epoch}, batch {batch}; try a lower --lr");
        }
    }
}
