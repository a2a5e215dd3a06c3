using Bottleneck.Formats;
using Bottleneck.Models;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Cli;

/// <summary>`bottleneck train` as a user runs it: run folder contents, bad input, overwrite protection.</summary>
public class TrainCommandTests
{
    private static string Mnist => SharedData.Mnist;

    [Fact]
    public void A_short_run_writes_the_whole_run_folder()
    {
        using var dir = new TempDir();
        string run = dir.File("run");
        var r = CliRunner.Run("train", "--data", Mnist, "--limit", "512", "--epochs", "2", "--out", run, "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("Train Epoch: 1 [0/512 (0%)]\tLoss: ", r.Stdout);
        Assert.Contains("====> Epoch: 2 Average training loss: ", r.Stdout);
        Assert.Contains("====> Test set loss: ", r.Stdout);

        var weights = SafeTensorsFile.Read(Path.Combine(run, "model.safetensors"));
        Assert.Equal(["encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "encoder.2.bias", "decoder.0.weight", "decoder.0.bias", "decoder.2.weight", "decoder.2.bias"], weights.Names);
        Assert.Equal([400, 784], weights.Tensors["encoder.0.weight"].Shape.ToArray());
        Assert.Equal([784, 400], weights.Tensors["decoder.2.weight"].Shape.ToArray());

        var (model, json) = ModelFile.Load(run);
        Assert.Equal(2, json.Run!.EpochsDone);
        Assert.Equal(20, model.Config.Latent);

        var metrics = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        Assert.Equal("epoch,train_loss,test_loss,seconds", metrics[0]);
        Assert.Equal(3, metrics.Length);

        // 8 originals over 8 reconstructions, 28×28 with 2-pixel padding: 8·30+2 by 2·30+2.
        var grid = PngDecoder.Read(Path.Combine(run, "reconstruction_2.png"));
        Assert.Equal((242, 62), (grid.Width, grid.Height));
        Assert.True(File.Exists(Path.Combine(run, "reconstruction_1.png")));
        var curve = PngDecoder.Read(Path.Combine(run, "loss_curve.png"));
        Assert.True(curve.Width > 100 && curve.Height > 100);
        Assert.Empty(Directory.GetFiles(run, "*.tmp-*"));
    }

    [Fact]
    public void Clipping_and_the_cosine_schedule_apply_to_any_kind_and_model_json_records_them()
    {
        using var dir = new TempDir();
        string run = dir.File("run");
        var r = CliRunner.Run("train", "--data", Mnist, "--limit", "256", "--epochs", "2", "--clip-norm", "2.5", "--lr-schedule", "cosine", "--out", run, "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("Adam lr 0.001 with cosine decay, gradient norm clipped at 2.5", r.Stdout);
        var (_, json) = ModelFile.Load(run);
        Assert.Equal((2.5, Bottleneck.Training.LrScheduleKind.Cosine), (json.Training!.ClipNorm, json.Training.LrSchedule));
        // Both change the weights: the run is not the plain one.
        string plain = dir.File("plain");
        Assert.Equal(0, CliRunner.Run("train", "--data", Mnist, "--limit", "256", "--epochs", "2", "--out", plain, "--threads", "1").ExitCode);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(plain, "model.safetensors")), File.ReadAllBytes(Path.Combine(run, "model.safetensors")));
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--data", Mnist, "--limit", "64", "--epochs", "1", "--lr-schedule", "steep", "--out", dir.File("bad")), 2, "--lr-schedule");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--data", Mnist, "--limit", "64", "--epochs", "1", "--clip-norm", "-1", "--out", dir.File("bad")), 2, "--clip-norm");
    }

    [Fact]
    public void An_existing_model_is_not_overwritten_without_force()
    {
        using var dir = new TempDir();
        string run = dir.File("run");
        Assert.Equal(0, CliRunner.Run("train", "--data", Mnist, "--limit", "128", "--epochs", "1", "--out", run).ExitCode);
        byte[] before = File.ReadAllBytes(Path.Combine(run, "model.safetensors"));
        var again = CliRunner.Run("train", "--data", Mnist, "--limit", "128", "--epochs", "1", "--seed", "7", "--out", run);
        CliRunner.AssertOneLineError(again, 2, "--force");
        Assert.Contains("not empty", again.Stderr);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(run, "model.safetensors")));
        Assert.Equal(0, CliRunner.Run("train", "--data", Mnist, "--limit", "128", "--epochs", "1", "--seed", "7", "--out", run, "--force").ExitCode);
        Assert.NotEqual(before, File.ReadAllBytes(Path.Combine(run, "model.safetensors")));
    }

    [Theory]
    [InlineData("--epochs", "0", "--epochs must be at least 1")]
    [InlineData("--epochs", "-3", "--epochs must be at least 1")]
    [InlineData("--batch-size", "0", "--batch-size must be at least 1")]
    [InlineData("--lr", "NaN", "--lr must be a positive number")]
    [InlineData("--lr", "-0.1", "--lr must be a positive number")]
    [InlineData("--lr", "fast", "fast")]
    [InlineData("--hidden", "400,,20", "--hidden takes positive layer sizes")]
    [InlineData("--hidden", "0", "--hidden takes positive layer sizes")]
    [InlineData("--latent", "0", "--latent must be at least 1")]
    [InlineData("--loss", "hinge", "--loss must be one of bce, mse")]
    [InlineData("--kind", "banana", "--kind must be one of")]
    [InlineData("--activation", "swish", "--activation must be one of")]
    [InlineData("--threads", "0", "--threads must be 1 to")]
    [InlineData("--bogus", "1", "--bogus")]
    public void Nonsense_options_give_one_clear_line(string option, string value, string message)
    {
        var r = CliRunner.Run("train", "--data", Mnist, option, value, "--out", Path.Combine(Path.GetTempPath(), "never-written-" + Guid.NewGuid().ToString("N")));
        CliRunner.AssertOneLineError(r, 2, message);
    }

    [Fact]
    public void A_folder_without_mnist_names_the_missing_files()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("train", "--data", dir.Path, "--out", dir.File("run"));
        CliRunner.AssertOneLineError(r, 1, "train-images-idx3-ubyte");
        Assert.False(Directory.Exists(dir.File("run")));
    }

    [Fact]
    public void A_truncated_idx_file_is_one_clear_line()
    {
        using var dir = new TempDir();
        foreach (var f in Directory.GetFiles(Mnist)) File.Copy(f, dir.File(Path.GetFileName(f)));
        string images = dir.File("t10k-images-idx3-ubyte.gz");
        var bytes = File.ReadAllBytes(images);
        File.WriteAllBytes(images, bytes[..(bytes.Length / 2)]);
        var r = CliRunner.Run("train", "--data", dir.Path, "--out", dir.File("run"));
        CliRunner.AssertOneLineError(r, 1, "t10k-images-idx3-ubyte");
    }

    [Fact]
    public void Init_weights_with_a_wrong_shape_are_rejected()
    {
        using var dir = new TempDir();
        string weights = dir.File("w.safetensors");
        SafeTensorsFile.Write(weights, [new("encoder.0.weight", new Bottleneck.Tensors.Tensor(3, 3))]);
        var r = CliRunner.Run("train", "--data", Mnist, "--init-weights", weights, "--out", dir.File("run"));
        CliRunner.AssertOneLineError(r, 1, "encoder.0.weight");
    }
}
