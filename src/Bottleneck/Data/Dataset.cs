using Bottleneck.Tensors;

namespace Bottleneck.Data;

/// <summary>
/// Samples held in memory laid out [Count, FeatureCount], so that a training loop can copy a
/// shuffled batch into a reused tensor without allocating: as floats, or as image bytes that read
/// as byte / 255 (torchvision's ToTensor scaling), a quarter of the memory, scaled a batch at a
/// time as it is copied out.
/// </summary>
public sealed class Dataset
{
    private float[]? features;
    // When held as bytes: sample values are pixels[i] / 255f.
    private readonly byte[]? pixels;

    /// <summary>Wraps <paramref name="features"/> (not copied), which must hold exactly count × featureCount values.</summary>
    public Dataset(string name, float[] features, int count, int featureCount, int[]? labels = null, int[]? sampleShape = null)
        : this(name, count, featureCount, labels, sampleShape, (features ?? throw new ArgumentNullException(nameof(features))).LongLength)
    {
        this.features = features;
    }

    private Dataset(string name, byte[] pixels, int count, int featureCount, int[]? labels, int[]? sampleShape)
        : this(name, count, featureCount, labels, sampleShape, pixels.LongLength)
    {
        this.pixels = pixels;
    }

    private Dataset(string name, int count, int featureCount, int[]? labels, int[]? sampleShape, long valueCount)
    {
        if (count < 0 || featureCount <= 0 || (long)count * featureCount != valueCount)
            throw new BottleneckException($"{name}: {valueCount} values cannot be {count} samples of {featureCount} features");
        if (labels != null && labels.Length != count)
            throw new BottleneckException($"{name}: {labels.Length} labels for {count} samples");
        if (sampleShape != null && sampleShape.Aggregate(1L, (a, b) => a * b) != featureCount)
            throw new BottleneckException($"{name}: sample shape [{string.Join(", ", sampleShape)}] does not hold {featureCount} features");
        Name = name;
        Count = count;
        FeatureCount = featureCount;
        Labels = labels;
        SampleShape = sampleShape;
    }

    /// <summary>
    /// Wraps image bytes (not copied), count × featureCount of them, whose values are byte / 255:
    /// the same floats as dividing each byte by 255 up front, without holding them.
    /// </summary>
    public static Dataset FromPixels(string name, byte[] pixels, int count, int featureCount, int[]? labels = null, int[]? sampleShape = null) =>
        new(name, pixels ?? throw new ArgumentNullException(nameof(pixels)), count, featureCount, labels, sampleShape);

    public string Name { get; }

    /// <summary>All samples, row after row; for data held as bytes, a float copy made on first use (and kept).</summary>
    public float[] Features => features ?? LazyInitializer.EnsureInitialized(ref features, () =>
    {
        var values = GC.AllocateUninitializedArray<float>(pixels!.Length);
        VectorMath.ToUnitRange(pixels, values);
        return values;
    });

    /// <summary>The image bytes when the data is held as bytes (values byte / 255), else null.</summary>
    internal byte[]? Pixels => pixels;

    public int Count { get; }

    public int FeatureCount { get; }

    /// <summary>Class labels, one per sample, when the data set has them.</summary>
    public int[]? Labels { get; }

    /// <summary>The shape of one sample when it is an image ([C, H, W], e.g. [1, 28, 28]), so that samples can be drawn.</summary>
    public int[]? SampleShape { get; }

    /// <summary>The ground-truth factors of variation, one row per sample, when the data set has them (dSprites).</summary>
    public FactorTable? Factors { get; private set; }

    /// <summary>Attaches <paramref name="factors"/>, one row per sample, and returns this data set.</summary>
    public Dataset WithFactors(FactorTable factors)
    {
        ArgumentNullException.ThrowIfNull(factors);
        if (factors.Count != Count)
            throw new BottleneckException($"{Name}: {factors.Count} rows of factors for {Count} samples");
        Factors = factors;
        return this;
    }

