using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Bottleneck.Tensors;

/// <summary>
/// Splitting elementwise passes (activations, losses, bias gradients) across the worker pool.
/// Parts are contiguous ranges whose edges fall on whole cache lines, so a vectorised loop over a
/// part does exactly what it does over the whole span; each value is computed by the same code
/// whichever thread runs it, and results are identical for any thread count.
/// </summary>
internal static class Elementwise
{
    /// <summary>Fewer values per part than this cost more to hand to a worker than they save.</summary>
    public const int MinValuesPerPart = 16 * 1024;

    /// <summary>Range edges are multiples of this many floats (one 64-byte cache line, one 512-bit vector).</summary>
    public const int Alignment = 16;

    /// <summary>How many parts a pass over <paramref name="length"/> values is worth splitting into, at most <see cref="EngineOptions.Threads"/>.</summary>
    public static int Parts(EngineOptions engine, long length, int minPerPart = MinValuesPerPart) =>
        (int)Math.Clamp(length / Math.Max(1, minPerPart), 1, engine.Threads);

    /// <summary>Start of part <paramref name="part"/> of <paramref name="parts"/> over [0, length): aligned, and length for part == parts.</summary>
    public static int Start(int length, int part, int parts)
    {
        if (part >= parts) return length;
        int units = length / Alignment;
        return (int)((long)units * part / parts) * Alignment;
    }

    /// <summary>
    /// Runs parts 0..parts-1 of <paramref name="job"/>: across the pool when it is free, otherwise
    /// all on this thread (another thread's call holds the pool), with the same parts either way.
    /// </summary>
    public static void Run(WorkerPool.IParallelJob job, int parts)
    {
        if (parts > 1 && WorkerPool.TryRun(job, parts)) return;
        for (int part = 0; part < parts; part++) job.RunPart(part, parts);
    }

    /// <summary>Whether every value of <paramref name="tensor"/> is finite; see <see cref="Tensor.AllFinite"/>.</summary>
    public static bool AllFinite(Tensor tensor, EngineOptions engine)
    {
        // Reading is cheap: only tensors of a few hundred thousand values are worth a second thread.
        int parts = Parts(engine, tensor.Length, 8 * MinValuesPerPart);
        if (parts < 2) return AllFinite(tensor.Span);
        var job = FiniteJob.ForThisThread;
        job.Start(tensor);
        try
        {
            Run(job, parts);
            return !job.FoundNonFinite;
        }
        finally
        {
            job.Clear();
        }
    }

