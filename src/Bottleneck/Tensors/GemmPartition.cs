namespace Bottleneck.Tensors;

/// <summary>
/// How the output is cut among threads: a grid of rowParts × colParts rectangles whose edges fall
/// on tile boundaries. Only output is split, never the k reduction, so the result does not depend
/// on the grid.
/// </summary>
internal readonly struct GemmPartition
{
    /// <summary>Below this many multiply-adds the wake-up of a worker costs more than it saves.</summary>
    public const long ParallelThreshold = 32 * 1024;

    // What packing one element costs, in multiply-adds of the kernel's time (~32 a cycle), from
    // timing the packing routines alone on the model's operands: copying NR- or MR-wide rows
    // (A stored [k, m], B stored [k, n]) ~0.14 ns, the 8×8 transposes of A stored [m, k] ~0.19 ns,
    // those of B stored [n, k] (W in X·Wᵀ, whose panels interleave 32 rows) ~0.30 ns. Used to
    // weigh the packing each split repeats: cutting along n repacks A, along m repacks B.
    private const long CopyCost = 14;
    private const long TransposeACost = 19;
    private const long TransposeBCost = 31;

    /// <summary>The worker pool's claim word has 16 bits for the part count; far more than needed.</summary>
    public const int MaxParts = 1024;

    public GemmPartition(int rowParts, int colParts)
    {
        RowParts = rowParts;
        ColParts = colParts;
    }

    public int RowParts { get; }

    public int ColParts { get; }

    public int Parts => RowParts * ColParts;

    /// <summary>
    /// Picks the grid for up to <paramref name="threads"/> parts that minimises the slowest part's
    /// time: its tiles' multiply-adds plus packing its rows of A and its columns of B (each part
    /// packs its own, so cutting along n repacks A and cutting along m repacks B), the packing
    /// weighed by the storage order of each operand.
    /// </summary>
    public static GemmPartition Choose(int m, int n, int k, int mr, int nr, int threads, bool transA = false, bool transB = false)
    {
        long packA = transA ? CopyCost : TransposeACost, packB = transB ? TransposeBCost : CopyCost;
        if (threads <= 1 || (long)m * n * k < ParallelThreshold) return new GemmPartition(1, 1);
        threads = Math.Min(threads, MaxParts);
        long rowTiles = (m + mr - 1) / mr, colTiles = (n + nr - 1) / nr;
        var best = new GemmPartition(1, 1);
        long bestCost = long.MaxValue;
        for (int parts = threads; parts >= 1; parts--)
        {
            for (int rowParts = 1; rowParts <= parts; rowParts++)
            {
                if (parts % rowParts != 0) continue;
                int colParts = parts / rowParts;
                if (rowParts > rowTiles || colParts > colTiles) continue;
                long rows = (rowTiles + rowParts - 1) / rowParts * mr;
                long cols = (colTiles + colParts - 1) / colParts * nr;
                long cost = rows * cols * k + (packA * rows + packB * cols) * k;
                if (cost < bestCost)
                {
                    bestCost = cost;
                    best = new GemmPartition(rowParts, colParts);
                }
            }
        }
        return best;
    }

    /// <summary>The rectangle of C that part <paramref name="part"/> computes.</summary>
    public void Bounds(int part, int m, int n, int mr, int nr, out int m0, out int m1, out int n0, out int n1)
    {
        int rowPart = part / ColParts, colPart = part % ColParts;
        int rowTiles = (m + mr - 1) / mr, colTiles = (n + nr - 1) / nr;
        m0 = Math.Min(m, (int)((long)rowTiles * rowPart / RowParts) * mr);
        m1 = Math.Min(m, (int)((long)rowTiles * (rowPart + 1) / RowParts) * mr);
        n0 = Math.Min(n, (int)((long)colTiles * colPart / ColParts) * nr);
        n1 = Math.Min(n, (int)((long)colTiles * (colPart + 1) / ColParts) * nr);
    }
}
