using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Tensors;

namespace Bottleneck.Applications;

/// <summary>
/// The latent traversal of disentanglement papers: one item's code, one code dimension at a time
/// swept across its range while the others stay put, each step decoded. Row d of the grid is
/// dimension d; a dimension that has learned one factor (position, scale, ...) changes only that
/// in its row, and a dimension the model does not use leaves its row unchanged.
/// </summary>
public static class LatentTraversal
{
    /// <summary>How far a kind with a prior sweeps: ±3 standard deviations of N(0, 1).</summary>
    public const float PriorRange = 3f;

    /// <summary>
    /// The decoded sweep [latent × steps, InputSize], row after row, from the code of item
    /// <paramref name="item"/> of <paramref name="data"/>. Models whose codes follow N(0, I)
    /// (variational kinds, a Gaussian AAE) sweep ±<see cref="PriorRange"/>; the others sweep
    /// each dimension from its smallest to its largest code over the first items of <paramref name="data"/>.
    /// </summary>
    public static Tensor Sweep(Autoencoder model, Dataset data, int item = 0, int steps = 9, int rangeItems = 1000)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        LatentCodes.CheckInput(model, data);
        if (steps < 2) throw new BottleneckException($"a traversal needs at least 2 steps, got {steps}");
        if ((uint)item >= (uint)data.Count) throw new BottleneckException($"{data.Name}: item {item} is outside its {data.Count} items");
        int l = model.Config.Latent;
        int n = Math.Min(data.Count, Math.Max(rangeItems, item + 1));
        var x = new Tensor(n, data.FeatureCount);
        data.CopyRows(0, n, x);
        var codes = model.Encode(x).Span;
        var low = new float[l];
        var high = new float[l];
        bool prior = model.Prior is { Kind: PriorKind.Gaussian };
        for (int j = 0; j < l; j++)
        {
            if (prior) (low[j], high[j]) = (-PriorRange, PriorRange);
            else
            {
                (low[j], high[j]) = (float.PositiveInfinity, float.NegativeInfinity);
                for (int r = 0; r < n; r++) (low[j], high[j]) = (MathF.Min(low[j], codes[r * l + j]), MathF.Max(high[j], codes[r * l + j]));
            }
        }
        var sweep = new Tensor(l * steps, l);
        var start = codes.Slice(item * l, l);
        for (int j = 0; j < l; j++)
            for (int s = 0; s < steps; s++)
            {
                var row = sweep.Row(j * steps + s);
                start.CopyTo(row);
                row[j] = low[j] + (high[j] - low[j]) * s / (steps - 1);
            }
        return model.Decode(sweep);
    }
}
