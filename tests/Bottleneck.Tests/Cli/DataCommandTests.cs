using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Cli;

/// <summary>`bottleneck data dsprites` as a user runs it, and training on what it writes.</summary>
public class DataCommandTests
{
    // 3 × 2 × 2 × 4 × 4 = 192 images, 19 of them in the test part.
    private static readonly string[] Small = ["--scales", "2", "--orientations", "2", "--positions", "4"];

    private static CliRunner.Result WriteSet(string folder, params string[] extra) =>
        CliRunner.Run(["data", "dsprites", "--out", folder, .. Small, .. extra]);

    [Fact]
    public void Writes_the_folder_and_says_what_is_in_it()
    {
        using var dir = new TempDir();
        string folder = dir.File("dsprites");
        var r = WriteSet(folder);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("", r.Stderr);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("dsprites-train: 173 images of 32×32", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("dsprites-test: 19 images of 32×32", lines[1], StringComparison.Ordinal);
        Assert.Contains(folder, lines[2], StringComparison.Ordinal);

        Assert.Equal(DSprites.FileNames.Order(), Directory.GetFiles(folder).Select(p => Path.GetFileName(p)).Order());
        var (train, test) = DSprites.Load(folder);
        Assert.Equal((173, 19, 1024), (train.Count, test.Count, train.FeatureCount));
        Assert.Equal(new[] { 3, 2, 2, 4, 4 }, train.Factors!.Levels);

        var big = CliRunner.Run("data", "dsprites", "--out", dir.File("big"), "--size", "64", "--positions", "3", "--scales", "2", "--orientations", "3", "--test-fraction", "0.5", "--seed", "1");
        Assert.True(big.ExitCode == 0, big.Stderr);
        Assert.Contains("dsprites-test: 81 images of 64×64", big.Stdout, StringComparison.Ordinal);
        Assert.Equal(new[] { 1, 64, 64 }, DSprites.Load(dir.File("big")).Train.SampleShape);
    }

    [Fact]
    public void Refuses_a_folder_holding_a_set_without_force()
    {
        using var dir = new TempDir();
        string folder = dir.File("d");
        Assert.Equal(0, WriteSet(folder).ExitCode);
        string labels = Path.Combine(folder, Mnist.TrainLabels);
        byte[] before = File.ReadAllBytes(labels);

        var again = WriteSet(folder, "--seed", "9");
        CliRunner.AssertOneLineError(again, 2, "--force");
        Assert.Contains(Mnist.TrainImages, again.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(labels));

        var forced = WriteSet(folder, "--seed", "9", "--force");
        Assert.True(forced.ExitCode == 0, forced.Stderr);
        Assert.NotEqual(before, File.ReadAllBytes(labels));
        Assert.Equal(DSprites.FileNames.Count, Directory.GetFiles(folder).Length);
    }

    [Theory]
    [InlineData("--size 48", "--size must be 32 or 64, got 48")]
    [InlineData("--scales 1", "--scales must be 2 to 64, got 1")]
    [InlineData("--positions 33", "--positions must be 2 to 32, got 33")]
    [InlineData("--orientations 1000", "--orientations must be 2 to 360, got 1000")]
    [InlineData("--test-fraction 1", "--test-fraction must be between 0 and 1")]
    [InlineData("--test-fraction 0.00001", "leaves the test part empty")]
    [InlineData("--size 64 --scales 64 --orientations 360 --positions 64", "MiB of pixels")]
    public void Bad_options_give_one_usage_error_and_write_nothing(string options, string message)
    {
        using var dir = new TempDir();
        string folder = dir.File("d");
        var r = CliRunner.Run(["data", "dsprites", "--out", folder, .. options.Split(' ')]);
        CliRunner.AssertOneLineError(r, 2, message);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Trains_a_dense_vae_on_a_generated_set_and_the_model_finds_it_again()
    {
        using var dir = new TempDir();
        string folder = dir.File("dsprites");
        Assert.Equal(0, WriteSet(folder).ExitCode);
        string run = dir.File("run");
        var r = CliRunner.Run("train", "--dataset", "dsprites", "--data", folder, "--kind", "vae", "--epochs", "1", "--limit", "512", "--out", run, "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("on dsprites: 173 train / 19 test items", r.Stdout, StringComparison.Ordinal);

        var (model, json) = ModelFile.Load(run);
        Assert.Equal(1024, model.Config.InputSize);
        Assert.Equal(new[] { 1, 32, 32 }, model.Config.InputShape);
        Assert.Equal("dsprites", json.Run!.Dataset);
        Assert.Equal(Path.GetFullPath(folder), json.Run.DataPath);

        // Applied later, the model finds its data set as train does: here through $BOTTLENECK_DATA/dsprites.
        string codes = dir.File("codes.csv");
        var env = new Dictionary<string, string?> { ["BOTTLENECK_DATA"] = dir.Path };
        var encoded = CliRunner.Run(TimeSpan.FromMinutes(3), env, "encode", "--model", run, "--out", codes);
        Assert.True(encoded.ExitCode == 0, encoded.Stderr);
        Assert.Equal(20, File.ReadLines(codes).Count()); // a header and the 19 test items
    }

    [Fact]
    public void A_conv_model_trains_on_32_by_32_sprites()
    {
        using var dir = new TempDir();
        string folder = dir.File("dsprites");
        Assert.Equal(0, WriteSet(folder).ExitCode);
        string run = dir.File("run");
        var r = CliRunner.Run("train", "--dataset", "dsprites", "--data", folder, "--kind", "conv", "--epochs", "1", "--out", run, "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("1x32x32 conv", r.Stdout, StringComparison.Ordinal);
        Assert.Equal(new[] { 1, 32, 32 }, ModelFile.Load(run).Model.Config.InputShape);
    }

    [Fact]
    public void Without_the_files_the_error_says_how_to_make_them()
    {
        using var dir = new TempDir();
        var env = new Dictionary<string, string?> { ["XDG_CACHE_HOME"] = dir.File("cache") };
        var r = CliRunner.Run(TimeSpan.FromMinutes(1), env, "train", "--dataset", "dsprites", "--epochs", "1", "--out", dir.File("run"));
        CliRunner.AssertOneLineError(r, 1, "bottleneck data dsprites --out DIR");

        // A folder of MNIST's four files is not a dSprites set: the factors are missing.
        string mnist = dir.File("mnist");
        Directory.CreateDirectory(mnist);
        foreach (string name in new[] { Mnist.TrainImages, Mnist.TrainLabels, Mnist.TestImages, Mnist.TestLabels }) File.WriteAllBytes(Path.Combine(mnist, name), [0]);
        var notSprites = CliRunner.Run("train", "--dataset", "dsprites", "--data", mnist, "--epochs", "1", "--out", dir.File("run"));
        string line = CliRunner.AssertOneLineError(notSprites, 1, DSprites.TrainFactors);
        Assert.Contains(DSprites.DescriptionName, line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("run")));
    }
}
