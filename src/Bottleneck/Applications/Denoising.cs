using Bottleneck.Data;
using Bottleneck.Metrics;
using Bottleneck.Models;
using Bottleneck.Tensors;

namespace Bottleneck.Applications;

/// <summary>Image quality against the clean images: mean PSNR (dB) and SSIM over the images.</summary>
/// <param name="Psnr">Mean of the per-image PSNRs that are finite.</param>
/// <param name="Identical">Images equal to their clean originals (infinite PSNR), left out of the PSNR mean.</param>
public readonly record struct QualityFigures(double Psnr, double Ssim, int Identical);

/// <summary>What <see cref="Denoising.Evaluate"/> measured, and the pictures to show it.</summary>
public sealed record DenoiseResult
{
    /// <summary>The number of images scored.</summary>
    public required int Count { get; init; }

    public required Corruption Corruption { get; init; }

    /// <summary>The corrupted images against the clean ones.</summary>
    public required QualityFigures Noisy { get; init; }

    /// <summary>The model's reconstructions of the corrupted images against the clean ones.</summary>
    public required QualityFigures Denoised { get; init; }

    /// <summary>Three rows of <see cref="Columns"/> images: clean, corrupted, denoised.</summary>
    public required Tensor Grid { get; init; }

    public required int Columns { get; init; }
}

/// <summary>
/// Denoising: corrupt clean images (a fixed seed, so every run sees the same noise), reconstruct
/// the corrupted ones, and measure PSNR and SSIM of corrupted and of denoised images against the
/// clean ones (<see cref="ImageQuality"/>, data range 1).
/// </summary>
public static class Denoising
{
    public const NoiseKind DefaultNoise = NoiseKind.Gaussian;
    public const double DefaultLevel = 0.5;
    private const int Chunk = 1000;

    /// <summary>
    /// The corruption to test with: the one given, else a denoising model's own training corruption,
    /// else gaussian noise of standard deviation 0.5. A level without a kind keeps the default kind
    /// (or the model's).
    /// </summary>
    public static Corruption CorruptionFor(Autoencoder model, NoiseKind? noise, double? level)
    {
        ArgumentNullException.ThrowIfNull(model);
        var own = model.Corruption;
        var kind = noise ?? own?.Kind ?? DefaultNoise;
        double value = level ?? (own is not null && own.Kind == kind ? own.Level : DefaultLevel);
        if (!(value > 0) || double.IsInfinity(value)) throw new BottleneckException($"the noise level must be a positive number, got {value}");
        if (kind != NoiseKind.Gaussian && value > 1) throw new BottleneckException($"{kind.Name()} noise takes a fraction of pixels up to 1 as its level, got {value}");
        return new Corruption(kind, value);
    }

    /// <summary>Scores every item of <paramref name="clean"/>; the grid shows the first <paramref name="gridCount"/>.</summary>
    public static DenoiseResult Evaluate(Autoencoder model, Dataset clean, Corruption corruption, int gridCount = 8, ulong seed = 42, Action<WorkProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(clean);
        ArgumentNullException.ThrowIfNull(corruption);
        var shape = ImageShape.Of(model, "denoise");
        if (shape.Channels != 1)
            throw new BottleneckException($"denoise measures SSIM on single-channel images; this model's images have {shape.Channels} channels");
        LatentCodes.CheckInput(model, clean);
        if (clean.Count == 0) throw new BottleneckException($"{clean.Name}: there are no images to denoise");
        if (gridCount < 1) throw new BottleneckException($"the number of images shown must be at least 1, got {gridCount}");
        int columns = Math.Min(gridCount, clean.Count);
        int size = clean.FeatureCount;
        var grid = new Tensor(3 * columns, size);
        var rng = new Rng(seed);
        var batch = new Tensor(Math.Min(Chunk, clean.Count), size);
        var noisy = new Tensor(Math.Min(Chunk, clean.Count), size);
        var noisySum = new Accumulator(model.Engine);
        var denoisedSum = new Accumulator(model.Engine);
        for (int start = 0; start < clean.Count; start += Chunk)
        {
            int rows = Math.Min(Chunk, clean.Count - start);
            clean.CopyRows(start, rows, batch);
            noisy.ResizeBatch(rows);
            corruption.Apply(batch.Span, noisy.Span, rng);
            var denoised = model.Reconstruct(noisy);
            noisySum.Add(batch.Span, noisy.Span, shape);
            denoisedSum.Add(batch.Span, denoised.Span, shape);
            if (start < columns)
            {
                int n = Math.Min(columns - start, rows);
                batch.Span[..(n * size)].CopyTo(grid.Span.Slice(start * size));
                noisy.Span[..(n * size)].CopyTo(grid.Span.Slice((columns + start) * size));
                denoised.Span[..(n * size)].CopyTo(grid.Span.Slice((2 * columns + start) * size));
            }
            progress?.Invoke(new WorkProgress("denoising", start + rows, clean.Count));
        }
        return new DenoiseResult
        {
            Count = clean.Count,
            Corruption = corruption,
            Noisy = noisySum.Result(),
            Denoised = denoisedSum.Result(),
            Grid = grid,
            Columns = columns,
        };
    }

    private sealed class Accumulator(EngineOptions engine)
    {
        private double psnr;
        private double ssim;
        private int finite;
        private int identical;
        private int count;

        public void Add(ReadOnlySpan<float> clean, ReadOnlySpan<float> test, ImageShape shape)
        {
            foreach (double p in ImageQuality.PsnrPerImage(clean, test, shape.Size))
            {
                if (double.IsFinite(p))
                {
                    psnr += p;
                    finite++;
                }
                else identical++;
            }
            var s = ImageQuality.SsimPerImage(clean, test, shape.Height, shape.Width, engine);
            foreach (double v in s) ssim += v;
            count += s.Length;
        }

        public QualityFigures Result() => new(finite > 0 ? psnr / finite : double.PositiveInfinity, ssim / count, identical);
    }
}
