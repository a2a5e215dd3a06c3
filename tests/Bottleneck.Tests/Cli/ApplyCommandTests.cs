using System.Text.RegularExpressions;
using Bottleneck.Applications;
using Bottleneck.Data;
using Bottleneck.Formats;
using Bottleneck.Models;
using Bottleneck.Reports;
using Bottleneck.Tensors;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Cli;

/// <summary>Two tiny models trained once through the CLI and shared by the tests of the commands that apply them.</summary>
public sealed class TrainedModelsFixture : IDisposable
{
    private readonly TempDir dir = new();

    public TrainedModelsFixture()
    {
        Vanilla = Train("vanilla", "512");
        Vae = Train("vae", "256");
    }

    /// <summary>A vanilla 784-400-20 model after one epoch on 512 MNIST images.</summary>
    public string Vanilla { get; }

    /// <summary>A VAE (code of 20) after one epoch on 256 MNIST images.</summary>
    public string Vae { get; }

    public string Folder => dir.Path;

    private string Train(string kind, string limit)
    {
        string run = dir.File(kind);
        var r = CliRunner.Run("train", "--kind", kind, "--data", SharedData.Mnist, "--limit", limit, "--epochs", "1", "--threads", "1", "--out", run);
        if (r.ExitCode != 0) throw new InvalidOperationException($"training the {kind} fixture failed: {r.Stderr}");
        return run;
    }

    public void Dispose() => dir.Dispose();
}

/// <summary>encode, decode, reconstruct, generate, interpolate, denoise and embed as a user runs them.</summary>
public class ApplyCommandTests(TrainedModelsFixture models) : IClassFixture<TrainedModelsFixture>
{
    private static (int Width, int Height) PngSize(string path)
    {
        var png = PngDecoder.Read(path);
        return (png.Width, png.Height);
    }

    /// <summary>The side of a grid of n images of 28 pixels with torchvision's padding of 2.</summary>
    private static int Side(int n) => n * 30 + 2;

    [Fact]
    public void Encode_writes_codes_with_labels_and_decode_gives_back_the_models_reconstructions()
    {
        using var dir = new TempDir();
        var (model, _) = ModelFile.Load(models.Vanilla);
        var (_, test) = Mnist.Load(SharedData.Mnist);

        var npy = CliRunner.Run("encode", "--model", models.Vanilla, "--data", SharedData.Mnist, "--out", dir.File("codes.npy"));
        Assert.True(npy.ExitCode == 0, npy.Stderr);
        Assert.Contains("Wrote", npy.Stdout, StringComparison.Ordinal);
        Assert.Contains("10000 codes of 20 values, with labels", npy.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"encoding: 10000 items \([0-9.]+ s\)", npy.Stdout);
        var codes = NpyFile.Read(dir.File("codes.npy"));
        Assert.Equal([10000, 20], codes.Shape);
        Assert.Equal(test.Labels, NpyFile.Read(dir.File("codes.labels.npy")).ToInt32s());
        var expected = model.Encode(Tensor.Wrap(test.Features, test.Count, 784)).Span.ToArray();
        Assert.Equal(expected, codes.ToSingles());

        foreach (var name in new[] { "codes.csv", "codes.npz" })
        {
            var r = CliRunner.Run("encode", "--model", Path.Combine(models.Vanilla, ModelFile.WeightsName), "--data", SharedData.Mnist, "--out", dir.File(name));
            Assert.True(r.ExitCode == 0, r.Stderr);
            var back = LatentCodes.Load(dir.File(name));
            Assert.Equal(expected, back.Codes);
            Assert.Equal(test.Labels, back.Labels);
        }
        Assert.Equal("z0,z1,z2,z3,z4,z5,z6,z7,z8,z9,z10,z11,z12,z13,z14,z15,z16,z17,z18,z19,label", File.ReadLines(dir.File("codes.csv")).First());
        Assert.Equal(["codes", "labels"], NpzFile.Open(dir.File("codes.npz")).Names.Select(n => n.Replace(".npy", "", StringComparison.Ordinal)).Order().ToArray());

        // Decoding the codes, from either file, reproduces Reconstruct.
        var reconstruction = model.Reconstruct(Tensor.Wrap(test.Features, test.Count, 784)).Span.ToArray();
        foreach (var codesFile in new[] { "codes.csv", "codes.npz" })
        {
            var d = CliRunner.Run("decode", "--model", models.Vanilla, "--codes", dir.File(codesFile), "--out", dir.File("decoded.npy"));
            Assert.True(d.ExitCode == 0, d.Stderr);
            var decoded = NpyFile.Read(dir.File("decoded.npy"));
            Assert.Equal([10000, 784], decoded.Shape);
            var values = decoded.ToSingles();
            for (int i = 0; i < values.Length; i++) Assert.True(Math.Abs(values[i] - reconstruction[i]) <= 1e-5, $"value {i}: {values[i]} vs {reconstruction[i]}");
        }

        var png = CliRunner.Run("decode", "--model", models.Vanilla, "--codes", dir.File("codes.npy"), "--count", "16", "--out", dir.File("decoded.png"));
        Assert.True(png.ExitCode == 0, png.Stderr);
        Assert.Contains("16 decoded images", png.Stdout, StringComparison.Ordinal);
        Assert.Equal((Side(8), Side(2)), PngSize(dir.File("decoded.png")));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp-*"));
    }

