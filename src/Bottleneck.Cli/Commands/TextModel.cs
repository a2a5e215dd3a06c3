using Bottleneck.Applications;
using Bottleneck.Data;
using Bottleneck.Formats;
using Bottleneck.IO;
using Bottleneck.Metrics;
using Bottleneck.Models;
using Bottleneck.Reports;
using Bottleneck.Training;

namespace Bottleneck.Cli.Commands;

/// <summary>
/// encode, decode, reconstruct and anomaly for a seq2seq model: its data is a text file of one
/// sequence per line (--data), checked against the model's vocabulary line by line.
/// </summary>
internal static class TextModel
{
    /// <summary>Whether --model names a seq2seq model (so the command takes the text path).</summary>
    public static bool Is(string modelPath) => Seq2SeqModelFile.IsSeq2Seq(modelPath);

    /// <summary>The model and the lines of --data as token ids (a character outside the vocabulary is an error naming its line).</summary>
    public static (Seq2SeqAutoencoder Model, string[] Lines, int[][] Sequences) Load(string modelPath, string? dataPath)
    {
        var (model, _) = Seq2SeqModelFile.Load(modelPath);
        string path = dataPath ?? throw new UsageException("a seq2seq model reads a text file of one sequence per line: give it with --data FILE");
        var lines = TextLines.Read(path);
        return (model, lines, model.Tokenize(lines, path));
    }

    public static int Encode(string modelPath, string? dataPath, string output)
    {
        LatentCodes.FormatOf(output);
        var (model, lines, sequences) = Load(modelPath, dataPath);
        var codes = model.Encode(sequences);
        var written = LatentCodes.Save(output, new CodeSet(codes.Buffer[..codes.Length], lines.Length, model.Config.Latent));
        Console.WriteLine(ApplyConsole.Invariant($"Wrote {string.Join(" and ", written)}: {lines.Length} codes of {model.Config.Latent} values"));
        return 0;
    }

    public static int Decode(string modelPath, string codesPath, string output, int? count)
    {
        if (!output.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"{output}: a seq2seq model decodes to text: give a .txt file (one sequence per line)");
        var (model, _) = Seq2SeqModelFile.Load(modelPath);
        var set = LatentCodes.Load(codesPath);
        if (set.Latent != model.Config.Latent)
            throw new BottleneckException($"{codesPath}: codes of {set.Latent} values but the model's code has {model.Config.Latent}");
        int n = count is int c ? Math.Min(c, set.Count) : set.Count;
        var texts = model.Decode(Tensors.Tensor.Wrap(set.Codes, n, set.Latent));
        AtomicFile.Write(output, s =>
        {
            using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            foreach (var t in texts) w.WriteLine(t);
        });
        Console.WriteLine(ApplyConsole.Invariant($"Wrote {output}: {n} decoded sequences"));
        return 0;
    }

    /// <summary>Every line beside what the model writes back from its code, with the exact-match rate overall and by length.</summary>
    public static int Reconstruct(string modelPath, string? dataPath, string output)
    {
        if (!output.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"{output}: a seq2seq model writes its reconstructions as a table: give a .csv file");
        var (model, lines, sequences) = Load(modelPath, dataPath);
        var evaluation = model.EvaluateText(sequences);
        CsvWriter.WriteFile(output, csv =>
        {
            csv.Row("text", "reconstruction", "exact");
            for (int i = 0; i < lines.Length; i++)
                csv.Field(lines[i]).Field(evaluation.Reconstructions[i]).Field(lines[i] == evaluation.Reconstructions[i] ? 1 : 0).EndRow();
        });
        foreach (var row in evaluation.ByLength)
            Console.WriteLine(ApplyConsole.Invariant($"  {row.Length,3} characters: {row.Correct,6} of {row.Count,6} ({row.Accuracy:P1})"));
        Console.WriteLine(ApplyConsole.Invariant($"Wrote {output}: {evaluation.ExactMatch:P2} of {lines.Length} sequences written back exactly"));
        return 0;
    }

    /// <summary>
    /// Scores each line by the model's loss on it (−log p of its characters, nats): text unlike the
    /// training text scores high. Flags those above a percentile of the training sequences' scores.
    /// </summary>
    public static int Anomaly(string modelPath, string? dataPath, double percentile, string? output)
    {
        var (model, lines, sequences) = Load(modelPath, dataPath);
        string directory = ModelFile.DirectoryOf(modelPath);
        string trainingScores = Path.Combine(directory, AnomalyScores.TrainingScoresName);
        if (!File.Exists(trainingScores))
            throw new BottleneckException($"{trainingScores}: missing, so no percentile threshold can be set; retrain with this version of bottleneck");
        double threshold = Thresholds.PercentileThreshold(NpyFile.Read(trainingScores).ToSingles(), percentile);
        var scores = model.SequenceLosses(sequences);
        int flagged = scores.Count(s => s >= threshold);
        Console.WriteLine(ApplyConsole.Invariant($"Scored {lines.Length} lines of {Path.GetFileName(dataPath)} with the seq2seq model: cross-entropy per sequence (nats)"));
        Console.WriteLine(ApplyConsole.Invariant($"Threshold {threshold:G6}: the {percentile}th percentile of the training sequences' scores"));
        Console.WriteLine(ApplyConsole.Invariant($"Flagged {flagged} of {lines.Length} lines ({(double)flagged / lines.Length:P2})"));
        string csv = output ?? Path.Combine(directory, "anomaly_scores.csv");
        CsvWriter.WriteFile(csv, w =>
        {
            w.Row("index", "text", "score", "flagged");
            for (int i = 0; i < lines.Length; i++) w.Field(i).Field(lines[i]).Field(scores[i]).Field(scores[i] >= threshold ? 1 : 0).EndRow();
        });
        Console.WriteLine($"Scores: {csv}");
        if (Directory.Exists(modelPath))
        {
            var histogram = new HistogramChart { Title = "Anomaly scores", XLabel = "cross-entropy per sequence (nats)", YLabel = "lines" };
            histogram.AddSeries("all lines", scores);
            histogram.AddThreshold(threshold);
            histogram.SavePng(Path.Combine(directory, RunFolder.AnomalyHistogramStem + ".png"));
            RunReport.Write(directory);
        }
        return 0;
    }
}