    /// <summary>
    /// For items that are sequences padded to <see cref="FeatureCount"/> (a seq2seq model's token
    /// ids): each item's own length, so that a trainer can batch items of one length together.
    /// </summary>
    public int[]? Lengths { get; private set; }

    /// <summary>Attaches each sample's sequence length (1 to FeatureCount) and returns this data set.</summary>
    public Dataset WithLengths(int[] lengths)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        if (lengths.Length != Count)
            throw new BottleneckException($"{Name}: {lengths.Length} lengths for {Count} samples");
        foreach (int length in lengths)
            if (length < 1 || length > FeatureCount)
                throw new BottleneckException($"{Name}: a sequence length of {length} is outside 1..{FeatureCount}");
        Lengths = lengths;
        return this;
    }

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
        var labels = Labels?.AsSpan(start, count).ToArray();
        var slice = pixels is not null
            ? new Dataset(Name, pixels.AsSpan(start * FeatureCount, count * FeatureCount).ToArray(), count, FeatureCount, labels, SampleShape)
            : new Dataset(Name, Features.AsSpan(start * FeatureCount, count * FeatureCount).ToArray(), count, FeatureCount, labels, SampleShape);
        // The factors follow their samples, so that a --limit'ed set can still be scored against them.
        if (Factors is { } f) slice.Factors = new FactorTable(f.Names, f.Levels, f.Values.AsSpan(start * f.FactorCount, count * f.FactorCount).ToArray());
        if (Lengths is { } lengths) slice.Lengths = lengths.AsSpan(start, count).ToArray();
        return slice;
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
        if (pixels is not null) VectorMath.ToUnitRange(pixels.AsSpan(start * FeatureCount, count * FeatureCount), destination.Span);
        else Features.AsSpan(start * FeatureCount, count * FeatureCount).CopyTo(destination.Span);
    }

    /// <summary>
    /// Copies the samples at <paramref name="indices"/> into the rows of <paramref name="destination"/>,
    /// which is resized to that many rows (its storage is reused when large enough). Large batches
    /// are copied on <paramref name="engine"/>'s threads (<see cref="EngineOptions.Default"/> when null).
    /// </summary>
    public void GetBatch(ReadOnlySpan<int> indices, Tensor destination, EngineOptions? engine = null)
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
        // Large batches are copied on several threads (the rows of a shuffled batch are scattered).
        engine ??= EngineOptions.Default;
        if (pixels is not null) Elementwise.GatherRows(pixels, FeatureCount, indices, destination, engine);
        else Elementwise.GatherRows(Features, FeatureCount, indices, destination, engine);
    }

    /// <summary>A copy of the samples at <paramref name="indices"/>, in that order (labels and sample shape kept), e.g. one side of a split.</summary>
    public Dataset Select(ReadOnlySpan<int> indices, string? name = null)
    {
        var labels = Labels == null ? null : new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            int index = indices[i];
            if ((uint)index >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"sample index {index} is outside 0..{Count - 1}");
            if (labels != null) labels[i] = Labels![index];
        }
        var selected = pixels is not null
            ? new Dataset(name ?? Name, SelectRows(pixels, indices), indices.Length, FeatureCount, labels, SampleShape)
            : new Dataset(name ?? Name, SelectRows(Features, indices), indices.Length, FeatureCount, labels, SampleShape);
        if (Factors is { } f)
        {
            var values = new int[indices.Length * f.FactorCount];
            for (int i = 0; i < indices.Length; i++)
                f.Values.AsSpan(indices[i] * f.FactorCount, f.FactorCount).CopyTo(values.AsSpan(i * f.FactorCount));
            selected.Factors = new FactorTable(f.Names, f.Levels, values);
        }
        return selected;
    }

    private T[] SelectRows<T>(T[] source, ReadOnlySpan<int> indices)
    {
        var rows = new T[(long)indices.Length * FeatureCount];
        for (int i = 0; i < indices.Length; i++)
            source.AsSpan(indices[i] * FeatureCount, FeatureCount).CopyTo(rows.AsSpan(i * FeatureCount, FeatureCount));
        return rows;
    }
}
