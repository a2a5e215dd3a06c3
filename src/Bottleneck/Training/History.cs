namespace Bottleneck.Training;

/// <summary>Per-epoch results of a run (Keras' History).</summary>
public sealed class History
{
    private readonly List<EpochEnd> epochs = [];

    public IReadOnlyList<EpochEnd> Epochs => epochs;

    public EpochEnd? Last => epochs.Count > 0 ? epochs[^1] : null;

    internal void Add(EpochEnd epoch) => epochs.Add(epoch);
}
