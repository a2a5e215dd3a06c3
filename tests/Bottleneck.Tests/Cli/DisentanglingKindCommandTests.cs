using Bottleneck.Models;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Cli;

/// <summary>factor-vae and tc-vae as a user runs them: their option, its refusals, and adversarial divergence stopping with one line.</summary>
public class DisentanglingKindCommandTests
{
    [Theory]
    [InlineData("factor-vae", "4")]
    [InlineData("tc-vae", "3")]
    public void A_disentangling_vae_keeps_its_tc_weight_and_generates(string kind, string weight)
    {
        using var dir = new TempDir();
        string run = dir.File(kind);
        var train = CliRunner.Run("train", "--kind", kind, "--tc-weight", weight, "--data", SharedData.Mnist, "--limit", "512", "--epochs", "1", "--threads", "1", "--out", run);
        Assert.True(train.ExitCode == 0, train.Stderr);
        Assert.Matches(@"====> Test set loss: [0-9.]+ \(reconstruction [0-9.]+ \+ penalty [0-9.]+\)", train.Stdout);
        var json = ModelFile.ReadJson(Path.Combine(run, ModelFile.JsonName));
        Assert.Equal(double.Parse(weight, System.Globalization.CultureInfo.InvariantCulture), json.Model!.TcWeight);
        Assert.Equal("epoch,train_loss,test_loss,seconds,test_reconstruction,test_kl+tc", File.ReadLines(Path.Combine(run, "metrics.csv")).First());
        var generate = CliRunner.Run("generate", "--model", run, "--count", "4", "--out", dir.File("g.png"));
        Assert.True(generate.ExitCode == 0, generate.Stderr);
    }

    [Fact]
    public void The_tc_weight_is_refused_where_it_does_not_apply_and_beta_is_refused_for_them()
    {
        using var dir = new TempDir();
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "beta-vae", "--tc-weight", "5", "--out", dir.File("a")), 2, "--tc-weight applies to --kind factor-vae or tc-vae, not beta-vae");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "tc-vae", "--beta", "5", "--out", dir.File("b")), 2, "--beta applies to --kind vae or beta-vae or info-vae, not tc-vae");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "factor-vae", "--tc-weight", "0", "--out", dir.File("c")), 2, "--tc-weight");
    }

    [Theory]
    [InlineData("aae")]
    [InlineData("factor-vae")]
    public void A_diverging_adversarial_run_stops_with_one_line(string kind)
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("train", "--kind", kind, "--lr", "1e30", "--data", SharedData.Mnist, "--limit", "512", "--epochs", "2", "--threads", "1", "--out", dir.File("run"));
        CliRunner.AssertOneLineError(r, 1, "training diverged");
        Assert.False(File.Exists(Path.Combine(dir.File("run"), ModelFile.JsonName)), "no model is saved from a diverged run");
    }
}
