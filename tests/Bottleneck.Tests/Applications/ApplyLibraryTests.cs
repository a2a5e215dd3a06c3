using Bottleneck.Applications;
using Bottleneck.Data;
using Bottleneck.Formats;
using Bottleneck.Metrics;
using Bottleneck.Models;
using Bottleneck.Reports;
using Bottleneck.Tensors;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Applications;

/// <summary>The library side of encode, decode, reconstruct, generate, interpolate, denoise and embed, on small untrained models.</summary>
public class ApplyLibraryTests
{
    private static Autoencoder Small(ModelKind kind = ModelKind.Vanilla, int latent = 3) =>
        new(ModelKinds.Defaults(kind) with { Hidden = [16], Latent = latent }, seed: 7);

    /// <summary>Random "images" in [0, 1], 28×28, with labels 0..classes−1.</summary>
    private static Dataset Images(int count, ulong seed = 1, int classes = 3)
    {
        var rng = new Rng(seed);
        var values = new float[count * 784];
        rng.FillUniform(values, 0, 1);
        var labels = Enumerable.Range(0, count).Select(i => i % classes).ToArray();
        return new Dataset("images", values, count, 784, labels, [1, 28, 28]);
    }

    [Fact]
    public void A_traversal_sweeps_one_dimension_per_row_over_the_prior_or_the_codes_range()
    {
        var data = Images(40);
        var x = new Tensor(40, 784);
        data.CopyRows(0, 40, x);
        foreach (var kind in new[] { ModelKind.Vanilla, ModelKind.Vae })
        {
            var model = Small(kind);
            var sweep = LatentTraversal.Sweep(model, data, item: 2, steps: 5);
            Assert.Equal([3 * 5, 784], sweep.Shape.ToArray());
            var codes = model.Encode(x).Span;
            for (int j = 0; j < 3; j++)
            {
                // Row j's ends: dimension j at the sweep's ends, the other dimensions item 2's code.
                float low = -LatentTraversal.PriorRange, high = LatentTraversal.PriorRange;
                if (kind == ModelKind.Vanilla)
                {
                    (low, high) = (float.MaxValue, float.MinValue);
                    for (int r = 0; r < 40; r++) (low, high) = (Math.Min(low, codes[r * 3 + j]), Math.Max(high, codes[r * 3 + j]));
                }
                var ends = new Tensor(2, 3);
                for (int e = 0; e < 2; e++)
                {
                    codes.Slice(2 * 3, 3).CopyTo(ends.Row(e));
                    ends.Row(e)[j] = e == 0 ? low : high;
                }
                var decoded = model.Decode(ends);
                // Close rather than equal: a batch of 2 and one of 15 may take different GEMM paths.
                TensorAssert.Close(decoded.Row(0), sweep.Row(j * 5), 1e-5, $"{kind} dimension {j} low end");
                TensorAssert.Close(decoded.Row(1), sweep.Row(j * 5 + 4), 1e-5, $"{kind} dimension {j} high end");
            }
        }
        Assert.Throws<BottleneckException>(() => LatentTraversal.Sweep(Small(), data, item: 40));
        Assert.Throws<BottleneckException>(() => LatentTraversal.Sweep(Small(), data, steps: 1));
    }

    [Fact]
    public void Interpolation_ends_are_the_decoded_codes_of_the_two_items()
    {
        var model = Small();
        var data = Images(10);
        var (codes, images) = Generation.Interpolate(model, data, 2, 7, steps: 6);
        Assert.Equal(6, codes.Rows);
        Assert.Equal(6, images.Rows);
        var ends = new Tensor(2, 784);
        data.GetBatch([2, 7], ends);
        var endCodes = model.Encode(ends);
        var decoded = model.Decode(endCodes);
        Assert.Equal(endCodes.Row(0).ToArray(), codes.Row(0).ToArray());
        Assert.Equal(endCodes.Row(1).ToArray(), codes.Row(5).ToArray());
        Assert.Equal(decoded.Row(0).ToArray(), images.Row(0).ToArray());
        Assert.Equal(decoded.Row(1).ToArray(), images.Row(5).ToArray());
        // The middle codes lie on the segment, evenly spaced.
        for (int j = 0; j < 3; j++)
            Assert.Equal(0.6f * endCodes.Row(0)[j] + 0.4f * endCodes.Row(1)[j], codes.Row(2)[j], 5);
    }

