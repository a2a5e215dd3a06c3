using Bottleneck.Tensors;

namespace Bottleneck.Models;

/// <summary>
/// The corruption a denoising autoencoder learns to undo, applied to training inputs only: the
/// clean item stays the target. Values are clipped to [<see cref="Low"/>, <see cref="High"/>]
/// so noisy pixels remain pixels.
/// </summary>
public sealed class Corruption
{
    public Corruption(NoiseKind kind, double level, float low = 0, float high = 1)
    {
        NamedEnum.Defined(kind);
        Kind = kind;
        Level = level;
        Low = low;
        High = high;
    }

    public NoiseKind Kind { get; }

    /// <summary>The gaussian's standard deviation, or the fraction of values masked or salted.</summary>
    public double Level { get; }

    public float Low { get; }

    public float High { get; }

    /// <summary>Writes a corrupted copy of <paramref name="clean"/> into <paramref name="noisy"/>.</summary>
    public void Apply(ReadOnlySpan<float> clean, Span<float> noisy, Rng rng)
    {
        if (noisy.Length < clean.Length) throw new ArgumentException("destination too short", nameof(noisy));
        // One loop per kind keeps the per-value work branch-free of the kind.
        switch (Kind)
        {
            case NoiseKind.Gaussian:
                float std = (float)Level;
                for (int i = 0; i < clean.Length; i++) noisy[i] = Math.Clamp(clean[i] + std * (float)rng.NextNormal(), Low, High);
                break;
            case NoiseKind.Mask:
                for (int i = 0; i < clean.Length; i++) noisy[i] = rng.NextDouble() < Level ? Low : clean[i];
                break;
            default:
                for (int i = 0; i < clean.Length; i++)
                {
                    double u = rng.NextDouble();
                    noisy[i] = u >= Level ? clean[i] : u < Level / 2 ? Low : High;
                }
                break;
        }
    }
}
