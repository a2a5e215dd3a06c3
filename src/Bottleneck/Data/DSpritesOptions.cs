using System.Globalization;

namespace Bottleneck.Data;

/// <summary>The grid of a generated dSprites-like set: canvas side, level counts, test split.</summary>
public sealed record DSpritesOptions
{
    /// <summary>Most scale levels (at 64, neighbouring sizes already differ by a fraction of a pixel at either canvas side).</summary>
    public const int MaxScales = 64;

    /// <summary>Most orientation levels (one a degree).</summary>
    public const int MaxOrientations = 360;

    /// <summary>Most pixels of all images together, 1 GiB: the set is generated in memory before it is written.</summary>
    public const long MaxPixels = 1L << 30;

    /// <summary>Canvas side in pixels: 32 or 64.</summary>
    public int Side { get; init; } = 32;

    /// <summary>Scale levels, linearly from 0.5 to 1 of the largest size.</summary>
    public int Scales { get; init; } = 6;

    /// <summary>Rotations, evenly spaced over [0, 2π).</summary>
    public int Orientations { get; init; } = 10;

    /// <summary>Positions along each of x and y; at most <see cref="Side"/>.</summary>
    public int Positions { get; init; } = 16;

    /// <summary>The share of all combinations drawn at random for the test part.</summary>
    public double TestFraction { get; init; } = 0.1;

    /// <summary>Seed of the split and of the order of the items in each part.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Each factor's level count, in the column order of <see cref="DSprites.FactorNames"/>.</summary>
    public int[] Levels => [DSprites.ShapeNames.Count, Scales, Orientations, Positions, Positions];

    /// <summary>The number of combinations, every one an image (a double, so that even an absurd request is counted, then refused, without overflow).</summary>
    public double Combinations => (double)DSprites.ShapeNames.Count * Scales * Orientations * Positions * Positions;

    /// <summary>Pixels of all images together.</summary>
    public double PixelCount => Combinations * Side * Side;

    /// <summary>How many combinations the test part gets: round(fraction × count).</summary>
    public int TestCount => (int)Math.Round(TestFraction * Combinations, MidpointRounding.AwayFromZero);

    /// <summary>Throws a <see cref="BottleneckException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Side is not (32 or 64)) throw new BottleneckException($"dSprites: the canvas side must be 32 or 64 pixels, not {Side}");
        if (Scales is < 2 or > MaxScales) throw new BottleneckException($"dSprites: the scale levels must be 2 to {MaxScales}, not {Scales}");
        if (Orientations is < 2 or > MaxOrientations) throw new BottleneckException($"dSprites: the orientation levels must be 2 to {MaxOrientations}, not {Orientations}");
        if (Positions < 2 || Positions > Side) throw new BottleneckException($"dSprites: the position levels must be 2 to {Side} (the canvas side), not {Positions}");
        if (PixelCount > MaxPixels)
            throw new BottleneckException($"dSprites: {Combinations:F0} images of {Side}×{Side} are {PixelCount / (1 << 20):F0} MiB of pixels, more than the {MaxPixels >> 20} MiB allowed; use fewer levels");
        if (!(TestFraction > 0 && TestFraction < 1)) throw new BottleneckException($"dSprites: the test fraction must be between 0 and 1 (exclusive), not {TestFraction.ToString(CultureInfo.InvariantCulture)}");
        if (TestCount < 1 || TestCount > Combinations - 1)
            throw new BottleneckException($"dSprites: a test fraction of {TestFraction.ToString(CultureInfo.InvariantCulture)} of {Combinations:F0} combinations leaves {(TestCount < 1 ? "the test" : "the training")} part empty");
    }
}
