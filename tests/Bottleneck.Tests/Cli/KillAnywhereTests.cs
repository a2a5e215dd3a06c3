using System.Text.Json.Nodes;
using Bottleneck.Formats;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Cli;

/// <summary>
/// A training killed (SIGKILL) at every point where it writes a file, halfway through each write
/// and just after each one, then resumed (or, before its first checkpoint, started again), ends
/// with the same run folder as a training that was never interrupted: the same weights,
/// checkpoint, metrics, pictures and model.json, bit for bit (timings aside), and nothing left over.
/// </summary>
public class KillAnywhereTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    // A VAE, so that every kind of per-epoch file (samples too) is written; small enough to run dozens of times.
    private static readonly string[] Settings = ["--kind", "vae", "--hidden", "64", "--epochs", "2", "--batch-size", "64", "--threads", "1", "--seed", "3"];

    private static Dictionary<string, string?> CrashAt(string value) => new() { [CrashPointVariable] = value };

    private const string CrashPointVariable = "BOTTLENECK_CRASH_AT";

    [Fact]
    public void Killed_at_every_file_write_then_resumed_ends_bit_for_bit_on_the_uninterrupted_run()
    {
        using var dir = new TempDir();
        string data = SmallMnist.Write(dir.File("data"), trainCount: 256, testCount: 64);
        string whole = dir.File("whole");
        string[] train = ["train", "--data", data, .. Settings];

        // The uninterrupted run, listing its crash points as it passes them.
        var listed = CliRunner.Run(Limit, CrashAt("list"), [.. train, "--out", whole]);
        Assert.True(listed.ExitCode == 0, listed.Stderr);
        var points = listed.Stderr.Split('\n').Where(l => l.StartsWith("crash point ", StringComparison.Ordinal)).ToArray();
        // Per epoch: checkpoint, metrics, loss curve, reconstructions, samples, weights, model.json;
        // at the end: weights and model.json again, training scores, report. Two points per file.
        foreach (string file in new[] { "checkpoint.safetensors", "metrics.csv", "loss_curve.png", "reconstruction_1.png", "samples_2.png", "model.safetensors", "model.json", "report.html" })
        {
            Assert.Contains(points, p => p.EndsWith($": writing {file}", StringComparison.Ordinal));
            Assert.Contains(points, p => p.EndsWith($": wrote {file}", StringComparison.Ordinal));
        }
        Assert.True(points.Length >= 2 * (2 * 7 + 4), string.Join('\n', points));

        for (int n = 1; n <= points.Length; n++)
        {
            string run = dir.File($"killed-at-{n}");
            var killed = CliRunner.Run(Limit, CrashAt(n.ToString(System.Globalization.CultureInfo.InvariantCulture)), [.. train, "--out", run]);
            Assert.True(killed.ExitCode != 0, $"not killed at {points[n - 1]}");

            CliRunner.Result finished;
            if (File.Exists(Path.Combine(run, "checkpoint.safetensors")))
            {
                finished = CliRunner.Run(Limit, "train", "--resume", run);
            }
            else
            {
                // Killed before the first checkpoint: nothing to resume, and the same command starts again.
                CliRunner.AssertOneLineError(CliRunner.Run(Limit, "train", "--resume", run), 1, "no checkpoint.safetensors to resume from");
                finished = CliRunner.Run(Limit, [.. train, "--out", run]);
            }
            Assert.True(finished.ExitCode == 0, $"after a kill at {points[n - 1]}: {finished.Stderr}");
            AssertSameRun(whole, run, points[n - 1]);
            Directory.Delete(run, recursive: true);
        }
    }

    private static void AssertSameRun(string expected, string actual, string point)
    {
        static string[] Names(string folder) => Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.True(Names(expected).SequenceEqual(Names(actual)), $"{point}: files [{string.Join(", ", Names(actual))}], expected [{string.Join(", ", Names(expected))}]");
        foreach (string name in Names(expected))
        {
            string a = Path.Combine(expected, name), b = Path.Combine(actual, name);
            switch (name)
            {
                case "checkpoint.safetensors":
                    // Its metadata holds timings; the tensors (weights, Adam's moments) must match.
                    var x = SafeTensorsFile.Read(a);
                    var y = SafeTensorsFile.Read(b);
                    Assert.Equal(x.Names, y.Names);
                    foreach (string tensor in x.Names)
                        Assert.True(x.Tensors[tensor].Span.SequenceEqual(y.Tensors[tensor].Span), $"{point}: checkpoint tensor {tensor} differs");
                    break;
                case "metrics.csv":
                    Assert.True(WithoutSeconds(a).SequenceEqual(WithoutSeconds(b)), $"{point}: metrics.csv differs\n{File.ReadAllText(b)}\nexpected\n{File.ReadAllText(a)}");
                    break;
                case "model.json":
                    Assert.True(ModelJsonWithoutSeconds(a) == ModelJsonWithoutSeconds(b), $"{point}: model.json differs");
                    break;
                case "report.html":
                    break; // shows the timings
                default:
                    Assert.True(File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b)), $"{point}: {name} differs");
                    break;
            }
        }
    }

    /// <summary>metrics.csv without its seconds column (wall-clock time differs from run to run).</summary>
    private static string[] WithoutSeconds(string path)
    {
        var rows = File.ReadAllLines(path).Select(l => l.Split(',')).ToArray();
        int seconds = Array.IndexOf(rows[0], "seconds");
        Assert.True(seconds >= 0);
        return rows.Select(r => string.Join(',', r.Where((_, i) => i != seconds))).ToArray();
    }

    private static string ModelJsonWithoutSeconds(string path)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        json["metrics"]!.AsObject().Remove("seconds");
        return json.ToJsonString();
    }
}
