using Bottleneck.Tensors;

namespace Bottleneck.Data;

/// <summary>
/// Samples held in memory as one float array laid out [Count, FeatureCount], so that a training
/// loop can copy a shuffled batch into a reused tensor without allocating.
/// </summary>
public sealed class Dataset
{
    /// <summary>Wraps <paramref name="features"/> (not copied), which must hold exactly count × featureCount values.</summary>
    public Dataset(string name, float[] features, int count, int featureCount, int[]? labels = null, int[]? sampleShape = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (count < 0 || featureCount <= 0 || (long)count * featureCount != features.Length)
            throw new BottleneckException($"{name}: {features.Length} values cannot be {count} samples of {featureCount} features");
        if (labels != null && labels.Length != count)
            throw new BottleneckException($"{name}: {labels.Length} labels for {count} samples");
        if (sampleShape != null && sampleShape.Aggregate(1L, (a, b) => a * b) != featureCount)
            throw new BottleneckException($"{name}: sample shape [{string.Join(", ", sampleShape)}] does not hold {featureCount} features");
        Name = name;
        Features = features;
        Count = count;
        FeatureCount = featureCount;
        Labels = labels;
        SampleShape = sampleShape;
    }

    public string Name { get; }

    /// <summary>All samples, row after row.</summary>
    public float[] Features { get; }

    public int Count { get; }

    public int FeatureCount { get; }

    /// <summary>Class labels, one per sample, when the data set has them.</summary>
    public int[]? Labels { get; }

    /// <summary>The shape of one sample when it is an image ([C, H, W], e.g. [1, 28, 28]), so that samples can be drawn.</summary>
    public int[]? SampleShape { get; }

    /// <summary>One sample's features.</summary>
    public ReadOnlySpan<float> Sample(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Features.AsSpan(index * FeatureCount, FeatureCount);
    }

    /// <summary>A copy of samples [start, start + count), e.g. to hold out a validation split or train on a subset.</summary>
    public Dataset Slice(int start, int count)
    {
        if (start < 0 || count < 0 || (long)start + count > Count)
            throw new BottleneckException($"{Name}: cannot take samples {start} to {(long)start + count} of {Count}");
        var features = Features.AsSpan(start * FeatureCount, count * FeatureCount).ToArray();
        var labels = Labels?.AsSpan(start, count).ToArray();
        return new Dataset(Name, features, count, FeatureCount, labels, SampleShape);
    }

    /// <summary>Copies samples [start, start + count) into <paramref name="destination"/>, resized to that many rows.</summary>
    public void CopyRows(int start, int count, Tensor destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (start < 0 || count < 0 || (long)start + count > Count)
            throw new BottleneckException($"{Name}: cannot take samples {start} to {(long)start + count} of {Count}");
        if (destination.Rank == 0 || destination.RowLength != FeatureCount)
            throw new BottleneckException($"{Name}: a batch tensor {destination} cannot hold samples of {FeatureCount} features");
        destination.ResizeBatch(count);
        Features.AsSpan(start * FeatureCount, count * FeatureCount).CopyTo(destination.Span);
    }

    /// <summary>
    /// Copies the samples at <paramref name="indices"/> into the rows of <paramref name="destination"/>,
    /// which is resized to that many rows (its storage is reused when large enough).
    /// </summary>
    public void GetBatch(ReadOnlySpan<int> indices, Tensor destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.Rank == 0 || destination.RowLength != FeatureCount)
            throw new BottleneckException($"{Name}: a batch tensor {destination} cannot hold samples of {FeatureCount} features");
        destination.ResizeBatch(indices.Length);
        foreach (int index in indices)
        {
            if ((uint)index >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"sample index {index} is outside 0..{Count - 1}");
        }
        // Large batches are copied on all threads (the rows of a shuffled batch are scattered).
        Elementwise.GatherRows(Features, FeatureCount, indices, destination);
    }

    /// <summary>A copy of the samples at <paramref name="indices"/>, in that order (labels and sample shape kept), e.g. one side of a split.</summary>
    public Dataset Select(ReadOnlySpan<int> indices, string? name = null)
    {
        var features = new float[(long)indices.Length * FeatureCount];
        var labels = Labels == null ? null : new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            int index = indices[i];
            if ((uint)index >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"sample index {index} is outside 0..{Count - 1}");
            Features.AsSpan(index * FeatureCount, FeatureCount).CopyTo(features.AsSpan(i * FeatureCount, FeatureCount));
            if (labels != null) labels[i] = Labels![index];
        }
        return new Dataset(name ?? Name, features, indices.Length, FeatureCount, labels, SampleShape);
    }
}
