using System.Globalization;
using Bottleneck.Data;
using Bottleneck.Formats;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Cli;

/// <summary>A tiny vanilla model trained once through the CLI, shared by the compress tests.</summary>
public sealed class TinyRunFixture : IDisposable
{
    private readonly TempDir dir = new();

    public TinyRunFixture()
    {
        Run = dir.File("run");
        var r = CliRunner.Run("train", "--data", SharedData.Mnist, "--limit", "512", "--epochs", "1", "--threads", "1", "--out", Run);
        if (r.ExitCode != 0) throw new InvalidOperationException($"training the test model failed: {r.Stderr}");
    }

    public string Run { get; }

    public void Dispose() => dir.Dispose();
}

/// <summary>`bottleneck compress` and `bottleneck decompress` as a user runs them.</summary>
public class CompressCommandTests(TinyRunFixture fixture) : IClassFixture<TinyRunFixture>
{
    private static string[] OneLine(CliRunner.Result r)
    {
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("bottleneck: error: ", lines[0]);
        Assert.DoesNotContain("   at ", r.Stderr);
        return lines;
    }

    private CliRunner.Result Compress(string output, params string[] more) =>
        CliRunner.Run(["compress", "--model", fixture.Run, "--data", SharedData.Mnist, "--limit", "200", "--out", output, .. more]);

    [Fact]
    public void Compress_writes_the_codes_with_labels_and_reports_size_and_quality_beside_png()
    {
        using var dir = new TempDir();
        string bnc = dir.File("test.bnc");
        var r = Compress(bnc);
        Assert.True(r.ExitCode == 0, r.Stderr);
        long size = CodeFile.SizeFor(200, 20, 8, labels: true);
        Assert.Equal(size, new FileInfo(bnc).Length);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"file: {size:N0} bytes, {size / 200.0:F2} bytes per image"), r.Stdout);
        Assert.Matches(@"decompressed vs original: PSNR [0-9.]+ dB, SSIM 0\.[0-9]{4}", r.Stdout);
        Assert.Matches(@"PNG \(lossless, one file per image\): [0-9,]+ bytes, [0-9.]+ bytes per image; raw 8-bit: 784 bytes per image", r.Stdout);

        var file = CodeFile.Read(bnc);
        Assert.Equal(8, file.Bits);
        Assert.Equal(CodeFile.ModelIdOf(Path.Combine(fixture.Run, "model.safetensors")), file.ModelId);
        var (_, test) = Mnist.Load(SharedData.Mnist);
        Assert.Equal(test.Labels![..200], file.Labels);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(16)]
    public void Compress_without_labels_has_the_size_of_its_bits(int bits)
    {
        using var dir = new TempDir();
        string bnc = dir.File("test.bnc");
        var r = Compress(bnc, "--bits", bits.ToString(CultureInfo.InvariantCulture), "--no-labels");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(CodeFile.SizeFor(200, 20, bits, labels: false), new FileInfo(bnc).Length);
        Assert.Null(CodeFile.Read(bnc).Labels);
    }

    [Fact]
    public void Decompress_writes_every_item_as_npy_and_a_grid_of_the_first_ones_as_png()
    {
        using var dir = new TempDir();
        string bnc = dir.File("test.bnc");
        Assert.Equal(0, Compress(bnc).ExitCode);

        var npy = CliRunner.Run("decompress", "--model", fixture.Run, "--in", bnc, "--out", dir.File("all.npy"));
        Assert.True(npy.ExitCode == 0, npy.Stderr);
        var array = NpyFile.Read(dir.File("all.npy"));
        Assert.Equal(new[] { 200, 784 }, array.Shape);
        Assert.All(array.ToSingles(), v => Assert.InRange(v, 0f, 1f)); // sigmoid output

        var png = CliRunner.Run("decompress", "--model", Path.Combine(fixture.Run, "model.safetensors"), "--in", bnc, "--out", dir.File("first.png"), "--count", "16");
        Assert.True(png.ExitCode == 0, png.Stderr);
        Assert.Contains("drew the first 16", png.Stdout);
        var grid = PngDecoder.Read(dir.File("first.png"));
        Assert.Equal((8 * 30 + 2, 2 * 30 + 2), (grid.Width, grid.Height)); // 8 a row, 2-pixel padding, like save_image
    }

    [Fact]
    public void Codes_from_another_model_are_refused_in_one_line()
    {
        using var dir = new TempDir();
        string bnc = dir.File("test.bnc");
        Assert.Equal(0, Compress(bnc).ExitCode);
        // Another model: the same run with one weight changed in its lowest mantissa bits.
        string other = dir.File("other");
        Directory.CreateDirectory(other);
        foreach (string name in new[] { "model.json", "model.safetensors" }) File.Copy(Path.Combine(fixture.Run, name), Path.Combine(other, name));
        var weights = File.ReadAllBytes(Path.Combine(other, "model.safetensors"));
        weights[^4] ^= 1;
        File.WriteAllBytes(Path.Combine(other, "model.safetensors"), weights);

        var r = CliRunner.Run("decompress", "--model", other, "--in", bnc, "--out", dir.File("x.png"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("decompress with the model that compressed them", OneLine(r)[0]);
        Assert.False(File.Exists(dir.File("x.png")));
    }

    [Fact]
    public void A_corrupt_or_missing_code_file_is_one_clear_error()
    {
        using var dir = new TempDir();
        string bnc = dir.File("test.bnc");
        Assert.Equal(0, Compress(bnc).ExitCode);
        var bytes = File.ReadAllBytes(bnc);
        bytes[100] ^= 0x10;
        File.WriteAllBytes(bnc, bytes);
        var corrupt = CliRunner.Run("decompress", "--model", fixture.Run, "--in", bnc, "--out", dir.File("x.npy"));
        Assert.Equal(1, corrupt.ExitCode);
        Assert.Contains("checksum does not match", OneLine(corrupt)[0]);

        File.WriteAllBytes(bnc, bytes[..60]);
        var truncated = CliRunner.Run("decompress", "--model", fixture.Run, "--in", bnc, "--out", dir.File("x.npy"));
        Assert.Equal(1, truncated.ExitCode);
        Assert.Contains("truncated", OneLine(truncated)[0]);

        var missing = CliRunner.Run("decompress", "--model", fixture.Run, "--in", dir.File("none.bnc"), "--out", dir.File("x.npy"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("none.bnc", OneLine(missing)[0]);
        Assert.False(File.Exists(dir.File("x.npy")));
    }

    [Theory]
    [InlineData("compress", "--bits", "12", "--bits must be 4, 8 or 16")]
    [InlineData("compress", "--limit", "0", "--limit must be at least 1")]
    [InlineData("decompress", "--out", "images.jpg", "--out must end in .png")]
    [InlineData("decompress", "--count", "0", "--count must be at least 1")]
    public void Bad_options_are_one_usage_error(string command, string option, string value, string message)
    {
        using var dir = new TempDir();
        string[] args = command == "compress"
            ? ["compress", "--model", fixture.Run, "--out", dir.File("x.bnc"), option, value]
            : ["decompress", "--model", fixture.Run, "--in", dir.File("x.bnc"), option, value];
        if (command == "decompress" && option != "--out") args = [.. args, "--out", dir.File("x.png")];
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, OneLine(r)[0]);
    }

    [Fact]
    public void A_missing_model_is_one_clear_error()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("compress", "--model", dir.File("nope"), "--data", SharedData.Mnist, "--out", dir.File("x.bnc"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no such model file", OneLine(r)[0]);
        Assert.False(File.Exists(dir.File("x.bnc")));
    }
}
