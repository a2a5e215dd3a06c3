namespace Bottleneck.Metrics;

/// <summary>
/// The unsupervised clustering error of Makhzani et al. (and of most clustering papers): each
/// cluster is labelled with the class most of its items have, and the error is the share of items
/// whose cluster's label is not their own. More clusters than classes are allowed (16 clusters for
/// 10 digits); an empty cluster counts for nothing.
/// </summary>
public static class ClusterAccuracy
{
    /// <summary>The share of items misclassified when every cluster takes its majority label.</summary>
    public static double MajorityError(ReadOnlySpan<int> clusters, ReadOnlySpan<int> labels)
    {
        if (clusters.Length != labels.Length) throw new BottleneckException($"{clusters.Length} cluster assignments for {labels.Length} labels");
        if (clusters.Length == 0) throw new BottleneckException("the clustering error needs at least one item");
        var counts = new Dictionary<(int Cluster, int Label), int>();
        for (int i = 0; i < clusters.Length; i++)
            counts[(clusters[i], labels[i])] = counts.GetValueOrDefault((clusters[i], labels[i])) + 1;
        int right = counts.GroupBy(c => c.Key.Cluster).Sum(g => g.Max(c => c.Value));
        return 1 - (double)right / clusters.Length;
    }

    /// <summary>Each row's cluster: the index of the largest of its first <paramref name="head"/> values (rows of <paramref name="rowLength"/>).</summary>
    public static int[] ArgMax(ReadOnlySpan<float> rows, int rowLength, int head)
    {
        if (head < 1 || head > rowLength) throw new BottleneckException($"a cluster head of {head} values does not fit rows of {rowLength}");
        var clusters = new int[rows.Length / rowLength];
        for (int r = 0; r < clusters.Length; r++)
            clusters[r] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(rows.Slice(r * rowLength, head));
        return clusters;
    }
}
