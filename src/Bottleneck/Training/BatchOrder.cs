using Bottleneck.Tensors;

namespace Bottleneck.Training;

/// <summary>
/// Which items make each batch of an epoch, drawn from the trainer's generator (whose state a
/// checkpoint saves, so a resumed run draws the same orders). Plain: a fresh permutation of the
/// items (torch.randperm) cut into batches in turn. By length: the items sorted by length, in a
/// fresh random order within a length, cut into batches, and the batches taken in a random order.
/// Without shuffling, file order or length order.
/// </summary>
internal sealed class BatchOrder
{
    private readonly int[] order;
    private readonly int batchSize;
    private readonly bool shuffle;
    private readonly int[]? lengths;
    private readonly double[]? keys;
    private readonly int[]? batchOrder;

    public BatchOrder(int items, int batchSize, bool shuffle, int[]? lengths)
    {
        order = new int[items];
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.lengths = lengths;
        if (lengths is not null)
        {
            keys = new double[items];
            batchOrder = new int[(items + batchSize - 1) / batchSize];
        }
    }

    /// <summary>Draws the next epoch's batches.</summary>
    public void NextEpoch(Rng rng)
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        if (lengths is null)
        {
            if (shuffle) rng.Shuffle(order);
            return;
        }
        // Length first, then a random key below 1: the items of one length in a fresh order.
        for (int i = 0; i < order.Length; i++) keys![i] = lengths[i] + (shuffle ? rng.NextDouble() : 0);
        Array.Sort(keys!, order);
        for (int i = 0; i < batchOrder!.Length; i++) batchOrder[i] = i;
        if (shuffle) rng.Shuffle(batchOrder);
    }

    /// <summary>The items of the epoch's batch number <paramref name="index"/> (from 0).</summary>
    public ReadOnlySpan<int> Batch(int index)
    {
        int start = (batchOrder?[index] ?? index) * batchSize;
        return order.AsSpan(start, Math.Min(batchSize, order.Length - start));
    }
}
