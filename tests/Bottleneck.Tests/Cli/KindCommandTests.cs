using Bottleneck.Models;
using Bottleneck.Reports;
using Bottleneck.Tests.IO;
using Bottleneck.Tests.Reports;

namespace Bottleneck.Tests.Cli;

/// <summary>`bottleneck train --kind KIND` and `bottleneck report` as a user runs them.</summary>
public class KindCommandTests
{
    [Fact]
    public void A_vae_run_reports_its_loss_parts_and_writes_samples_and_a_report()
    {
        using var dir = new TempDir();
        string run = dir.File("vae");
        var r = CliRunner.Run("train", "--kind", "vae", "--data", SharedData.Mnist, "--limit", "512", "--epochs", "2", "--out", run, "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Matches(@"====> Test set loss: [0-9.]+ \(reconstruction [0-9.]+ \+ penalty [0-9.]+\)", r.Stdout);
        Assert.Equal("epoch,train_loss,test_loss,seconds,test_reconstruction,test_kl", File.ReadLines(Path.Combine(run, "metrics.csv")).First());
        Assert.True(File.Exists(Path.Combine(run, "samples_2.png")));
        // The traversal: a row of 9 steps for each of the 20 code dimensions, 28-pixel images padded by 2.
        var traversal = PngDecoder.Read(Path.Combine(run, "latent_traversal.png"));
        Assert.Equal((9 * 30 + 2, 20 * 30 + 2), (traversal.Width, traversal.Height));
        var json = ModelFile.ReadJson(Path.Combine(run, ModelFile.JsonName));
        Assert.Equal(1.0, json.Model!.Beta);
        Assert.True(json.Metrics!.TestPenalty > 0);

        string report = Path.Combine(run, RunReport.FileName);
        Assert.True(File.Exists(report));
        File.Delete(report);
        var again = CliRunner.Run("report", run);
        Assert.True(again.ExitCode == 0, again.Stderr);
        string html = File.ReadAllText(report);
        foreach (var id in new[] { "fig-loss", "fig-reconstruction", "fig-samples", "fig-traversal" }) Assert.Contains($"id=\"{id}\"", html);
    }

    [ChromiumFact]
    public void Every_figure_of_a_trained_runs_report_loads_in_headless_chromium()
    {
        using var dir = new TempDir();
        string run = dir.File("vae");
        var r = CliRunner.Run("train", "--kind", "vae", "--data", SharedData.Mnist, "--limit", "256", "--epochs", "1", "--out", run, "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        // Loss curve, reconstruction, samples and the latent traversal.
        string dom = Chromium.DumpDom(Path.Combine(run, RunReport.FileName), TimeSpan.FromSeconds(60));
        Assert.Equal("4/4", Chromium.MetaAttribute(dom, HtmlReport.FiguresLoadedMeta, "content"));
        Assert.Equal("", Chromium.MetaAttribute(dom, HtmlReport.FiguresLoadedMeta, "data-failed"));
    }

    [Theory]
    [InlineData("--beta", "2", "--beta applies to --kind vae or beta-vae or info-vae, not vanilla")]
    [InlineData("--noise", "mask", "--noise applies to --kind denoising, not vanilla")]
    [InlineData("--kind", "dense", "--kind must be one of vanilla, deep, conv")]
    [InlineData("--dropout", "1.5", "--dropout must be at least 0 and below 1")]
    [InlineData("--activation", "relu,swish", "--activation must be one of")]
    public void Options_that_do_not_fit_the_kind_are_one_clear_error(string option, string value, string message)
    {
        var r = CliRunner.Run("train", option, value, "--data", SharedData.Mnist, "--epochs", "1", "--limit", "10");
        Assert.Equal(2, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(message, lines[0]);
    }

    [Fact]
    public void The_old_train_model_option_still_names_the_kind_with_a_warning()
    {
        using var dir = new TempDir();
        var old = CliRunner.Run("train", "--model", "deep", "--data", SharedData.Mnist, "--epochs", "1", "--limit", "64", "--threads", "1", "--out", dir.File("old"));
        Assert.True(old.ExitCode == 0, old.Stderr);
        var warning = Assert.Single(old.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("bottleneck: warning: train --model is deprecated", warning, StringComparison.Ordinal);
        Assert.Equal(ModelKind.Deep, ModelFile.ReadJson(Path.Combine(dir.File("old"), ModelFile.JsonName)).Kind);

        var both = CliRunner.Run("train", "--model", "deep", "--kind", "vae", "--data", SharedData.Mnist, "--epochs", "1", "--limit", "64");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("bottleneck: error: --model is the old name of --kind: give --kind only", both.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Reporting_a_folder_that_is_not_a_run_is_one_clear_error()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("report", dir.Path);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not a run folder", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }
}
