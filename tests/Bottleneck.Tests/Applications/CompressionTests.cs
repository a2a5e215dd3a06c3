using Bottleneck.Applications;
using Bottleneck.Data;
using Bottleneck.Formats;
using Bottleneck.Metrics;
using Bottleneck.Models;
using Bottleneck.Tensors;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Applications;

public class CompressionTests
{
    private static readonly AutoencoderConfig SmallConfig = new() { Hidden = [32], Latent = 5 };

    /// <summary>Images in [0, 1] with a few smooth blobs, so that codes vary across items; 8-bit levels like MNIST.</summary>
    private static Dataset Images(int count, bool labels = true, ulong seed = 7)
    {
        var rng = new Random((int)seed);
        var features = new float[count * 784];
        for (int i = 0; i < count; i++)
        {
            double cx = rng.Next(6, 22), cy = rng.Next(6, 22), radius = rng.Next(3, 8);
            for (int y = 0; y < 28; y++)
            {
                for (int x = 0; x < 28; x++)
                {
                    double r2 = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (radius * radius);
                    features[i * 784 + y * 28 + x] = (float)Math.Round(255 * Math.Exp(-r2)) / 255f;
                }
            }
        }
        var y0 = labels ? Enumerable.Range(0, count).Select(i => i % 10).ToArray() : null;
        return new Dataset("blobs", features, count, 784, y0, [1, 28, 28]);
    }

    private static byte[] Id(byte fill) => Enumerable.Repeat(fill, CodeFile.ModelIdSize).ToArray();

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    public void The_file_has_the_size_the_format_gives_with_and_without_labels(int bits)
    {
        var model = new Autoencoder(SmallConfig, seed: 1);
        var data = Images(37); // 37 × 5 values: an odd count, so 4 bits leaves a half-used byte
        var withLabels = Compression.Compress(model, data, bits, Id(1));
        var without = Compression.Compress(model, data, bits, Id(1), includeLabels: false);
        Assert.Equal(CodeFile.SizeFor(37, 5, bits, labels: true), withLabels.Bytes.Length);
        Assert.Equal(CodeFile.SizeFor(37, 5, bits, labels: false), without.Bytes.Length);
        Assert.True(withLabels.HasLabels);
        Assert.Equal(4L * 37, withLabels.LabelBytes);
        Assert.Equal((double)withLabels.Bytes.Length / 37, withLabels.BytesPerItem);
        Assert.Equal(data.Labels, withLabels.Read().Labels);
        Assert.Null(without.Read().Labels);
    }

    [Fact]
    public void Decompressed_images_are_the_decoded_codes_within_the_quantisation()
    {
        var model = new Autoencoder(SmallConfig, seed: 3);
        var data = Images(64);
        var exact = model.Reconstruct(Tensor.Wrap(data.Features, data.Count, data.FeatureCount));
        double previousError = double.PositiveInfinity;
        foreach (int bits in new[] { 4, 8, 16 })
        {
            var set = Compression.Compress(model, data, bits, Id(9));
            var file = set.Read();
            // Every code within half a step of the one the encoder made (plus float32 rounding).
            for (int k = 0; k < file.Codes.Length; k++)
            {
                int j = k % file.Dimension;
                Assert.InRange(Math.Abs(file.Codes[k] - set.Codes.Span[k]), 0, file.Scales[j] / 2 * (1 + 1e-6) + 1e-6);
            }
            var images = Compression.Decompress(file, model, Id(9));
            Assert.Equal(exact.Length, images.Length);
            double maxError = 0;
            for (int i = 0; i < exact.Length; i++) maxError = Math.Max(maxError, Math.Abs(exact.Span[i] - images.Span[i]));
            // Finer grids come closer to the unquantised reconstruction; 16 bits is all but exact.
            Assert.True(maxError < previousError, $"{bits} bits: max error {maxError} not below {previousError}");
            previousError = maxError;
            if (bits == 16) Assert.True(maxError < 1e-3, $"16 bits: max error {maxError}");
        }
    }