    [Fact]
    public void Interpolating_from_an_item_that_does_not_exist_is_a_clear_error()
    {
        var e = Assert.Throws<BottleneckException>(() => Generation.Interpolate(Small(), Images(5), 0, 5));
        Assert.Contains("item 5 (--to) does not exist; there are 5 items", e.Message);
        Assert.Throws<BottleneckException>(() => Generation.Lerp([1f], [2f], 1));
    }

    [Fact]
    public void Reconstruction_grid_puts_each_row_of_originals_over_its_reconstructions()
    {
        var model = Small();
        var data = Images(11);
        var (grid, columns) = Generation.ReconstructionGrid(model, data, 11, perRow: 8);
        Assert.Equal(8, columns);
        Assert.Equal(32, grid.Rows); // two groups, each 8 originals and 8 reconstructions, the short one padded
        var originals = new Tensor(11, 784);
        data.CopyRows(0, 11, originals);
        var reconstructions = model.Reconstruct(originals);
        Assert.Equal(originals.Row(0).ToArray(), grid.Row(0).ToArray());
        Assert.Equal(reconstructions.Row(0).ToArray(), grid.Row(8).ToArray());
        Assert.Equal(originals.Row(8).ToArray(), grid.Row(16).ToArray());
        Assert.Equal(reconstructions.Row(10).ToArray(), grid.Row(26).ToArray());
        Assert.All(grid.Row(19).ToArray(), v => Assert.Equal(0f, v)); // padding after the 3 originals of the short group
    }

    [Fact]
    public void Sampling_needs_a_variational_model_and_is_reproducible_by_seed()
    {
        var e = Assert.Throws<BottleneckException>(() => Generation.Sample(Small(), 4));
        Assert.Contains("variational", e.Message);
        var vae = Small(ModelKind.Vae, latent: 2);
        var (codes, images) = Generation.Sample(vae, 5, seed: 9);
        Assert.Equal([5, 2], codes.Shape.ToArray());
        Assert.Equal([5, 784], images.Shape.ToArray());
        Assert.Equal(images.Span.ToArray(), Generation.Sample(vae, 5, seed: 9).Images.Span.ToArray());
        Assert.NotEqual(images.Span.ToArray(), Generation.Sample(vae, 5, seed: 10).Images.Span.ToArray());
        Assert.Equal(vae.Decode(codes).Span.ToArray(), images.Span.ToArray());
    }

    [Theory]
    [InlineData("codes.csv", true)]
    [InlineData("codes.csv", false)]
    [InlineData("codes.npy", true)]
    [InlineData("codes.npy", false)]
    [InlineData("codes.npz", true)]
    [InlineData("codes.npz", false)]
    public void Code_files_round_trip_exactly_with_and_without_labels(string name, bool labels)
    {
        using var dir = new TempDir();
        var model = Small();
        var data = Images(20);
        if (!labels) data = new Dataset(data.Name, data.Features, data.Count, data.FeatureCount, null, data.SampleShape);
        var codes = LatentCodes.Encode(model, data);
        Assert.Equal(model.Encode(Tensor.Wrap(data.Features, 20, 784)).Span.ToArray(), codes.Codes);
        string path = dir.File(name);
        if (name.EndsWith(".npy", StringComparison.Ordinal))
            NpyFile.Write(LatentCodes.LabelsPathFor(path), new int[20]); // a stale labels file must not survive unlabeled codes
        var written = LatentCodes.Save(path, codes);
        var back = LatentCodes.Load(path);
        Assert.Equal(codes.Codes, back.Codes);
        Assert.Equal(20, back.Count);
        Assert.Equal(3, back.Latent);
        Assert.Equal(codes.Labels, back.Labels);
        Assert.Equal(labels && name.EndsWith(".npy", StringComparison.Ordinal) ? 2 : 1, written.Count);
        if (name.EndsWith(".npy", StringComparison.Ordinal)) Assert.Equal(labels, File.Exists(LatentCodes.LabelsPathFor(path)));
        if (name.EndsWith(".csv", StringComparison.Ordinal))
            Assert.Equal(labels ? "z0,z1,z2,label" : "z0,z1,z2", File.ReadLines(path).First());
        // Decoding the codes read back gives the model's reconstructions.
        Assert.Equal(model.Reconstruct(Tensor.Wrap(data.Features, 20, 784)).Span.ToArray(), LatentCodes.Decode(model, back).Span.ToArray());
    }

