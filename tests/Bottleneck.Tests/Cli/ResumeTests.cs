using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Cli;

/// <summary>
/// A run killed with SIGKILL in the middle of epoch 3 and resumed from its folder ends with the
/// same bytes as a run that was never interrupted.
/// </summary>
public class ResumeTests
{
    // 100 batches per epoch: long enough that a kill right after epoch 3's first batch lands inside it.
    private static readonly string[] Settings = ["--limit", "12800", "--epochs", "4", "--threads", "2", "--seed", "5"];

    [Fact]
    public void Killed_mid_epoch_then_resumed_gives_byte_identical_weights()
    {
        using var dir = new TempDir();
        string whole = dir.File("whole"), killed = dir.File("killed");

        var reference = CliRunner.Run(["train", "--data", SharedData.Mnist, "--out", whole, .. Settings]);
        Assert.True(reference.ExitCode == 0, reference.Stderr);

        using (var process = CliRunner.Start(["train", "--data", SharedData.Mnist, "--out", killed, .. Settings]))
        {
            // The tutorial's progress line for batch 0 of epoch 3 is printed once that batch is done.
            string? line;
            while ((line = process.StandardOutput.ReadLine()) is not null && !line.StartsWith("Train Epoch: 3 ", StringComparison.Ordinal)) { }
            Assert.NotNull(line);
            process.Kill(); // SIGKILL on Unix: no chance to clean up
            process.WaitForExit();
        }
        Assert.Equal("2", System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(killed, "model.json")))
            .RootElement.GetProperty("run").GetProperty("epochs_done").ToString());

        var resumed = CliRunner.Run("train", "--resume", killed, "--data", SharedData.Mnist);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("Resuming after epoch 2", resumed.Stdout);
        Assert.DoesNotContain("Epoch: 2 Average", resumed.Stdout);

        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "model.safetensors")), File.ReadAllBytes(Path.Combine(killed, "model.safetensors")));
        // The checkpoints hold the same optimizer state too (their metadata differs only in timings).
        var a = Formats.SafeTensorsFile.Read(Path.Combine(whole, "checkpoint.safetensors"));
        var b = Formats.SafeTensorsFile.Read(Path.Combine(killed, "checkpoint.safetensors"));
        Assert.Equal(a.Names, b.Names);
        foreach (var name in a.Names)
            Assert.True(a.Tensors[name].Span.SequenceEqual(b.Tensors[name].Span), name);
        Assert.Equal(5, File.ReadAllLines(Path.Combine(killed, "metrics.csv")).Length);
        Assert.Empty(Directory.GetFiles(killed, "*.tmp-*"));
    }

    [Fact]
    public void Resume_refuses_changed_settings_and_missing_checkpoints()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("train", "--resume", dir.Path, "--data", SharedData.Mnist);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("checkpoint.safetensors", r.Stderr);

        var changed = CliRunner.Run("train", "--resume", dir.Path, "--lr", "0.1");
        Assert.Equal(2, changed.ExitCode);
        Assert.Contains("--lr cannot be combined with --resume", changed.Stderr);
    }
}