    /// <summary>Whether no value has all exponent bits set (infinity or NaN).</summary>
    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        const uint ExponentMask = 0x7F800000;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var bits = MemoryMarshal.Cast<float, Vector512<uint>>(values);
            var mask = Vector512.Create(ExponentMask);
            var any = Vector512<uint>.Zero;
            foreach (var v in bits) any |= Vector512.Equals(v & mask, mask);
            if (any != Vector512<uint>.Zero) return false;
            i = bits.Length * Vector512<uint>.Count;
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var bits = MemoryMarshal.Cast<float, Vector256<uint>>(values);
            var mask = Vector256.Create(ExponentMask);
            var any = Vector256<uint>.Zero;
            foreach (var v in bits) any |= Vector256.Equals(v & mask, mask);
            if (any != Vector256<uint>.Zero) return false;
            i = bits.Length * Vector256<uint>.Count;
        }
        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i])) return false;
        }
        return true;
    }

    /// <summary>One calling thread's finiteness check across the pool (reused, so a check allocates nothing).</summary>
    private sealed class FiniteJob : WorkerPool.IParallelJob
    {
        [ThreadStatic]
        private static FiniteJob? current;

        private Tensor? tensor;
        private int nonFinite;

        public static FiniteJob ForThisThread => current ??= new FiniteJob();

        public bool FoundNonFinite => Volatile.Read(ref nonFinite) != 0;

        public void Start(Tensor tensor)
        {
            this.tensor = tensor;
            nonFinite = 0;
        }

        public void Clear() => tensor = null;

        public void RunPart(int part, int parts)
        {
            var values = tensor!.Span;
            int start = Elementwise.Start(values.Length, part, parts), end = Elementwise.Start(values.Length, part + 1, parts);
            if (!AllFinite(values[start..end])) Volatile.Write(ref nonFinite, 1);
        }
    }

    /// <summary>
    /// Copies rows <paramref name="rows"/> of <paramref name="source"/> (rows of
    /// <paramref name="rowLength"/> values, indices already checked) into consecutive rows of
    /// <paramref name="destination"/>. A shuffled batch reads rows scattered over the data set, so
    /// the copy waits on memory: two threads keep twice as many reads in flight.
    /// </summary>
    public static void GatherRows(float[] source, int rowLength, ReadOnlySpan<int> rows, Tensor destination, EngineOptions engine) =>
        GatherRows(source, null, rowLength, rows, destination, engine);

    /// <summary>As <see cref="GatherRows(float[], int, ReadOnlySpan{int}, Tensor, EngineOptions)"/> from image bytes, each value scaled to byte / 255 on the way.</summary>
    public static void GatherRows(byte[] source, int rowLength, ReadOnlySpan<int> rows, Tensor destination, EngineOptions engine) =>
        GatherRows(null, source, rowLength, rows, destination, engine);

    private static void GatherRows(float[]? floats, byte[]? bytes, int rowLength, ReadOnlySpan<int> rows, Tensor destination, EngineOptions engine)
    {
        var job = GatherJob.ForThisThread;
        job.Start(floats, bytes, rowLength, rows, destination);
        try
        {
            int parts = Parts(engine, (long)rows.Length * rowLength, 2 * MinValuesPerPart);
            Run(job, parts < 2 || rows.Length < 2 * parts ? 1 : parts);
        }
        finally
        {
            job.Clear();
        }
    }

    /// <summary>One calling thread's row gather (reused, so a gather allocates nothing once its index buffer has grown).</summary>
    private sealed class GatherJob : WorkerPool.IParallelJob
    {
        [ThreadStatic]
        private static GatherJob? current;

        private float[]? floats;
        private byte[]? bytes;
        private int rowLength;
        private int[] rows = [];
        private int count;
        private Tensor? destination;

        public static GatherJob ForThisThread => current ??= new GatherJob();

        public void Start(float[]? floats, byte[]? bytes, int rowLength, ReadOnlySpan<int> rows, Tensor destination)
        {
            this.floats = floats;
            this.bytes = bytes;
            this.rowLength = rowLength;
            if (this.rows.Length < rows.Length) this.rows = new int[rows.Length];
            rows.CopyTo(this.rows);
            count = rows.Length;
            this.destination = destination;
        }

        public void Clear()
        {
            floats = null;
            bytes = null;
            destination = null;
        }

        // Rows ahead of the one being copied whose cache lines are requested: a shuffled batch's
        // rows lie anywhere in the data set, mostly out of this core's caches, and the hardware
        // prefetcher only follows a row once it is being read.
        private const int RowsAhead = 4;

        private static unsafe void Prefetch(byte* start, int length)
        {
            if (!Sse.IsSupported) return;
            for (int offset = 0; offset < length; offset += 64) Sse.Prefetch0(start + offset);
        }

        public unsafe void RunPart(int part, int parts)
        {
            int first = (int)((long)count * part / parts), last = (int)((long)count * (part + 1) / parts);
            var target = destination!.Span;
            fixed (float* pf = floats)
            fixed (byte* pb = bytes)
            {
                int elementSize = pb != null ? sizeof(byte) : sizeof(float);
                byte* source = pb != null ? pb : (byte*)pf;
                int rowBytes = rowLength * elementSize;
                for (int i = first; i < Math.Min(last, first + RowsAhead); i++) Prefetch(source + (long)rows[i] * rowBytes, rowBytes);
                for (int i = first; i < last; i++)
                {
                    if (i + RowsAhead < last) Prefetch(source + (long)rows[i + RowsAhead] * rowBytes, rowBytes);
                    var row = target.Slice(i * rowLength, rowLength);
                    if (bytes is not null) VectorMath.ToUnitRange(bytes.AsSpan(rows[i] * rowLength, rowLength), row);
                    else floats.AsSpan(rows[i] * rowLength, rowLength).CopyTo(row);
                }
            }
        }
    }
}
