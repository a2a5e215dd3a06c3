using Bottleneck.Tensors;

namespace Bottleneck.Data;

/// <summary>
/// Train/test splits that are deterministic for a seed (the same seed gives the same split on every
/// machine, because <see cref="Rng"/> is ours). Both sides keep the samples in their original order,
/// so a split is a pure selection; training shuffles on its own.
/// </summary>
public static class DatasetSplit
{
    /// <summary>
    /// Splits each class separately so that both sides keep the class proportions: anomalies are often
    /// 1 % of a data set, and a plain random split can leave a test set with almost none. Each class gets
    /// round(trainFraction × its size) training samples, but a class of two or more always has at least one
    /// sample on each side.
    /// </summary>
    public static (Dataset Train, Dataset Test) Stratified(Dataset data, double trainFraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFraction(trainFraction, data.Name);
        var labels = data.Labels ?? throw new BottleneckException($"{data.Name}: a stratified split needs labels and this data set has none; use a random split");
        var rng = new Rng(seed);
        var train = new List<int>();
        var test = new List<int>();
        // Classes in ascending label order, each a list of sample indices in file order: the shuffles
        // below then depend only on the data and the seed.
        foreach (var group in Enumerable.Range(0, data.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            int n = members.Length;
            int take = (int)Math.Round(trainFraction * n, MidpointRounding.AwayFromZero);
            if (n >= 2) take = Math.Clamp(take, 1, n - 1);
            rng.Shuffle(members);
            train.AddRange(members.AsSpan(0, take));
            test.AddRange(members.AsSpan(take));
        }
        return (Pick(data, train, "train"), Pick(data, test, "test"));
    }

    /// <summary>A random split, e.g. to hold out validation samples from unlabeled data: round(trainFraction × count) training samples.</summary>
    public static (Dataset Train, Dataset Test) Random(Dataset data, double trainFraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFraction(trainFraction, data.Name);
        var order = Enumerable.Range(0, data.Count).ToArray();
        new Rng(seed).Shuffle(order);
        int take = (int)Math.Round(trainFraction * data.Count, MidpointRounding.AwayFromZero);
        return (Pick(data, [.. order[..take]], "train"), Pick(data, [.. order[take..]], "test"));
    }

    private static void CheckFraction(double fraction, string name)
    {
        if (!(fraction > 0 && fraction < 1))
            throw new BottleneckException($"{name}: the training fraction must be between 0 and 1 (exclusive), not {fraction}");
    }

    private static Dataset Pick(Dataset data, List<int> indices, string side)
    {
        indices.Sort();
        return data.Select(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(indices), $"{data.Name} ({side})");
    }
}
