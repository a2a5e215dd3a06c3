using System.Globalization;
using Bottleneck.Models;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Cli;

/// <summary>
/// The sequence kinds (lstm, gru, attention) as a user runs them: training on windows of a CSV
/// time series, then encode, anomaly (per window and per step) and the report; and the refusals.
/// </summary>
public class SequenceCommandTests
{
    private static readonly string[] MacroVariables = ["--features", "realgdp,realcons,realinv,unemp"];

    private static string Train(TempDir dir, string kind, params string[] extra)
    {
        string run = dir.File(kind);
        var r = CliRunner.Run(["train", "--kind", kind, "--data", SeriesData.Macrodata, .. MacroVariables,
            "--window", "16", "--stride", "2", "--hidden", "16", "--latent", "4", "--epochs", "2", "--threads", "1", "--out", run, .. extra]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("16 steps × 4 variables", r.Stdout);
        return run;
    }

    [SeriesTheory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("attention")]
    public void A_sequence_kind_trains_on_windows_of_a_real_series_and_scores_every_window_and_step(string kind)
    {
        using var dir = new TempDir();
        string run = kind == "attention" ? Train(dir, kind, "--heads", "2") : Train(dir, kind);
        var json = Bottleneck.Models.ModelFile.ReadJson(Path.Combine(run, "model.json"));
        Assert.Equal(kind, json.Kind.Name());
        Assert.Equal(16, json.Windows!.Length);
        Assert.Equal(["realgdp", "realcons", "realinv", "unemp"], json.Windows.Variables);
        Assert.Equal(64, json.Model!.InputSize);
        // The report's pictures: a test window over its reconstruction, and attention's maps.
        Assert.True(File.Exists(Path.Combine(run, "reconstruction_2.png")));
        Assert.Equal(kind == "attention", File.Exists(Path.Combine(run, "attention_maps.png")));

        var encode = CliRunner.Run("encode", "--model", run, "--data", SeriesData.Macrodata, "--out", dir.File("codes.npy"));
        Assert.True(encode.ExitCode == 0, encode.Stderr);
        // 203 rows, windows of 16 every 2 steps: 94 windows.
        Assert.Contains("94 codes of 4 values", encode.Stdout);

        var picture = CliRunner.Run("reconstruct", "--model", run, "--data", SeriesData.Macrodata, "--index", "93", "--out", dir.File("w.png"));
        Assert.True(picture.ExitCode == 0, picture.Stderr);
        Assert.True(new FileInfo(dir.File("w.png")).Length > 0);
        var beyond = CliRunner.Run("reconstruct", "--model", run, "--data", SeriesData.Macrodata, "--index", "94", "--out", dir.File("x.png"));
        Assert.NotEqual(0, beyond.ExitCode);
        Assert.Contains("no window 94; it has windows 0 to 93", beyond.Stderr);
        Assert.False(File.Exists(dir.File("x.png")));

        var anomaly = CliRunner.Run("anomaly", "--model", run, "--data", SeriesData.Macrodata);
        Assert.True(anomaly.ExitCode == 0, anomaly.Stderr);
        Assert.Contains("Scored 94 items", anomaly.Stdout);
        // The last window starts at row 187 and ends at row 202: row 203 lies in none.
        Assert.Contains("Per step: 202 of 203 steps lie in a window", anomaly.Stdout);
        var steps = File.ReadAllLines(Path.Combine(run, "anomaly_scores_steps.csv"));
        Assert.Equal("row,series,score,flagged", steps[0]);
        Assert.Equal(204, steps.Length);
        Assert.All(steps[1..^1], l => Assert.True(double.Parse(l.Split(',')[2], CultureInfo.InvariantCulture) >= 0));
        Assert.Equal("203,0,,0", steps[^1]);
        Assert.True(File.Exists(Path.Combine(run, "anomaly_steps.png")));
        Assert.Contains("fig-series", File.ReadAllText(Path.Combine(run, "report.html")));
    }

    [Fact]
    public void Per_step_labels_give_a_per_step_roc_auc()
    {
        using var dir = new TempDir();
        // Two sensors with a slow sine; a burst of spikes, labelled, in the second.
        var csv = new System.Text.StringBuilder("sensor,value,label\n");
        for (int s = 1; s <= 2; s++)
        {
            for (int t = 0; t < 120; t++)
            {
                bool spike = s == 2 && t is >= 60 and < 66;
                double v = Math.Sin(t / 6.0) + (spike ? 6 * (t % 2 == 0 ? 1 : -1) : 0);
                csv.Append(CultureInfo.InvariantCulture, $"{s},{v:F4},{(spike ? 1 : 0)}\n");
            }
        }
        string data = dir.File("sensors.csv");
        File.WriteAllText(data, csv.ToString());
        string run = dir.File("run");
        var train = CliRunner.Run("train", "--kind", "gru", "--data", data, "--group-column", "sensor", "--label-column", "label",
            "--window", "8", "--stride", "2", "--hidden", "8", "--latent", "2", "--epochs", "3", "--threads", "1", "--out", run);
        Assert.True(train.ExitCode == 0, train.Stderr);
        var r = CliRunner.Run("anomaly", "--model", run, "--data", data, "--label-column", "label", "--best-f1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Matches(@"\nreconstruction: ROC-AUC [01]\.\d{4}", r.Stdout);
        Assert.Matches(@"per-step reconstruction: ROC-AUC [01]\.\d{4}, PR-AUC [01]\.\d{4}; at the threshold", r.Stdout);
        Assert.Contains("best F1 on the step labels", r.Stdout);
        var steps = File.ReadAllLines(Path.Combine(run, "anomaly_scores_steps.csv"));
        Assert.Equal("row,series,score,label,flagged", steps[0]);
        Assert.Equal("121,1", string.Join(',', steps[121].Split(',')[..2])); // row 121 is the second sensor's first step
        Assert.Equal(6, steps.Skip(1).Count(l => l.Split(',')[3] == "1"));
    }

    [Theory]
    [InlineData("a window of 300 steps is longer than the series", "--window", "300")]
    [InlineData("give --window N", "--epochs", "1")]
    [InlineData("--heads", "--window", "8", "--heads", "2")]
    [InlineData("--stride", "--window", "8", "--stride", "0")]
    public void Nonsense_sequence_settings_get_one_error_line(string fragment, params string[] options)
    {
        using var dir = new TempDir();
        string data = dir.File("s.csv");
        File.WriteAllText(data, "a,b\n" + string.Concat(Enumerable.Range(0, 40).Select(i => $"{i},{40 - i}\n")));
        var r = CliRunner.Run(["train", "--kind", "lstm", "--data", data, "--out", dir.File("run"), .. options]);
        Assert.NotEqual(0, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(fragment, lines[0]);
        Assert.False(Directory.Exists(dir.File("run")) && Directory.EnumerateFileSystemEntries(dir.File("run")).Any());
    }

    [Fact]
    public void A_ragged_series_is_refused_with_one_line_and_a_window_model_exports()
    {
        using var dir = new TempDir();
        string data = dir.File("s.csv");
        File.WriteAllText(data, "a,b\n" + string.Concat(Enumerable.Range(0, 40).Select(i => i == 20 ? "20\n" : $"{i},{40 - i}\n")));
        var ragged = CliRunner.Run("train", "--kind", "gru", "--data", data, "--window", "4", "--out", dir.File("r"));
        Assert.NotEqual(0, ragged.ExitCode);
        Assert.Single(ragged.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("s.csv", ragged.Stderr);

        File.WriteAllText(data, "a,b\n" + string.Concat(Enumerable.Range(0, 40).Select(i => $"{i},{40 - i}\n")));
        string run = dir.File("run");
        var train = CliRunner.Run("train", "--kind", "lstm", "--data", data, "--window", "4", "--hidden", "4", "--latent", "2", "--epochs", "1", "--threads", "1", "--out", run);
        Assert.True(train.ExitCode == 0, train.Stderr);
        var export = CliRunner.Run("export", "--model", run, "--format", "onnx", "--out", dir.File("m.onnx"));
        Assert.True(export.ExitCode == 0, export.Stderr);
        Assert.Contains("input [batch, 8] raw windows of 4 steps × 2 variables", export.Stdout);
        Assert.True(new FileInfo(dir.File("m.onnx")).Length > 0);
    }
}