    [Fact]
    public void Codes_of_the_wrong_size_or_files_of_the_wrong_kind_are_clear_errors()
    {
        using var dir = new TempDir();
        var codes = new CodeSet(new float[8], 2, 4);
        var e = Assert.Throws<BottleneckException>(() => LatentCodes.Decode(Small(), codes));
        Assert.Contains("the codes have 4 values each but the model's code has 3", e.Message);
        Assert.Contains("must end in .csv, .npy or .npz", Assert.Throws<BottleneckException>(() => LatentCodes.Save(dir.File("c.txt"), codes)).Message);
        Assert.Contains("no such codes file", Assert.Throws<BottleneckException>(() => LatentCodes.Load(dir.File("none.npy"))).Message);
        NpyFile.Write(dir.File("bad.npy"), new float[6], 2, 3);
        NpyFile.Write(dir.File("bad.labels.npy"), new int[5]);
        Assert.Contains("2 codes but labels of shape (5)", Assert.Throws<BottleneckException>(() => LatentCodes.Load(dir.File("bad.npy"))).Message);
        File.WriteAllText(dir.File("nan.csv"), "z0,z1\n1,NaN\n");
        Assert.Contains("NaN and infinite values are not allowed", Assert.Throws<BottleneckException>(() => LatentCodes.Load(dir.File("nan.csv"))).Message);
        NpyFile.Write(dir.File("inf.npy"), [1f, float.PositiveInfinity], 1, 2);
        Assert.Contains("inf.npy", Assert.Throws<BottleneckException>(() => LatentCodes.Load(dir.File("inf.npy"))).Message);
    }

    [Fact]
    public void A_denoising_model_is_tested_with_its_own_corruption_unless_told_otherwise()
    {
        var denoising = new Autoencoder(ModelKinds.Defaults(ModelKind.Denoising) with { Hidden = [16], Noise = NoiseKind.Mask, NoiseLevel = 0.3 }, seed: 1);
        var own = Denoising.CorruptionFor(denoising, null, null);
        Assert.Equal((NoiseKind.Mask, 0.3), (own.Kind, own.Level));
        Assert.Equal((NoiseKind.Mask, 0.1), (Denoising.CorruptionFor(denoising, null, 0.1).Kind, Denoising.CorruptionFor(denoising, null, 0.1).Level));
        var other = Denoising.CorruptionFor(denoising, NoiseKind.Gaussian, null);
        Assert.Equal((NoiseKind.Gaussian, 0.5), (other.Kind, other.Level));
        var plain = Denoising.CorruptionFor(Small(), null, null);
        Assert.Equal((NoiseKind.Gaussian, 0.5), (plain.Kind, plain.Level));
        Assert.Throws<BottleneckException>(() => Denoising.CorruptionFor(Small(), NoiseKind.Mask, 1.5));
    }

    [Fact]
    public void Denoising_figures_are_the_image_quality_of_the_seeded_noisy_and_denoised_images()
    {
        var model = Small();
        var data = Images(30);
        var corruption = new Corruption(NoiseKind.Gaussian, 0.3);
        var result = Denoising.Evaluate(model, data, corruption, gridCount: 4, seed: 5);
        var noisy = new float[data.Features.Length];
        corruption.Apply(data.Features, noisy, new Rng(5));
        var denoised = model.Reconstruct(Tensor.Wrap(noisy, 30, 784));
        Assert.Equal(30, result.Count);
        Assert.Equal(ImageQuality.MeanPsnr(data.Features, noisy, 784), result.Noisy.Psnr, 9);
        Assert.Equal(ImageQuality.MeanSsim(data.Features, noisy, 28, 28), result.Noisy.Ssim, 9);
        Assert.Equal(ImageQuality.MeanPsnr(data.Features, denoised.Span, 784), result.Denoised.Psnr, 9);
        Assert.Equal(ImageQuality.MeanSsim(data.Features, denoised.Span, 28, 28), result.Denoised.Ssim, 9);
        Assert.Equal(4, result.Columns);
        Assert.Equal(12, result.Grid.Rows);
        Assert.Equal(data.Sample(1).ToArray(), result.Grid.Row(1).ToArray());
        Assert.Equal(noisy.AsSpan(784, 784).ToArray(), result.Grid.Row(5).ToArray());
        Assert.Equal(denoised.Row(1).ToArray(), result.Grid.Row(9).ToArray());
        // Same seed, same figures.
        Assert.Equal(result.Denoised, Denoising.Evaluate(model, data, corruption, 4, 5).Denoised);
    }