    [Fact]
    public void Reconstruct_draws_rows_of_originals_over_rows_of_reconstructions()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("reconstruct", "--model", models.Vanilla, "--data", SharedData.Mnist, "--count", "12", "--out", dir.File("grid.png"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("12 items of mnist-test over their reconstructions", r.Stdout, StringComparison.Ordinal);
        Assert.Equal((Side(8), Side(4)), PngSize(dir.File("grid.png")));

        var (model, _) = ModelFile.Load(models.Vanilla);
        var (_, test) = Mnist.Load(SharedData.Mnist);
        var first = new Tensor(1, 784);
        test.CopyRows(0, 1, first);
        var recon = model.Reconstruct(first);
        var image = PngDecoder.Read(dir.File("grid.png"));
        // Pixel (10, 14) of the first original (top-left) and of its reconstruction (one row below).
        Assert.Equal(ImageGrid.ToByte(first[14 * 28 + 10]), image[2 + 10, 2 + 14, 0]);
        Assert.Equal(ImageGrid.ToByte(recon[14 * 28 + 10]), image[2 + 10, 32 + 14, 0]);
    }

    [Fact]
    public void Generate_samples_a_vae_into_its_run_folder_and_report()
    {
        var r = CliRunner.Run("generate", "--model", models.Vae, "--count", "64", "--seed", "3");
        Assert.True(r.ExitCode == 0, r.Stderr);
        string generated = Path.Combine(models.Vae, "generated.png");
        Assert.Equal((Side(8), Side(8)), PngSize(generated));
        Assert.Contains("64 generated images", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("id=\"fig-generated\"", File.ReadAllText(Path.Combine(models.Vae, RunReport.FileName)), StringComparison.Ordinal);

        using var dir = new TempDir();
        var again = CliRunner.Run("generate", "--model", models.Vae, "--count", "5", "--seed", "3", "--out", dir.File("five.png"));
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Equal((Side(5), Side(1)), PngSize(dir.File("five.png")));
    }

    [Fact]
    public void Generate_refuses_a_model_that_is_not_variational()
    {
        CliRunner.AssertOneLineError(CliRunner.Run("generate", "--model", models.Vanilla), 1, "generating needs a model whose codes follow a prior");
        Assert.False(File.Exists(Path.Combine(models.Vanilla, "generated.png")));
    }

    [Fact]
    public void Interpolate_draws_one_row_from_item_i_to_item_j()
    {
        var r = CliRunner.Run("interpolate", "--model", models.Vae, "--data", SharedData.Mnist, "--from", "0", "--to", "1", "--steps", "7");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("7 images from item 0 (label 7) to item 1 (label 2) of mnist-test", r.Stdout, StringComparison.Ordinal);
        Assert.Equal((Side(7), Side(1)), PngSize(Path.Combine(models.Vae, "interpolation.png")));
        Assert.Contains("id=\"fig-interpolation\"", File.ReadAllText(Path.Combine(models.Vae, RunReport.FileName)), StringComparison.Ordinal);
    }

    [Fact]
    public void Denoise_prints_psnr_and_ssim_before_and_after_and_draws_three_rows()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("denoise", "--model", models.Vanilla, "--data", SharedData.Mnist, "--noise", "mask", "--noise-level", "0.25", "--limit", "300", "--count", "6", "--out", dir.File("d.png"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("Noise: mask, level 0.25 (seed 42), on 300 images of mnist-test", r.Stdout, StringComparison.Ordinal);
        var noisy = Regex.Match(r.Stdout, @"noisy vs clean: +mean PSNR ([0-9.]+) dB, mean SSIM (0\.[0-9]{4})");
        var denoised = Regex.Match(r.Stdout, @"denoised vs clean: mean PSNR ([0-9.]+) dB, mean SSIM (0\.[0-9]{4})");
        Assert.True(noisy.Success && denoised.Success, r.Stdout);
        Assert.InRange(double.Parse(noisy.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 5, 40);
        Assert.Equal((Side(6), Side(3)), PngSize(dir.File("d.png")));
        // The same seed gives the same figures.
        var again = CliRunner.Run("denoise", "--model", models.Vanilla, "--data", SharedData.Mnist, "--noise", "mask", "--noise-level", "0.25", "--limit", "300", "--count", "6", "--out", dir.File("d2.png"));
        Assert.Equal(r.Stdout.Split('\n').Where(l => l.Contains("vs clean", StringComparison.Ordinal)), again.Stdout.Split('\n').Where(l => l.Contains("vs clean", StringComparison.Ordinal)));
    }

    [Fact]
    public void Embed_prints_knn_accuracies_and_writes_the_latent_map_into_the_report()
    {
        var r = CliRunner.Run("embed", "--model", models.Vanilla, "--data", SharedData.Mnist, "--limit", "1000");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var line = Regex.Match(r.Stdout, @"kNN accuracy on codes: (0\.[0-9]{4}|1\.0000); on PCA-20 of the inputs: (0\.[0-9]{4}|1\.0000)");
        Assert.True(line.Success, r.Stdout);
        // Even one epoch on 512 images separates digits far better than chance.
        Assert.InRange(double.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 0.5, 1.0);
        Assert.InRange(double.Parse(line.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), 0.8, 1.0);
        Assert.Contains("1000 test items of mnist-test against 1000 training items", r.Stdout, StringComparison.Ordinal);
        string map = Path.Combine(models.Vanilla, "latent_map");
        Assert.Equal((LatentMap.Width, LatentMap.Height), PngSize(map + ".png"));
        Assert.Contains("<svg", File.ReadAllText(map + ".svg"), StringComparison.Ordinal);
        Assert.Contains("id=\"fig-latent\"", File.ReadAllText(Path.Combine(models.Vanilla, RunReport.FileName)), StringComparison.Ordinal);
    }

    [Fact]
    public void Codes_that_do_not_fit_the_model_are_one_clear_error()
    {
        using var dir = new TempDir();
        NpyFile.Write(dir.File("small.npy"), new float[6], 2, 3);
        CliRunner.AssertOneLineError(CliRunner.Run("decode", "--model", models.Vanilla, "--codes", dir.File("small.npy"), "--out", dir.File("x.png")), 1,
            "the codes have 3 values each but the model's code has 20");
        Assert.False(File.Exists(dir.File("x.png")));
    }

    [Theory]
    [InlineData(1, "no such codes file", "decode", "--codes", "{dir}/missing.npy", "--out", "{dir}/x.png")]
    [InlineData(1, "must end in .csv, .npy or .npz", "encode", "--data", "{mnist}", "--out", "{dir}/codes.txt")]
    [InlineData(2, "--out must name a .png file", "reconstruct", "--data", "{mnist}", "--out", "{dir}/grid.jpg")]
    [InlineData(2, "--count must be at least 1", "reconstruct", "--data", "{mnist}", "--count", "0", "--out", "{dir}/grid.png")]
    [InlineData(1, "item 20000 (--to) does not exist; there are 10000 items", "interpolate", "--data", "{mnist}", "--from", "0", "--to", "20000")]
    [InlineData(2, "--steps must be at least 2", "interpolate", "--data", "{mnist}", "--from", "0", "--to", "1", "--steps", "1")]
    [InlineData(2, "--noise must be one of gaussian, mask, salt-and-pepper", "denoise", "--data", "{mnist}", "--noise", "speckle")]
    [InlineData(2, "--noise-level must be a positive number", "denoise", "--data", "{mnist}", "--noise-level", "-1")]
    [InlineData(2, "--split must be one of test, train", "encode", "--data", "{mnist}", "--split", "validation", "--out", "{dir}/c.csv")]
    [InlineData(2, "Option '--out' is required", "encode", "--data", "{mnist}")]
    public void Bad_input_is_one_clear_error(int exitCode, string message, string command, params string[] rest)
    {
        using var dir = new TempDir();
        var args = new List<string> { command, "--model", models.Vanilla };
        args.AddRange(rest.Select(a => a.Replace("{dir}", dir.Path, StringComparison.Ordinal).Replace("{mnist}", SharedData.Mnist, StringComparison.Ordinal)));
        CliRunner.AssertOneLineError(CliRunner.Run([.. args]), exitCode, message);
    }

    [Fact]
    public void A_model_that_does_not_exist_is_one_clear_error()
    {
        using var dir = new TempDir();
        foreach (var command in new[] { "encode", "reconstruct", "embed", "denoise", "generate" })
        {
            var r = CliRunner.Run(command, "--model", dir.File("nowhere"), "--out", dir.File("x.png"));
            Assert.Equal(1, r.ExitCode);
            Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_command_explains_itself_with_an_example()
    {
        foreach (var command in new[] { "encode", "decode", "reconstruct", "generate", "interpolate", "denoise", "embed" })
        {
            var r = CliRunner.Run(command, "--help");
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("Example", r.Stdout, StringComparison.Ordinal);
            Assert.Contains($"bottleneck {command} --model", r.Stdout, StringComparison.Ordinal);
            Assert.Contains("../shared/datasets/mnist", r.Stdout, StringComparison.Ordinal);
        }
    }
}
