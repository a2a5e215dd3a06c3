using Bottleneck.Tensors;

namespace Bottleneck.Data;

/// <summary>Items as float32 features [Count, FeatureCount] (TEMPORARY minimal version, replaced by the io branch).</summary>
public sealed class Dataset(string name, float[] features, int count, int featureCount, int[]? labels = null, int[]? sampleShape = null)
{
    public string Name { get; } = name;
    public float[] Features { get; } = features;
    public int Count { get; } = count;
    public int FeatureCount { get; } = featureCount;
    public int[]? Labels { get; } = labels;
    public int[]? SampleShape { get; } = sampleShape;

    public Dataset Slice(int start, int count) =>
        new(Name, Features.AsSpan(start * FeatureCount, count * FeatureCount).ToArray(), count, FeatureCount, Labels?.AsSpan(start, count).ToArray(), SampleShape);

    public void GetBatch(ReadOnlySpan<int> indices, Tensor destination)
    {
        for (int i = 0; i < indices.Length; i++)
            Features.AsSpan(indices[i] * FeatureCount, FeatureCount).CopyTo(destination.Span.Slice(i * FeatureCount, FeatureCount));
    }

    public void CopyRows(int start, int count, Tensor destination) =>
        Features.AsSpan(start * FeatureCount, count * FeatureCount).CopyTo(destination.Span);
}
