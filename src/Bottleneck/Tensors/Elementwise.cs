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

    /// <summary>How many parts a pass over <paramref name="length"/> values is worth splitting into.</summary>
    public static int Parts(long length, int minPerPart = MinValuesPerPart) =>
        (int)Math.Clamp(length / Math.Max(1, minPerPart), 1, Engine.Threads);

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
    public static void Run(GemmThreadPool.IParallelJob job, int parts)
    {
        if (parts > 1 && GemmThreadPool.TryRun(job, parts)) return;
        for (int part = 0; part < parts; part++) job.RunPart(part, parts);
    }
}
