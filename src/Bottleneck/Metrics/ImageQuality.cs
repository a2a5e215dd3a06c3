using Bottleneck.Tensors;

namespace Bottleneck.Metrics;

/// <summary>
/// Full-reference image quality for single-channel images with values in [0, 1] (data range 1),
/// given row-major as floats: PSNR and SSIM, for one image or for a batch laid out [N, H·W].
/// All arithmetic is in double.
/// </summary>
public static class ImageQuality
{
    /// <summary>Side of the SSIM window: 2·round(3.5·σ) + 1 taps, the support scipy's gaussian_filter gives σ = 1.5 at its 3.5σ truncation.</summary>
    public const int SsimWindow = 11;

    public const double SsimSigma = 1.5;

    public const double SsimK1 = 0.01;

    public const double SsimK2 = 0.03;

    private const int Radius = SsimWindow / 2;

    /// <summary>The normalised 1-D Gaussian taps; the 2-D window is their outer product.</summary>
    private static readonly double[] Taps = GaussianTaps();

    private static double[] GaussianTaps()
    {
        var taps = new double[SsimWindow];
        double sum = 0;
        for (int i = 0; i < SsimWindow; i++)
        {
            double x = i - Radius;
            taps[i] = Math.Exp(-0.5 / (SsimSigma * SsimSigma) * x * x);
            sum += taps[i];
        }
        for (int i = 0; i < SsimWindow; i++) taps[i] /= sum;
        return taps;
    }

    /// <summary>
    /// Peak signal-to-noise ratio in dB, 10·log10(1 / MSE) for data range 1, as
    /// skimage.metrics.peak_signal_noise_ratio(data_range=1). +∞ for identical images.
    /// </summary>
    public static double Psnr(ReadOnlySpan<float> reference, ReadOnlySpan<float> test)
    {
        CheckPair("PSNR", reference.Length, test.Length, reference.Length);
        CheckNotNaN("PSNR", reference, test);
        return PsnrOf(reference, test);
    }

    /// <summary>PSNR of each image of a batch: <paramref name="references"/> and <paramref name="tests"/> hold N images of <paramref name="imageSize"/> values each.</summary>
    public static double[] PsnrPerImage(ReadOnlySpan<float> references, ReadOnlySpan<float> tests, int imageSize)
    {
        int n = CheckPair("PSNR", references.Length, tests.Length, imageSize);
        CheckNotNaN("PSNR", references, tests);
        var result = new double[n];
        for (int i = 0; i < n; i++) result[i] = PsnrOf(references.Slice(i * imageSize, imageSize), tests.Slice(i * imageSize, imageSize));
        return result;
    }

    /// <summary>
    /// The mean of the per-image PSNRs (not the PSNR of the pooled MSE), as image papers report it.
    /// +∞ when any pair is identical; use <see cref="PsnrPerImage"/> to treat those apart.
    /// </summary>
    public static double MeanPsnr(ReadOnlySpan<float> references, ReadOnlySpan<float> tests, int imageSize) =>
        PsnrPerImage(references, tests, imageSize).Average();

