namespace Bottleneck.Data;

/// <summary>
/// The ground-truth factors of variation of a data set's items (dSprites: shape, scale,
/// orientation, x and y position), each an integer index into that factor's values: row r holds
/// item r's indices, <see cref="Names"/>.Length of them. Disentanglement scores compare codes
/// against them.
/// </summary>
public sealed class FactorTable
{
    /// <param name="names">Each factor's name, in column order.</param>
    /// <param name="levels">How many values each factor takes; indices run from 0 to levels − 1.</param>
    /// <param name="values">The indices, item after item, names.Length per item (not copied).</param>
    public FactorTable(IReadOnlyList<string> names, IReadOnlyList<int> levels, int[] values)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(values);
        if (names.Count == 0 || names.Count != levels.Count)
            throw new BottleneckException($"a factor table needs one level count per factor, got {names.Count} names and {levels.Count} counts");
        if (levels.Any(l => l < 1)) throw new BottleneckException($"every factor needs at least one value, got [{string.Join(", ", levels)}]");
        if (values.Length % names.Count != 0)
            throw new BottleneckException($"{values.Length} factor values do not split into rows of {names.Count}");
        for (int i = 0; i < values.Length; i++)
        {
            int f = i % names.Count;
            if ((uint)values[i] >= (uint)levels[f])
                throw new BottleneckException($"item {i / names.Count}: factor {names[f]} has index {values[i]}, outside 0 to {levels[f] - 1}");
        }
        Names = names;
        Levels = levels;
        Values = values;
    }

    public IReadOnlyList<string> Names { get; }

    public IReadOnlyList<int> Levels { get; }

    /// <summary>Item after item, <see cref="FactorCount"/> indices each.</summary>
    public int[] Values { get; }

    public int FactorCount => Names.Count;

    public int Count => Values.Length / Names.Count;

    /// <summary>Item <paramref name="item"/>'s index of factor <paramref name="factor"/>.</summary>
    public int this[int item, int factor] => Values[item * Names.Count + factor];
}
