using Bottleneck.Models;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Cli;

/// <summary>
/// The seq2seq kind as a user runs it on words of Debian's wamerican: train, then encode, decode,
/// reconstruct, anomaly and the report; and the refusals of bad text and of options that do not apply.
/// </summary>
public class Seq2SeqCommandTests
{
    private static string WriteWords(TempDir dir, string name, int count, int every)
    {
        string path = dir.File(name);
        File.WriteAllLines(path, WordsData.Sample(count, every));
        return path;
    }

    private static string Train(TempDir dir, string words, int epochs = 2)
    {
        string run = dir.File("run");
        var r = CliRunner.Run(["train", "--kind", "seq2seq", "--data", words, "--hidden", "32", "--latent", "8", "--embedding", "8",
            "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--threads", "1", "--out", run]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return run;
    }

    [WordsFact]
    public void Seq2seq_trains_on_words_and_encodes_decodes_reconstructs_scores_and_exports_them()
    {
        using var dir = new TempDir();
        string words = WriteWords(dir, "words.txt", 1500, 60);
        string run = Train(dir, words);

        var json = ModelFile.ReadJson(Path.Combine(run, "model.json"));
        Assert.Equal(ModelKind.Seq2Seq, json.Kind);
        var lines = File.ReadAllLines(words);
        Assert.Equal(lines.SelectMany(l => l.EnumerateRunes()).Distinct().Order().Select(r => r.ToString()), json.Text!.Vocabulary);
        Assert.Equal(8, json.Text!.Embedding);
        Assert.Equal(lines.Max(l => l.Length), json.Text!.MaxLength);
        Assert.Equal(2, json.Run!.EpochsDone);
        // One row per epoch, and the by-length table adds up to the held-out tenth.
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length);
        var byLength = File.ReadAllLines(Path.Combine(run, "accuracy_by_length.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal("all", byLength[^1][0]);
        Assert.Equal(lines.Length / 10, int.Parse(byLength[^1][1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(lines.Length / 10, byLength[..^1].Sum(r => int.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var file in new[] { "model.safetensors", "loss_curve.png", "exact_match.png", "test_reconstructions.csv", "training_scores.npy", "report.html" })
            Assert.True(File.Exists(Path.Combine(run, file)), file);
        Assert.Contains("by length", File.ReadAllText(Path.Combine(run, "report.html")));

        string some = dir.File("some.txt");
        File.WriteAllLines(some, lines.Take(20));
        var encode = CliRunner.Run("encode", "--model", run, "--data", some, "--out", dir.File("codes.csv"));
        Assert.True(encode.ExitCode == 0, encode.Stderr);
        Assert.Contains("20 codes of 8 values", encode.Stdout);
        var decode = CliRunner.Run("decode", "--model", run, "--codes", dir.File("codes.csv"), "--out", dir.File("decoded.txt"));
        Assert.True(decode.ExitCode == 0, decode.Stderr);
        var reconstruct = CliRunner.Run("reconstruct", "--model", run, "--data", some, "--out", dir.File("recon.csv"));
        Assert.True(reconstruct.ExitCode == 0, reconstruct.Stderr);
        // Decoding the saved codes gives what reconstruct writes back (codes in CSV keep full precision).
        var decoded = File.ReadAllLines(dir.File("decoded.txt"));
        var table = File.ReadAllLines(dir.File("recon.csv")).Skip(1).ToArray();
        Assert.Equal(20, decoded.Length);
        Assert.Equal(20, table.Length);
        for (int i = 0; i < 20; i++)
        {
            Assert.StartsWith(lines[i] + ",", table[i], StringComparison.Ordinal);
            Assert.Contains("," + decoded[i] + ",", table[i], StringComparison.Ordinal);
        }

        var anomaly = CliRunner.Run("anomaly", "--model", run, "--data", some, "--percentile", "50");
        Assert.True(anomaly.ExitCode == 0, anomaly.Stderr);
        Assert.Contains("the 50th percentile of the training sequences' scores", anomaly.Stdout);
        Assert.Equal(21, File.ReadAllLines(Path.Combine(run, "anomaly_scores.csv")).Length);

        var export = CliRunner.Run("export", "--model", run, "--out", dir.File("m.onnx"));
        Assert.True(export.ExitCode == 0, export.Stderr);
        Assert.Contains("input tokens [batch, time] int64 character ids", export.Stdout);
        Assert.True(new FileInfo(dir.File("m.onnx")).Length > 0);
    }

    [WordsFact]
    public void Seq2seq_refuses_bad_text_and_options_that_do_not_apply_with_one_line()
    {
        using var dir = new TempDir();
        string words = WriteWords(dir, "words.txt", 300, 300);
        string run = Train(dir, words, epochs: 1);

        string empty = dir.File("empty-line.txt");
        File.WriteAllText(empty, "cat\n\ndog\n");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "seq2seq", "--data", empty, "--out", dir.File("x")), 1, "empty-line.txt:2: empty line");
        Assert.False(Directory.Exists(dir.File("x")));
        CliRunner.AssertOneLineError(CliRunner.Run("encode", "--model", run, "--data", empty, "--out", dir.File("c.csv")), 1, "empty-line.txt:2: empty line");

        string foreign = dir.File("foreign.txt");
        File.WriteAllText(foreign, "a\nb€\n");
        CliRunner.AssertOneLineError(CliRunner.Run("encode", "--model", run, "--data", foreign, "--out", dir.File("c.csv")), 1,
            "foreign.txt:2: character '€' (U+20AC, character 2) is not in the model's vocabulary");
        Assert.False(File.Exists(dir.File("c.csv")));

        string binary = dir.File("binary.txt");
        File.WriteAllBytes(binary, [0x61, 0x0A, 0xFF, 0xFE, 0x0A]);
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "seq2seq", "--data", binary, "--out", dir.File("y")), 1, "binary.txt:2: not valid UTF-8 text");

        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "seq2seq", "--data", words, "--window", "4", "--out", dir.File("z")), 2, "--window does not apply to --kind seq2seq");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "seq2seq", "--data", words, "--hidden", "64,32", "--out", dir.File("z")), 2, "one hidden size");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "seq2seq", "--out", dir.File("z")), 2, "give it with --data FILE");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "vae", "--embedding", "8", "--out", dir.File("z")), 2, "--embedding applies to --kind seq2seq");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--resume", run), 2, "cannot be resumed yet");
        CliRunner.AssertOneLineError(CliRunner.Run("reconstruct", "--model", run, "--data", words, "--out", dir.File("r.png")), 2, "give a .csv file");
        CliRunner.AssertOneLineError(CliRunner.Run("reconstruct", "--model", run, "--data", words, "--split", "train", "--out", dir.File("r.csv")), 2, "--split does not apply to a seq2seq model");
        CliRunner.AssertOneLineError(CliRunner.Run("anomaly", "--model", run, "--data", words, "--best-f1"), 2, "need labels");
        CliRunner.AssertOneLineError(CliRunner.Run("embed", "--model", run, "--out", dir.File("e.png")), 1, "a seq2seq model of text");
    }
}
