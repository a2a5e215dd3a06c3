namespace Bottleneck.Training;

/// <summary>Hooks into a training run (Keras' callbacks): progress display, run folders, early stopping.</summary>
public abstract class TrainingCallback
{
    public virtual void OnTrainBegin(TrainBegin info) { }

    public virtual void OnBatchEnd(in BatchEnd info) { }

    public virtual void OnEpochEnd(EpochEnd info) { }

    public virtual void OnTrainEnd(History history) { }
}

/// <summary>Several callbacks called in order.</summary>
public sealed class CallbackList(params TrainingCallback[] callbacks) : TrainingCallback
{
    public override void OnTrainBegin(TrainBegin info)
    {
        foreach (var c in callbacks) c.OnTrainBegin(info);
    }

    public override void OnBatchEnd(in BatchEnd info)
    {
        foreach (var c in callbacks) c.OnBatchEnd(info);
    }

    public override void OnEpochEnd(EpochEnd info)
    {
        foreach (var c in callbacks) c.OnEpochEnd(info);
    }

    public override void OnTrainEnd(History history)
    {
        foreach (var c in callbacks) c.OnTrainEnd(history);
    }
}

/// <summary>What a run is about to do.</summary>
public sealed record TrainBegin(int Epochs, int TrainSamples, int BatchesPerEpoch, int BatchSize, int FirstEpoch);

/// <summary>
/// One finished batch. <see cref="Loss"/> is per item (the batch's summed loss over its size);
/// <see cref="IsLogBatch"/> marks every LogInterval-th batch, where the tutorial prints a line.
/// </summary>
public readonly record struct BatchEnd(int Epoch, int Batch, int BatchesPerEpoch, int SamplesDone, int TrainSamples, double Loss, bool IsLogBatch);

/// <summary>
/// One finished epoch: mean training loss per item, test loss per item (if evaluated) with its
/// reconstruction and penalty parts (and, for sequences, the share written back exactly), times in seconds.
/// </summary>
public sealed record EpochEnd(int Epoch, double TrainLoss, double? TestLoss, double EpochSeconds, double ElapsedSeconds,
    double? TestReconstruction = null, double? TestPenalty = null, double? TestExactMatch = null);
