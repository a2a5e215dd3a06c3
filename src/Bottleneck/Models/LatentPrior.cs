using Bottleneck.Tensors;
using static Bottleneck.Models.PriorKind;

namespace Bottleneck.Models;

/// <summary>
/// The distribution an adversarial autoencoder's codes are pushed towards, and that
/// <c>generate</c> draws from: a standard normal, a uniform on [−1, 1] in every dimension, or a
/// mixture of K normals whose means lie on a circle of radius 4 in the first two dimensions (the
/// picture of Makhzani et al.), standard deviation 0.5 there and 1 in any further dimension; or,
/// for clustering, a categorical one: a one-hot cluster of K in the first K dimensions and N(0, 1)
/// style values in the rest (Makhzani et al.'s unsupervised clustering, where the encoder's first
/// K outputs go through a softmax, so that its cluster head is pushed towards one-hot choices).
/// </summary>
public sealed class LatentPrior
{
    private const double Radius = 4, MixtureSpread = 0.5;

    public LatentPrior(PriorKind kind, int latent, int components)
    {
        NamedEnum.Defined(kind);
        if (latent < 1) throw new BottleneckException($"the code needs at least one value, got {latent}");
        if (kind == Mixture && latent < 2) throw new BottleneckException("a mixture prior lays its components out in two dimensions: use a code of at least 2 values");
        if (kind is Mixture or Categorical && components < 2) throw new BottleneckException($"a {kind.Name()} prior needs at least 2 components, got {components}");
        if (kind == Categorical && latent < components)
            throw new BottleneckException($"a categorical prior of {components} clusters takes the code's first {components} values (and style values after them): use a code of at least {components} values, got {latent}");
        Kind = kind;
        Latent = latent;
        Components = components;
    }

    public PriorKind Kind { get; }

    public int Latent { get; }

    public int Components { get; }

    /// <summary>The code's first values that form a cluster head (softmax outputs): K for a categorical prior, else none.</summary>
    public int ClusterHead => Kind == Categorical ? Components : 0;

    /// <summary>The mean of mixture component <paramref name="k"/> in dimension <paramref name="d"/>.</summary>
    public double ComponentMean(int k, int d) => d switch
    {
        0 => Radius * Math.Cos(2 * Math.PI * k / Components),
        1 => Radius * Math.Sin(2 * Math.PI * k / Components),
        _ => 0,
    };

    /// <summary>Fills <paramref name="codes"/> (rows of <see cref="Latent"/> values) with draws; for a mixture or categorical prior, <paramref name="component"/> gets each row's component.</summary>
    public void Sample(Span<float> codes, Rng rng, Span<int> component = default)
    {
        if (codes.Length % Latent != 0) throw new ArgumentException($"{codes.Length} values are not rows of {Latent}", nameof(codes));
        int rows = codes.Length / Latent;
        for (int r = 0; r < rows; r++)
        {
            var row = codes.Slice(r * Latent, Latent);
            switch (Kind)
            {
                case Gaussian:
                    for (int d = 0; d < Latent; d++) row[d] = (float)rng.NextNormal();
                    break;
                case Uniform:
                    for (int d = 0; d < Latent; d++) row[d] = (float)(2 * rng.NextDouble() - 1);
                    break;
                default:
                    int k = rng.NextInt(Components);
                    if (!component.IsEmpty) component[r] = k;
                    SampleComponent(row, k, rng);
                    break;
            }
        }
    }

    /// <summary>Fills <paramref name="row"/> (<see cref="Latent"/> values) with a draw of mixture component, or categorical cluster, <paramref name="k"/>.</summary>
    public void SampleComponent(Span<float> row, int k, Rng rng)
    {
        if (Kind is not (Mixture or Categorical)) throw new InvalidOperationException($"a {Kind.Name()} prior has no components to draw from");
        if ((uint)k >= (uint)Components) throw new BottleneckException($"component {k} does not exist: the prior has {Components}, 0 to {Components - 1}");
        for (int d = 0; d < Latent; d++)
            row[d] = Kind == Categorical
                ? d < Components ? (d == k ? 1f : 0f) : (float)rng.NextNormal()
                : (float)(ComponentMean(k, d) + (d < 2 ? MixtureSpread : 1) * rng.NextNormal());
    }

    /// <summary>The mixture component whose mean is nearest <paramref name="code"/>, the most likely one (they differ only in the first two dimensions).</summary>
    public int NearestComponent(ReadOnlySpan<float> code)
    {
        int best = 0;
        double bestDistance = double.PositiveInfinity;
        for (int k = 0; k < Components; k++)
        {
            double dx = code[0] - ComponentMean(k, 0), dy = code[1] - ComponentMean(k, 1);
            double distance = dx * dx + dy * dy;
            if (distance < bestDistance) (best, bestDistance) = (k, distance);
        }
        return best;
    }
}
