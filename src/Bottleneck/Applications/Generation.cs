using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Tensors;

namespace Bottleneck.Applications;

/// <summary>
/// Pictures made from a trained model: originals over reconstructions, samples of a VAE's prior,
/// and interpolations between the codes of two items.
/// </summary>
public static class Generation
{
    /// <summary>
    /// The first <paramref name="count"/> items of <paramref name="data"/> and their reconstructions,
    /// laid out for a grid of <paramref name="perRow"/> columns: a row of originals, the row of their
    /// reconstructions below it, and so on. Returns the images [2·count, InputSize] and the
    /// column count to draw them with.
    /// </summary>
    public static (Tensor Images, int Columns) ReconstructionGrid(Autoencoder model, Dataset data, int count, int perRow = 8)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        LatentCodes.CheckInput(model, data);
        if (count < 1) throw new BottleneckException($"the number of images must be at least 1, got {count}");
        if (perRow < 1) throw new BottleneckException($"images per row must be at least 1, got {perRow}");
        count = Math.Min(count, data.Count);
        if (count == 0) throw new BottleneckException($"{data.Name}: there are no items to reconstruct");
        int columns = Math.Min(perRow, count);
        int size = data.FeatureCount;
        var originals = new Tensor(count, size);
        data.CopyRows(0, count, originals);
        var reconstructions = model.Reconstruct(originals);
        // A row of originals, then the row of their reconstructions; a short last group is padded with
        // black images so that each reconstruction stays under its original.
        int groups = (count + columns - 1) / columns;
        var grid = new Tensor(2 * groups * columns, size);
        var target = grid.Span;
        for (int g = 0; g < groups; g++)
        {
            int start = g * columns;
            int n = Math.Min(columns, count - start);
            originals.Span.Slice(start * size, n * size).CopyTo(target.Slice(2 * g * columns * size));
            reconstructions.Span.Slice(start * size, n * size).CopyTo(target.Slice((2 * g + 1) * columns * size));
        }
        return (grid, columns);
    }

    /// <summary>
    /// <paramref name="count"/> codes drawn from the model's prior with <paramref name="seed"/>, decoded:
    /// N(0, I) for a variational model, the chosen prior for an adversarial one; for the others it is an error.
    /// With <paramref name="component"/>, every code comes from that component of a mixture prior
    /// (under a label-conditioned prior, that class) or that cluster of a categorical one.
    /// </summary>
    public static (Tensor Codes, Tensor Images) Sample(Autoencoder model, int count, ulong seed = 42, int? component = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var prior = model.Prior ?? throw new BottleneckException($"generating needs a model whose codes follow a prior: a variational one (vae, beta-vae, info-vae, factor-vae, tc-vae) or an adversarial one (aae); this is a {model.Config.Kind.Name()} autoencoder");
        if (count < 1) throw new BottleneckException($"the number of samples must be at least 1, got {count}");
        var codes = new Tensor(count, model.Config.Latent);
        var rng = new Rng(seed);
        if (component is not int k) prior.Sample(codes.Span, rng);
        else if (prior.Kind is not (PriorKind.Mixture or PriorKind.Categorical))
            throw new BottleneckException($"a component to draw from needs a mixture or categorical prior; this model's is {prior.Kind.Name()}");
        else
            for (int r = 0; r < count; r++) prior.SampleComponent(codes.Row(r), k, rng);
        return (codes, model.Decode(codes));
    }

    /// <summary>
    /// Linear interpolation between the codes of items <paramref name="from"/> and <paramref name="to"/>
    /// of <paramref name="data"/> (a VAE's μ): <paramref name="steps"/> codes z(t) = (1 − t)·z_from + t·z_to
    /// for t = 0, 1/(steps − 1), ..., 1, and their decodings. The first and last images are the
    /// decoded codes of the two items.
    /// </summary>
    public static (Tensor Codes, Tensor Images) Interpolate(Autoencoder model, Dataset data, int from, int to, int steps = 10)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        LatentCodes.CheckInput(model, data);
        if (steps < 2) throw new BottleneckException($"an interpolation needs at least 2 steps (the two ends), got {steps}");
        foreach (var (index, name) in new[] { (from, "from"), (to, "to") })
            if (index < 0 || index >= data.Count)
                throw new BottleneckException($"{data.Name}: item {index} (--{name}) does not exist; there are {data.Count} items, 0 to {data.Count - 1}");
        var ends = new Tensor(2, data.FeatureCount);
        data.GetBatch([from, to], ends, model.Engine);
        var endCodes = model.Encode(ends);
        var codes = Lerp(endCodes.Row(0), endCodes.Row(1), steps);
        return (codes, model.Decode(codes));
    }

    /// <summary><paramref name="steps"/> codes evenly spaced on the segment from <paramref name="a"/> to <paramref name="b"/>, ends included exactly.</summary>
    public static Tensor Lerp(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int steps)
    {
        if (a.Length != b.Length) throw new BottleneckException($"interpolation: codes of {a.Length} and {b.Length} values");
        if (steps < 2) throw new BottleneckException($"an interpolation needs at least 2 steps (the two ends), got {steps}");
        var codes = new Tensor(steps, a.Length);
        for (int s = 0; s < steps; s++)
        {
            var row = codes.Row(s);
            if (s == steps - 1)
            {
                b.CopyTo(row);
                continue;
            }
            float t = (float)s / (steps - 1);
            for (int j = 0; j < a.Length; j++) row[j] = (1 - t) * a[j] + t * b[j];
        }
        return codes;
    }
}