    [Fact]
    public void Codes_from_another_model_are_refused_naming_both()
    {
        using var dir = new TempDir();
        var a = new Autoencoder(SmallConfig, seed: 1);
        var b = new Autoencoder(SmallConfig, seed: 2);
        ModelFile.Save(a, dir.File("a"));
        ModelFile.Save(b, dir.File("b"));
        byte[] idA = CodeFile.ModelIdOf(Path.Combine(dir.File("a"), ModelFile.WeightsName));
        byte[] idB = CodeFile.ModelIdOf(Path.Combine(dir.File("b"), ModelFile.WeightsName));
        Assert.NotEqual(idA, idB);

        var set = Compression.Compress(a, Images(10), 8, idA);
        set.Save(dir.File("a.bnc"));
        var file = CodeFile.Read(dir.File("a.bnc"));
        var e = Assert.Throws<BottleneckException>(() => Compression.Decompress(file, b, idB));
        Assert.Contains("a.bnc", e.Message);
        Assert.Contains(Convert.ToHexStringLower(idA)[..16], e.Message);
        Assert.Contains(Convert.ToHexStringLower(idB)[..16], e.Message);
        Assert.Equal(10, Compression.Decompress(file, a, idA).Rows);
    }

    [Fact]
    public void Codes_of_another_size_are_refused_even_under_the_right_id()
    {
        var five = new Autoencoder(SmallConfig, seed: 1);
        var six = new Autoencoder(SmallConfig with { Latent = 6 }, seed: 1);
        var file = Compression.Compress(five, Images(4), 8, Id(5)).Read();
        var e = Assert.Throws<BottleneckException>(() => Compression.Decompress(file, six, Id(5)));
        Assert.Contains("5 values but the model's code has 6", e.Message);
    }

    [Fact]
    public void Bad_requests_are_clear_errors()
    {
        var model = new Autoencoder(SmallConfig, seed: 1);
        Assert.Contains("4, 8 or 16, not 12", Assert.Throws<BottleneckException>(() => Compression.Compress(model, Images(3), 12, Id(1))).Message);
        Assert.Contains("no items", Assert.Throws<BottleneckException>(() => Compression.Compress(model, Images(3).Slice(0, 0), 8, Id(1))).Message);
        var table = new Dataset("table", new float[30], 3, 10);
        Assert.Contains("expects 784", Assert.Throws<BottleneckException>(() => Compression.Compress(model, table, 8, Id(1))).Message);
        Assert.Contains("cannot be saved as PNG", Assert.Throws<BottleneckException>(() => Compression.PngBytes(table)).Message);
    }

    [Fact]
    public void Quality_is_psnr_and_ssim_per_image_and_perfect_for_identical_images()
    {
        var data = Images(5);
        var same = Compression.Measure(data, Tensor.Wrap(data.Features.ToArray(), 5, 784));
        Assert.Equal(double.PositiveInfinity, same.Psnr);
        Assert.Equal(1.0, same.Ssim!.Value, 12);
        Assert.Equal(0.0, same.MeanSquaredError);

        var shifted = data.Features.Select(v => Math.Clamp(v + 0.1f, 0f, 1f)).ToArray();
        var q = Compression.Measure(data, Tensor.Wrap(shifted, 5, 784));
        Assert.Equal(ImageQuality.MeanPsnr(data.Features, shifted, 784), q.Psnr, 12);
        Assert.Equal(ImageQuality.MeanSsim(data.Features, shifted, 28, 28), q.Ssim!.Value, 12);
        Assert.InRange(q.Psnr, 19, 30); // an error of at most 0.1 per pixel: at least 20 dB
    }

    [Fact]
    public void Each_image_becomes_a_lossless_png_and_the_total_adds_them_up()
    {
        var data = Images(6);
        long total = 0;
        for (int i = 0; i < data.Count; i++)
        {
            byte[] png = Compression.ToPng(data, i);
            total += png.Length;
            var image = PngDecoder.Decode(png, $"image {i}");
            Assert.Equal((28, 28, 1), (image.Width, image.Height, image.Channels));
            var expected = data.Sample(i).ToArray().Select(v => (byte)Math.Round(v * 255)).ToArray();
            Assert.Equal(expected, image.Pixels);
        }
        Assert.Equal(total, Compression.PngBytes(data));
        Assert.InRange(total / 6.0, 60, 784); // smooth blobs compress well below raw
    }
}
