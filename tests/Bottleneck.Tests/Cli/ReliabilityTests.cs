using System.Text.Json.Nodes;
using Bottleneck.IO;
using Bottleneck.Reports;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Cli;

/// <summary>
/// The failures a new user found by trying broken files, huge options, concurrent runs and
/// resumes (issue 16), each run as the CLI process: one clear line, a non-zero exit, and no
/// half-written run folder.
/// </summary>
public class ReliabilityTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static string Csv(TempDir dir, string name, int rows)
    {
        var lines = new List<string> { "a,b,c" };
        for (int i = 0; i < rows; i++) lines.Add($"{i},{i * 0.5},{10 - i}");
        File.WriteAllLines(dir.File(name), lines);
        return dir.File(name);
    }

    /// <summary>An .npy file of float32 with the given shape (values 0, 1, 2, ...).</summary>
    private static string Npy(TempDir dir, string name, int[] shape)
    {
        string shapeText = shape.Length switch { 0 => "()", 1 => $"({shape[0]},)", _ => $"({string.Join(", ", shape)})" };
        string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shapeText}, }}";
        header = header.PadRight(64 - 11) + "\n";
        int count = shape.Aggregate(1, (a, b) => a * b);
        using var file = File.Create(dir.File(name));
        file.Write([0x93, .. "NUMPY"u8, 1, 0, (byte)header.Length, 0]);
        file.Write(System.Text.Encoding.ASCII.GetBytes(header));
        for (int i = 0; i < count; i++) file.Write(BitConverter.GetBytes((float)i));
        return dir.File(name);
    }

    /// <summary>A finished one-epoch run on a 50-row table: (the table, the run folder).</summary>
    private static (string Data, string Run) TrainedTableRun(TempDir dir)
    {
        string data = Csv(dir, "data.csv", 50), run = dir.File("run");
        ExpectSuccess(CliRunner.Run(Minute, "train", "--data", data, "--out", run, "--epochs", "1"));
        return (data, run);
    }

    private static CliRunner.Result ExpectSuccess(CliRunner.Result r)
    {
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r;
    }

    /// <summary>Refused with one line and exit <paramref name="exitCode"/>, leaving no run folder.</summary>
    private static void RefusedWithoutRunFolder(string run, int exitCode, string message, params string[] args)
    {
        CliRunner.AssertOneLineError(CliRunner.Run(Minute, ["train", "--out", run, "--epochs", "1", .. args]), exitCode, message);
        Assert.False(Directory.Exists(run), $"{run} was left behind");
    }

    [Fact]
    public void Empty_test_splits_are_refused_before_anything_is_written()
    {
        using var dir = new TempDir();
        string run = dir.File("run");
        RefusedWithoutRunFolder(run, 1, "1 row is too few to hold a tenth out", "--data", Csv(dir, "one.csv", 1));
        RefusedWithoutRunFolder(run, 1, "1 row is too few to hold a tenth out", "--data", Npy(dir, "one.npy", [1, 3]));
        RefusedWithoutRunFolder(run, 1, "1 row is too few to hold a tenth out", "--data", Npy(dir, "scalar.npy", []));
        RefusedWithoutRunFolder(run, 1, "holds no rows to train on", "--data", Npy(dir, "none.npy", [0, 3]));
        RefusedWithoutRunFolder(run, 1, "header but no data rows", "--data", Csv(dir, "many.csv", 50), "--test-data", Csv(dir, "header.csv", 0));
        string images = SmallMnist.Write(dir.File("no-test-images"), trainCount: 64, testCount: 0);
        RefusedWithoutRunFolder(run, 1, "its test images file holds no images", "--data", images);

        // The same data with a test part trains, and its metrics hold numbers, not infinities.
        ExpectSuccess(CliRunner.Run(Minute, "train", "--out", run, "--epochs", "1", "--data", Csv(dir, "two.csv", 2), "--test-data", Csv(dir, "test.csv", 1)));
        Assert.True(JsonNode.Parse(File.ReadAllText(Path.Combine(run, "model.json")))!["metrics"]!["test_loss"]!.GetValue<double>() >= 0);
    }

    [Fact]
    public void Models_too_large_for_memory_name_the_option_and_the_size()
    {
        using var dir = new TempDir();
        string data = Csv(dir, "data.csv", 50), run = dir.File("run");
        RefusedWithoutRunFolder(run, 2, "--hidden is too large: hidden width 2,000,000,000 needs a weight of", "--data", data, "--hidden", "2000000000");
        RefusedWithoutRunFolder(run, 2, "--latent is too large: latent size 2,000,000,000", "--data", data, "--latent", "2000000000");
        // Each weight fits in an array, but the ~11 billion parameters with their gradients and
        // Adam's moments (176 GB) not in memory (ModelSizeTests checks the sum with a set budget).
        RefusedWithoutRunFolder(run, 2, "to train (weights, gradients and Adam's two moments)", "--data", SharedData.Mnist, "--hidden", "2000000,1000,2000000");

        // A model.json edited (or corrupted) to such a width is refused by the commands that load it.
        ExpectSuccess(CliRunner.Run(Minute, "train", "--data", data, "--out", run, "--epochs", "1"));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "model.json")))!;
        json["model"]!["hidden"] = new JsonArray(2_000_000_000);
        File.WriteAllText(Path.Combine(run, "model.json"), json.ToJsonString());
        CliRunner.AssertOneLineError(CliRunner.Run(Minute, "encode", "--model", run, "--data", data, "--out", dir.File("codes.csv")), 1,
            "the model is too large: hidden width 2,000,000,000");
        Assert.False(File.Exists(dir.File("codes.csv")));
    }

    [Fact]
    public void Thread_counts_beyond_the_limit_are_refused()
    {
        using var dir = new TempDir();
        string data = Csv(dir, "data.csv", 50), run = dir.File("run");
        RefusedWithoutRunFolder(run, 2, $"--threads must be 1 to {Bottleneck.Tensors.EngineOptions.MaxThreads}", "--data", data, "--threads", "10000");
        CliRunner.AssertOneLineError(CliRunner.Run(Minute, "bench", "anomaly", "--suite", "adbench", "--data", dir.Path, "--threads", "10000"), 2, "--threads must be 1 to");
    }

    [Fact]
    public void A_run_folder_held_by_another_training_is_refused_and_a_stale_lock_is_taken_over()
    {
        using var dir = new TempDir();
        string data = Csv(dir, "data.csv", 50), run = dir.File("run");
        using (RunFolderLock.Acquire(run))
        {
            CliRunner.AssertOneLineError(CliRunner.Run(Minute, "train", "--data", data, "--out", run, "--epochs", "1"), 1,
                "another training is writing into this run folder");
            Assert.Equal([RunFolderLock.FileName], Directory.GetFileSystemEntries(run).Select(Path.GetFileName));
        }
        // What a killed training leaves: the lock file, but no process holding its lock.
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, RunFolderLock.FileName), "999999\n");
        ExpectSuccess(CliRunner.Run(Minute, "train", "--data", data, "--out", run, "--epochs", "1"));
        Assert.False(File.Exists(Path.Combine(run, RunFolderLock.FileName)), "the lock is released at exit");

        // Released on a failed exit too: a diverging run.
        string failed = dir.File("failed");
        var diverged = CliRunner.Run(Minute, "train", "--data", data, "--out", failed, "--epochs", "5", "--lr", "1e30");
        Assert.NotEqual(0, diverged.ExitCode);
        Assert.False(File.Exists(Path.Combine(failed, RunFolderLock.FileName)));
    }

    [Fact]
    public void Two_trainings_started_at_once_into_one_folder_let_exactly_one_write_it()
    {
        using var dir = new TempDir();
        string data = Csv(dir, "data.csv", 200), run = dir.File("run");
        string[] args = ["train", "--data", data, "--out", run, "--epochs", "30", "--threads", "1"];
        using var first = CliRunner.Start(args);
        using var second = CliRunner.Start(args);
        var outputs = new[] { first, second }.Select(p => (Process: p, Stdout: p.StandardOutput.ReadToEndAsync(), Stderr: p.StandardError.ReadToEndAsync())).ToArray();
        foreach (var o in outputs) Assert.True(o.Process.WaitForExit(Minute), "a training did not finish");
        var results = outputs.Select(o => new CliRunner.Result(o.Process.ExitCode, o.Stdout.Result, o.Stderr.Result)).ToArray();
        var winner = Assert.Single(results, r => r.ExitCode == 0);
        var loser = Assert.Single(results, r => r.ExitCode != 0);
        // Refused either at the lock (both started on an empty folder) or, if the first had already
        // written, by the not-empty check; never a silent overwrite.
        string line = CliRunner.AssertOneLineError(loser, loser.ExitCode, run);
        Assert.True(line.Contains("another training is writing", StringComparison.Ordinal) || line.Contains("not empty", StringComparison.Ordinal), line);
        Assert.Equal(31, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length);
        Assert.Contains("Done in", winner.Stdout);
    }

    [Fact]
    public void Resume_uses_the_data_the_run_was_trained_on()
    {
        using var dir = new TempDir();
        // A folder that the lookup by name would never find: the resumed run must read this one.
        string images = SmallMnist.Write(dir.File("some-images"), trainCount: 256, testCount: 64);
        string run = dir.File("run");
        ExpectSuccess(CliRunner.Run(Minute, "train", "--data", images, "--out", run, "--epochs", "1", "--hidden", "32"));
        var resumed = ExpectSuccess(CliRunner.Run(Minute, "train", "--resume", run, "--epochs", "2"));
        Assert.Contains("256 train / 64 test items", resumed.Stdout);
        Assert.Contains("Resuming after epoch 1", resumed.Stdout);
        Assert.Equal(Path.GetFullPath(images),
            JsonNode.Parse(File.ReadAllText(Path.Combine(run, "model.json")))!["run"]!["data_path"]!.GetValue<string>());

        // A table with its label column and a separate test file: all recorded, none given again.
        string table = Csv(dir, "table.csv", 60), test = Csv(dir, "table-test.csv", 10), tableRun = dir.File("table-run");
        ExpectSuccess(CliRunner.Run(Minute, "train", "--data", table, "--test-data", test, "--label-column", "c", "--out", tableRun, "--epochs", "1"));
        var tableResumed = ExpectSuccess(CliRunner.Run(Minute, "train", "--resume", tableRun, "--epochs", "2"));
        Assert.Contains("60 train / 10 test items", tableResumed.Stdout);

        // Data that has gone away is named, with the way out.
        Directory.Move(images, dir.File("moved"));
        CliRunner.AssertOneLineError(CliRunner.Run(Minute, "train", "--resume", run, "--epochs", "3"), 1,
            $"the run was trained on {Path.GetFullPath(images)}, which is no longer there; give its data with --data");
        ExpectSuccess(CliRunner.Run(Minute, "train", "--resume", run, "--epochs", "3", "--data", dir.File("moved")));
    }

    [Fact]
    public void Broken_model_files_and_gzip_junk_give_one_line()
    {
        using var dir = new TempDir();
        var (data, run) = TrainedTableRun(dir);

        // model.json lost: the checkpoint carries the run's settings, so resume rebuilds it...
        File.Delete(Path.Combine(run, "model.json"));
        ExpectSuccess(CliRunner.Run(Minute, "train", "--resume", run, "--epochs", "2"));
        Assert.True(File.Exists(Path.Combine(run, "model.json")));
        // ...and the commands that need it name it.
        File.Delete(Path.Combine(run, "model.json"));
        CliRunner.AssertOneLineError(CliRunner.Run(Minute, "encode", "--model", run, "--data", data, "--out", dir.File("c.csv")), 1, "model.json: missing");

        // An unknown normalization type is refused, not applied as something else.
        ExpectSuccess(CliRunner.Run(Minute, "train", "--resume", run, "--epochs", "3"));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "model.json")))!;
        json["normalization"]!["type"] = "zscore";
        File.WriteAllText(Path.Combine(run, "model.json"), json.ToJsonString());
        CliRunner.AssertOneLineError(CliRunner.Run(Minute, "encode", "--model", run, "--data", data, "--out", dir.File("c.csv")), 1,
            "unknown normalization type 'zscore'; choose one of scale, none, minmax, standard");

        // A gzip file with bytes after its end is corrupt, whatever the decompressor makes of it.
        string images = dir.File("images");
        Directory.CreateDirectory(images);
        foreach (var file in Directory.GetFiles(SharedData.Mnist, "t*-idx*"))
            File.Copy(file, Path.Combine(images, Path.GetFileName(file)));
        string labels = Path.Combine(images, Bottleneck.Data.Mnist.TrainLabels + ".gz");
        File.AppendAllText(labels, "a,b\n1,2\n");
        CliRunner.AssertOneLineError(CliRunner.Run(Minute, "train", "--data", images, "--out", dir.File("gz-run"), "--epochs", "1"), 1,
            "has bytes after the end of its gzip data");
        Assert.False(Directory.Exists(dir.File("gz-run")));
    }

    [Fact]
    public void Temporary_files_of_killed_writers_are_cleaned_by_the_next_run()
    {
        using var dir = new TempDir();
        var (data, run) = TrainedTableRun(dir);
        string leftover = Path.Combine(run, "model.safetensors.tmp-0123456789ab");
        string unrelated = Path.Combine(run, "notes.tmp-mine.txt");
        File.WriteAllText(leftover, "half");
        File.WriteAllText(unrelated, "a user's own file");
        ExpectSuccess(CliRunner.Run(Minute, "train", "--resume", run, "--epochs", "2"));
        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(unrelated), "only names of the form NAME.tmp-<12 hex digits> are ours");
        Assert.True(AtomicFile.IsTempName("model.json.tmp-00ff00ff00ff"));
        Assert.False(AtomicFile.IsTempName(".tmp-00ff00ff00ff"));
        Assert.False(AtomicFile.IsTempName("model.json.tmp-00FF00FF00FF"));
    }
}
