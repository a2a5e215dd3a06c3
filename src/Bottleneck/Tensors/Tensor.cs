namespace Bottleneck.Tensors;

/// <summary>
/// A dense float32 tensor, row-major and contiguous. The leading dimension is the batch: layers
/// resize it in place with <see cref="ResizeBatch"/>, reusing the storage when it is large enough,
/// so that a training loop allocates nothing once it has seen its largest batch.
/// </summary>
public sealed class Tensor
{
    private float[] data;
    private readonly int[] shape;

    public Tensor(params int[] shape)
    {
        this.shape = (int[])shape.Clone();
        Length = CheckedLength(this.shape);
        data = new float[Length];
    }

    private Tensor(float[] data, int[] shape)
    {
        this.data = data;
        this.shape = shape;
        Length = CheckedLength(shape);
    }

    /// <summary>Wraps <paramref name="data"/> without copying.</summary>
    public static Tensor Wrap(float[] data, params int[] shape)
    {
        var t = new Tensor(data, (int[])shape.Clone());
        if (t.Length > data.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] needs {t.Length} values, the array has {data.Length}");
        return t;
    }

    public int Length { get; private set; }

    public int Rank => shape.Length;

    public ReadOnlySpan<int> Shape => shape;

    public int Dim(int axis) => shape[axis];

    /// <summary>Size of the leading (batch) dimension.</summary>
    public int Rows => shape[0];

    /// <summary>Number of values in one batch item.</summary>
    public int RowLength => shape.Length == 0 ? 1 : (shape[0] == 0 ? CheckedLength(shape.AsSpan(1)) : Length / shape[0]);

    public Span<float> Span => data.AsSpan(0, Length);

    /// <summary>The backing array; it may be longer than <see cref="Length"/>.</summary>
    public float[] Buffer => data;

    public Span<float> Row(int row)
    {
        int n = RowLength;
        return data.AsSpan(row * n, n);
    }

    public float this[int index]
    {
        get => data[index];
        set => data[index] = value;
    }

    /// <summary>Sets the batch dimension, growing the storage only when it is too small.</summary>
    public void ResizeBatch(int rows)
    {
        if (rows == shape[0]) return;
        int rowLength = RowLength;
        long needed = (long)rows * rowLength;
        if (needed > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(rows), "tensor too large");
        if (needed > data.Length) data = new float[needed];
        shape[0] = rows;
        Length = (int)needed;
    }

    /// <summary>
    /// Makes <paramref name="buffer"/> a [rows, rowLength] tensor, reusing its storage when the row
    /// length matches: how layers keep per-batch buffers without allocating in steady state.
    /// </summary>
    public static void Ensure(ref Tensor? buffer, int rows, int rowLength)
    {
        if (buffer is null || buffer.RowLength != rowLength) buffer = new Tensor(rows, rowLength);
        else buffer.ResizeBatch(rows);
    }

    public void Clear() => Span.Clear();

    /// <summary>
    /// True when no value is NaN or infinite (an exact test of the exponent bits, so large finite
    /// values that would overflow a sum still pass). Large tensors are checked on
    /// <paramref name="engine"/>'s threads (<see cref="EngineOptions.Default"/> when null).
    /// </summary>
    public bool AllFinite(EngineOptions? engine = null) => Elementwise.AllFinite(this, engine ?? EngineOptions.Default);

    public Tensor Clone()
    {
        var t = new Tensor(shape);
        Span.CopyTo(t.Span);
        return t;
    }

    public override string ToString() => $"Tensor[{string.Join(", ", shape)}]";

    private static int CheckedLength(ReadOnlySpan<int> dims)
    {
        long n = 1;
        foreach (int d in dims)
        {
            if (d < 0) throw new ArgumentOutOfRangeException(nameof(dims), "negative dimension");
            n *= d;
            if (n > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(dims), "tensor too large");
        }
        return (int)n;
    }
}
