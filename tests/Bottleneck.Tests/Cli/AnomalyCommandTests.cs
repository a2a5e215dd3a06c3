using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Cli;

/// <summary>Training on a table file, `bottleneck anomaly` and `bottleneck bench anomaly` as a user runs them.</summary>
public class AnomalyCommandTests
{
    private static string Glass => Path.Combine(SharedData.Root, "datasets", "adbench", "14_glass.npz");

    [Fact]
    public void A_model_trained_on_a_table_scores_it_with_a_percentile_or_best_f1_threshold()
    {
        using var dir = new TempDir();
        string run = dir.File("glass");
        var train = CliRunner.Run("train", "--data", Glass, "--epochs", "5", "--out", run, "--threads", "1");
        Assert.True(train.ExitCode == 0, train.Stderr);
        Assert.Contains("7-16-2", train.Stdout); // 7 features: the size-based default architecture
        Assert.True(File.Exists(Path.Combine(run, "training_scores.npy")));
        var json = Bottleneck.Models.ModelFile.ReadJson(Path.Combine(run, "model.json"));
        Assert.Equal(Bottleneck.Models.NormalizationKind.Standard, json.Normalization.Type);
        Assert.Equal(7, json.Normalization.Scales!.Length);

        var r = CliRunner.Run("anomaly", "--model", run, "--data", Glass, "--percentile", "95");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("the 95th percentile of the training items' scores", r.Stdout);
        Assert.Matches(@"reconstruction: ROC-AUC 0\.\d{4}, PR-AUC 0\.\d{4}; at the threshold precision", r.Stdout);
        var csv = File.ReadAllLines(Path.Combine(run, "anomaly_scores.csv"));
        Assert.Equal("index,score,label,flagged", csv[0]);
        Assert.Equal(215, csv.Length);
        Assert.Equal(9, csv.Skip(1).Count(l => l.Split(',')[2] == "1")); // glass has 9 anomalies
        Assert.True(File.Exists(Path.Combine(run, "roc_curve.png")));
        Assert.True(File.Exists(Path.Combine(run, "anomaly_scores.png")));
        Assert.Contains("fig-roc", File.ReadAllText(Path.Combine(run, "report.html")));

        var f1 = CliRunner.Run("anomaly", "--model", run, "--data", Glass, "--best-f1", "--out", dir.File("s.csv"));
        Assert.True(f1.ExitCode == 0, f1.Stderr);
        Assert.Contains("best F1 on the labels", f1.Stdout);

        var bad = CliRunner.Run("anomaly", "--model", run, "--data", Glass, "--percentile", "120");
        Assert.Equal(2, bad.ExitCode);
        Assert.Single(bad.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void The_benchmark_prints_a_line_per_dataset_and_the_mean()
    {
        var r = CliRunner.Run("bench", "anomaly", "--suite", "adbench", "--data", Path.Combine(SharedData.Root, "datasets", "adbench"),
            "--only", "glass", "--seeds", "0", "--ensemble", "1", "--epochs", "2", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("14_glass", lines[0]);
        Assert.Matches(@"^mean ROC-AUC: [01]\.\d{4} over 1 datasets$", lines[^1].TrimEnd());
    }

    [Theory]
    [InlineData("--trim", "1")]
    [InlineData("--trim", "-0.1")]
    [InlineData("--trim", "NaN")]
    [InlineData("--score", "likelihood")]
    public void Nonsense_benchmark_settings_get_one_error_line(string option, string value)
    {
        var r = CliRunner.Run("bench", "anomaly", "--suite", "adbench", "--data", Path.Combine(SharedData.Root, "datasets", "adbench"),
            "--only", "glass", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(option, r.Stderr);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