    [Fact]
    public void Denoising_a_table_model_is_a_clear_error()
    {
        var table = new Autoencoder(new AutoencoderConfig { InputSize = 6, InputShape = null, Hidden = [4], Latent = 2 }, seed: 1);
        var data = new Dataset("t", new float[12], 2, 6);
        var e = Assert.Throws<BottleneckException>(() => Denoising.Evaluate(table, data, new Corruption(NoiseKind.Gaussian, 0.1)));
        Assert.Contains("denoise draws images", e.Message);
    }

    [Fact]
    public void The_map_is_the_codes_for_two_dimensions_and_their_principal_components_beyond()
    {
        var two = new CodeSet([1, 2, 3, 4, 5, 7], 3, 2);
        var (map, x, y) = Embedding.MapOf(two);
        Assert.Equal(two.Codes, map);
        Assert.Equal(("z0", "z1"), (x, y));
        var rng = new Rng(3);
        var values = new float[50 * 4];
        rng.FillUniform(values, -1, 1);
        var four = new CodeSet(values, 50, 4);
        var (pcaMap, px, _) = Embedding.MapOf(four);
        Assert.Equal(Pca.Fit(values, 4, 2).Transform(values), pcaMap);
        Assert.StartsWith("PC1 of the codes", px, StringComparison.Ordinal);
    }

    [Fact]
    public void Embedding_measures_knn_on_codes_and_on_pca_of_the_inputs()
    {
        var model = Small(latent: 3);
        // Three well-separated classes: bright left third, middle third, right third.
        var train = Bands(90, 11);
        var test = Bands(30, 12);
        var result = Embedding.Evaluate(model, train, test, k: 5);
        var trainCodes = model.Encode(Tensor.Wrap(train.Features, 90, 784)).Span.ToArray();
        var testCodes = model.Encode(Tensor.Wrap(test.Features, 30, 784)).Span.ToArray();
        Assert.Equal(KNearestNeighbors.Accuracy(trainCodes, train.Labels!, testCodes, test.Labels!, 3, 5), result.CodeAccuracy);
        Assert.Equal(1.0, result.PcaAccuracy);
        Assert.Equal((3, 5, 90, 30), (result.Dimensions, result.K, result.TrainCount, result.TestCount));
        Assert.Equal(60, result.Map.Length);
        Assert.Equal(test.Labels, result.Labels);

        using var dir = new TempDir();
        var (png, svg) = LatentMap.Save(dir.File("map.png"), result);
        Assert.Equal(dir.File("map.png"), png);
        Assert.Equal((LatentMap.Width, LatentMap.Height), (PngDecoder.Read(png).Width, PngDecoder.Read(png).Height));
        Assert.Contains("<svg", File.ReadAllText(svg), StringComparison.Ordinal);

        var unlabeled = new Dataset("u", train.Features, 90, 784, null, [1, 28, 28]);
        Assert.Contains("needs labels", Assert.Throws<BottleneckException>(() => Embedding.Evaluate(model, unlabeled, test)).Message);
    }

    private static Dataset Bands(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var values = new float[count * 784];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % 3;
            for (int p = 0; p < 784; p++)
            {
                int column = p % 28;
                values[i * 784 + p] = column / 10 == labels[i] ? 0.8f + 0.2f * (float)rng.NextDouble() : 0.1f * (float)rng.NextDouble();
            }
        }
        return new Dataset("bands", values, count, 784, labels, [1, 28, 28]);
    }
}
