using Bottleneck.Metrics;
using static Bottleneck.Tests.RefusalAssert;

namespace Bottleneck.Tests.Metrics;

/// <summary>
/// Reference values from skimage.metrics 0.19.3 (structural_similarity with gaussian_weights=True,
/// sigma=1.5, use_sample_covariance=False, data_range=1; peak_signal_noise_ratio with data_range=1),
/// printed by image_quality_references.py next to this file, on images built by the same integer
/// formulas as here.
/// </summary>
public class ImageQualityTests
{
    private static float[] Image(int h, int w, int seed)
    {
        var x = new float[h * w];
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++) x[r * w + c] = (float)(((r * 31 + c * 17 + r * c * 7 + seed * 13) % 97) / 96.0);
        return x;
    }

    private static float[] Noisy(float[] x, int h, int w, int seed)
    {
        var y = new float[h * w];
        for (int r = 0; r < h; r++)
        {
            for (int c = 0; c < w; c++)
            {
                double noise = (((r * 13 + c * 29 + seed * 5) % 41) - 20) / 200.0;
                double v = 0.5 * ((double)x[r * w + c] + x[r * w + (c + 1) % w]) + noise;
                y[r * w + c] = (float)Math.Clamp(v, 0, 1);
            }
        }
        return y;
    }

    [Theory]
    [InlineData(28, 28, 1, 0.597248848550068, 13.310397711404363)]
    [InlineData(28, 28, 2, 0.5966305464769692, 13.332669419363459)]
    [InlineData(11, 11, 3, 0.4549519332831527, 12.640543632066613)]
    [InlineData(20, 33, 4, 0.6594610243836131, 13.17907424892599)]
    public void MatchesSkimage(int h, int w, int seed, double ssim, double psnr)
    {
        var x = Image(h, w, seed);
        var y = Noisy(x, h, w, seed);
        Assert.True(Math.Abs(ImageQuality.Ssim(x, y, h, w) - ssim) < 1e-12, $"SSIM {ImageQuality.Ssim(x, y, h, w):R}, skimage {ssim:R}");
        Assert.True(Math.Abs(ImageQuality.Psnr(x, y) - psnr) < 1e-10, $"PSNR {ImageQuality.Psnr(x, y):R}, skimage {psnr:R}");
        // SSIM is symmetric in its two images.
        Assert.True(Math.Abs(ImageQuality.Ssim(y, x, h, w) - ssim) < 1e-12);
    }

    [Fact]
    public void BatchesGiveThePerImageValuesAndTheirMean()
    {
        const int h = 28, w = 28, n = 37;
        var refs = new float[n * h * w];
        var tests = new float[n * h * w];
        for (int i = 0; i < n; i++)
        {
            var x = Image(h, w, i);
            x.CopyTo(refs, i * h * w);
            Noisy(x, h, w, i).CopyTo(tests, i * h * w);
        }
        var ssim = ImageQuality.SsimPerImage(refs, tests, h, w);
        var psnr = ImageQuality.PsnrPerImage(refs, tests, h * w);
        Assert.Equal(n, ssim.Length);
        for (int i = 0; i < n; i++)
        {
            var a = refs.AsSpan(i * h * w, h * w);
            var b = tests.AsSpan(i * h * w, h * w);
            Assert.Equal(ImageQuality.Ssim(a, b, h, w), ssim[i]); // same arithmetic on any thread
            Assert.Equal(ImageQuality.Psnr(a, b), psnr[i]);
        }
        Assert.Equal(ssim.Average(), ImageQuality.MeanSsim(refs, tests, h, w));
        Assert.Equal(psnr.Average(), ImageQuality.MeanPsnr(refs, tests, h * w));
        Assert.Equal(0.597248848550068, ssim[1], 12); // seed 1 is the skimage case above
    }

    [Fact]
    public void IdenticalAndConstantImages()
    {
        var x = Image(16, 16, 5);
        Assert.Equal(1.0, ImageQuality.Ssim(x, x, 16, 16), 14);
        Assert.Equal(double.PositiveInfinity, ImageQuality.Psnr(x, x));
        // Two equal flat images are identical (the constants keep 0/0 away); a flat black against a
        // flat white image shares no luminance: SSIM = C1 / (1 + C1).
        var black = new float[256];
        var white = Enumerable.Repeat(1f, 256).ToArray();
        Assert.Equal(1.0, ImageQuality.Ssim(black, black, 16, 16), 14);
        double c1 = 0.01 * 0.01;
        Assert.Equal(c1 / (1 + c1), ImageQuality.Ssim(black, white, 16, 16), 14);
        Assert.Equal(0.0, ImageQuality.Psnr(black, white)); // MSE 1 → 10·log10(1) = 0 dB
        // MSE 0.01 → 20 dB.
        var gray = Enumerable.Repeat(0.5f, 100).ToArray();
        var off = Enumerable.Repeat(0.6f, 100).ToArray();
        Assert.Equal(20.0, ImageQuality.Psnr(gray, off), 5);
    }

    [Fact]
    public void BadInputIsRefusedWithOneLine()
    {
        var x = new float[28 * 28];
        Refused(() => ImageQuality.Ssim(x, x, 10, 78), "smaller than the 11x11 window");
        Refused(() => ImageQuality.Ssim(x, new float[28 * 27], 28, 28), "must match");
        Refused(() => ImageQuality.Ssim(x, x, 28, 27), "do not make one image");
        Refused(() => ImageQuality.Psnr([], []), "no pixels");
        Refused(() => ImageQuality.PsnrPerImage(x, x, 100), "not a whole number");
        var nan = (float[])x.Clone();
        nan[5] = float.NaN;
        Refused(() => ImageQuality.Psnr(x, nan), "test holds NaN at value 5");
        Refused(() => ImageQuality.MeanSsim(nan, x, 28, 28), "reference holds NaN");
    }
}