    private static double PsnrOf(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = (double)a[i] - b[i];
            sum += d * d;
        }
        double mse = sum / a.Length;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(1 / mse);
    }

    /// <summary>
    /// Structural similarity (Wang, Bovik, Sheikh and Simoncelli 2004) of two
    /// <paramref name="height"/>×<paramref name="width"/> images: local means, variances and covariance
    /// under an 11×11 Gaussian window (σ = 1.5, population moments), K1 = 0.01, K2 = 0.03, data range 1,
    /// averaged over the valid region only — the (H − 10)×(W − 10) positions where the window lies wholly
    /// inside the image, as the paper's reference code does. This equals
    /// skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
    /// data_range=1), which filters the whole image and then crops those borders before averaging.
    /// Both sides must be at least 11 pixels.
    /// </summary>
    public static double Ssim(ReadOnlySpan<float> reference, ReadOnlySpan<float> test, int height, int width)
    {
        CheckSsimShape(height, width);
        CheckPair("SSIM", reference.Length, test.Length, height * width, single: true);
        CheckNotNaN("SSIM", reference, test);
        return new SsimWorkspace(height, width).Compute(reference, test);
    }

    /// <summary>SSIM of each image of a batch [N, height·width]; images are spread over <paramref name="engine"/>'s threads (<see cref="EngineOptions.Default"/> when null).</summary>
    public static unsafe double[] SsimPerImage(ReadOnlySpan<float> references, ReadOnlySpan<float> tests, int height, int width, EngineOptions? engine = null)
    {
        CheckSsimShape(height, width);
        int size = height * width;
        int n = CheckPair("SSIM", references.Length, tests.Length, size);
        CheckNotNaN("SSIM", references, tests);
        var result = new double[n];
        fixed (float* pr = references, pt = tests)
        {
            // Spans cannot enter a lambda; the pinned addresses can, for the duration of the fixed block.
            nint r = (nint)pr, t = (nint)pt;
            var options = new ParallelOptions { MaxDegreeOfParallelism = (engine ?? EngineOptions.Default).Threads };
            Parallel.For(0, n, options, () => new SsimWorkspace(height, width), (i, _, workspace) =>
            {
                var a = new ReadOnlySpan<float>((float*)r + (long)i * size, size);
                var b = new ReadOnlySpan<float>((float*)t + (long)i * size, size);
                result[i] = workspace.Compute(a, b);
                return workspace;
            }, _ => { });
        }
        return result;
    }

    /// <summary>The mean SSIM over a batch, summed in image order so it does not depend on the thread count.</summary>
    public static double MeanSsim(ReadOnlySpan<float> references, ReadOnlySpan<float> tests, int height, int width, EngineOptions? engine = null) =>
        SsimPerImage(references, tests, height, width, engine).Average();

    /// <summary>Buffers for one image's separable filtering, reused across the images one thread handles.</summary>
    private sealed class SsimWorkspace(int height, int width)
    {
        private readonly int validWidth = width - 2 * Radius;

        // The five quantities filtered along rows: x, y, x², y², x·y, each [height, validWidth].
        private readonly double[] rows = new double[5 * height * (width - 2 * Radius)];

        public double Compute(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
        {
            int plane = height * validWidth;
            var taps = Taps;
            for (int r = 0; r < height; r++)
            {
                int inRow = r * width;
                for (int c = 0; c < validWidth; c++)
                {
                    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
                    for (int k = 0; k < SsimWindow; k++)
                    {
                        double w = taps[k], a = x[inRow + c + k], b = y[inRow + c + k];
                        sx += w * a;
                        sy += w * b;
                        sxx += w * (a * a);
                        syy += w * (b * b);
                        sxy += w * (a * b);
                    }
                    int o = r * validWidth + c;
                    rows[o] = sx;
                    rows[plane + o] = sy;
                    rows[2 * plane + o] = sxx;
                    rows[3 * plane + o] = syy;
                    rows[4 * plane + o] = sxy;
                }
            }

            const double c1 = SsimK1 * SsimK1, c2 = SsimK2 * SsimK2; // (K·L)² with L = 1
            int validHeight = height - 2 * Radius;
            double total = 0;
            for (int r = 0; r < validHeight; r++)
            {
                for (int c = 0; c < validWidth; c++)
                {
                    double mx = 0, my = 0, mxx = 0, myy = 0, mxy = 0;
                    for (int k = 0; k < SsimWindow; k++)
                    {
                        double w = taps[k];
                        int o = (r + k) * validWidth + c;
                        mx += w * rows[o];
                        my += w * rows[plane + o];
                        mxx += w * rows[2 * plane + o];
                        myy += w * rows[3 * plane + o];
                        mxy += w * rows[4 * plane + o];
                    }
                    double vx = mxx - mx * mx, vy = myy - my * my, cov = mxy - mx * my;
                    total += (2 * mx * my + c1) * (2 * cov + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                }
            }
            return total / (validHeight * validWidth);
        }
    }

    private static void CheckSsimShape(int height, int width)
    {
        if (height < SsimWindow || width < SsimWindow)
            throw new BottleneckException($"SSIM: images of {height}x{width} are smaller than the {SsimWindow}x{SsimWindow} window; both sides need at least {SsimWindow} pixels");
    }

    /// <summary>Checks that both inputs hold the same whole number of images and returns that number.</summary>
    private static int CheckPair(string what, int referenceLength, int testLength, int imageSize, bool single = false)
    {
        if (referenceLength != testLength)
            throw new BottleneckException($"{what}: the reference has {referenceLength} values and the test image(s) {testLength}; they must match");
        if (imageSize <= 0 || referenceLength == 0)
            throw new BottleneckException($"{what}: no pixels given");
        if (single ? referenceLength != imageSize : referenceLength % imageSize != 0)
            throw new BottleneckException(single
                ? $"{what}: {referenceLength} values do not make one image of {imageSize} pixels"
                : $"{what}: {referenceLength} values are not a whole number of {imageSize}-pixel images");
        return referenceLength / imageSize;
    }

    private static void CheckNotNaN(string what, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int i = FirstNaN(a), j = FirstNaN(b);
        if (i >= 0 || j >= 0)
            throw new BottleneckException($"{what}: the {(i >= 0 ? "reference" : "test")} holds NaN at value {(i >= 0 ? i : j)}");
    }

    private static int FirstNaN(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsNaN(values[i])) return i;
        }
        return -1;
    }
}
