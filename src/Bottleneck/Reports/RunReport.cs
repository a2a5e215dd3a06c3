using System.Globalization;
using Bottleneck.Models;
using Bottleneck.Training;

namespace Bottleneck.Reports;

/// <summary>
/// report.html for a run folder: what the model is, how it trained (per-epoch table and loss
/// curve), and every picture the run and the later commands left in the folder
/// (reconstructions, samples, the latent map, anomaly scores and ROC curve). It reads only
/// files, so `bottleneck report RUN` can rebuild it at any time.
/// </summary>
public static class RunReport
{
    public const string FileName = "report.html";

    /// <summary>The figures a run folder may hold, in page order: file stem, id, caption.</summary>
    public static readonly IReadOnlyList<(string Stem, string Id, string Caption)> KnownFigures =
    [
        ("loss_curve", "fig-loss", "Loss per epoch (train and test)"),
        (Seq2SeqRunFolder.ExactMatchStem, "fig-exact-match", "Share of the test sequences that greedy decoding writes back exactly, per epoch"),
        ("reconstruction", "fig-reconstruction", "Test items and their reconstructions after the last epoch (images: originals on top; windows of a series: the reconstruction dashed)"),
        ("samples", "fig-samples", "Samples: codes drawn from N(0, I), decoded"),
        (RunFolder.GeneratedStem, "fig-generated", "Generated images"),
        (RunFolder.TraversalStem, "fig-traversal", "Latent traversal: row d sweeps code dimension d of the first test item (±3 for codes with a N(0, I) prior, else over the test codes' range), the others held"),
        (RunFolder.InterpolationStem, "fig-interpolation", "Interpolation between two inputs in the latent space"),
        (RunFolder.DenoisedStem, "fig-denoised", "Clean, corrupted and denoised test images"),
        (RunFolder.LatentMapStem, "fig-latent", "The latent space: test codes coloured by label"),
        (RunFolder.AnomalyHistogramStem, "fig-anomaly-scores", "Anomaly scores of normal and anomalous items, with the threshold"),
        (RunFolder.RocCurveStem, "fig-roc", "ROC curve of the anomaly scores"),
        (SequenceFigures.AttentionStem, "fig-attention", "Self-attention of the encoder on test windows (averaged over heads; row t: the weights step t gives each step)"),
        (RunFolder.SeriesStem, "fig-series", "The time series (scaled variables), labelled anomalous steps marked"),
        (RunFolder.StepScoresStem, "fig-step-scores", "Anomaly score of every time step, with the threshold and the labelled anomalous steps"),
    ];

    /// <summary>Builds and writes report.html in <paramref name="runDirectory"/>; returns its path.</summary>
    public static string Write(string runDirectory)
    {
        if (!Directory.Exists(runDirectory)) throw new BottleneckException($"{runDirectory}: no such run folder");
        string jsonPath = Path.Combine(runDirectory, ModelFile.JsonName);
        if (!File.Exists(jsonPath)) throw new BottleneckException($"{runDirectory}: not a run folder (no {ModelFile.JsonName})");
        var json = ModelFile.ReadJson(jsonPath);
        var report = new HtmlReport($"Bottleneck run: {json.Kind.Name()} autoencoder" + (json.Run is { } r ? $" on {r.Dataset}" : ""));
        report.AddFacts("Model", ModelFacts(json));
        if (json.Training is { } training && json.Run is { } run) report.AddFacts("Training", TrainingFacts(training, run));
        if (json.Metrics is { } metrics) report.AddFacts("Results", ResultFacts(metrics));

        string metricsPath = Path.Combine(runDirectory, RunFolder.MetricsName);
        if (File.Exists(metricsPath) && ReadCsv(metricsPath) is { Count: > 1 } rows)
            report.AddTable("Per-epoch losses (per item)", rows[0], rows.Skip(1).Select(r => r.Length == rows[0].Length ? r : Pad(r, rows[0].Length)).ToArray());

        string byLength = Path.Combine(runDirectory, Seq2SeqRunFolder.AccuracyByLengthName);
        if (File.Exists(byLength) && ReadCsv(byLength) is { Count: > 1 } lengthRows)
            report.AddTable("Test sequences written back exactly, by length", lengthRows[0], lengthRows.Skip(1).ToArray());

        foreach (var (stem, id, caption) in KnownFigures)
            if (LatestFigure(runDirectory, stem) is { } file)
                report.AddFigureFile(id, caption, file);

        string path = Path.Combine(runDirectory, FileName);
        report.Save(path);
        return path;
    }

    /// <summary>stem.png, stem.svg, or the highest-numbered stem_E.png (per-epoch pictures).</summary>
    private static string? LatestFigure(string directory, string stem)
    {
        foreach (var ext in new[] { ".png", ".svg" })
        {
            string plain = Path.Combine(directory, stem + ext);
            if (File.Exists(plain)) return plain;
        }
        return Directory.EnumerateFiles(directory, stem + "_*.png")
            .Select(f => (File: f, Epoch: int.TryParse(Path.GetFileNameWithoutExtension(f)[(stem.Length + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int e) ? e : -1))
            .Where(x => x.Epoch >= 0)
            .OrderByDescending(x => x.Epoch)
            .Select(x => x.File)
            .FirstOrDefault();
    }

    private static IEnumerable<(string, string)> ModelFacts(ModelJson json)
    {
        yield return ("Kind", json.Kind.Name());
        if (json.Text is { } text)
        {
            yield return ("Vocabulary", $"{text.Vocabulary.Count} characters");
            yield return ("Embedding, GRU, code", $"{text.Embedding}, {text.Hidden}, {text.Latent}");
            yield return ("Longest sequence", $"{text.MaxLength} characters");
            yield return ("Loss", "cross-entropy of each next character");
        }
        if (json.Model is { } c)
        {
            yield return ("Input", c.InputShape is { } shape ? $"{c.InputSize} values ({string.Join("×", shape)})" : $"{c.InputSize} values");
            if (c.IsConvolutional) yield return ("Convolutions", $"channels {string.Join(", ", c.Channels)}, kernel {c.Kernel}, stride 2");
            if (c.Hidden.Length > 0) yield return ("Hidden layers", string.Join(", ", c.Hidden));
            yield return ("Code size", c.Latent.ToString(CultureInfo.InvariantCulture));
            yield return ("Activations", $"hidden {string.Join(",", c.Activation.Select(NamedEnum.Name))}, code {c.LatentActivation.Name()}, output {c.OutputActivation.Name()}");
            if (c.BatchNorm) yield return ("Batch normalisation", "yes");
            if (c.Dropout > 0) yield return ("Dropout", Format(c.Dropout));
            yield return ("Loss", c.Loss.Name().ToUpperInvariant() + " (summed over an item's values)");
            foreach (var fact in ObjectiveFacts(c)) yield return fact;
        }
        yield return ("Input normalisation", json.Normalization.Description ?? json.Normalization.Type.Name());
    }

    /// <summary>The settings of what the kind adds to reconstruction (its corruption, penalty or prior).</summary>
    private static IEnumerable<(string, string)> ObjectiveFacts(AutoencoderConfig c)
    {
        switch (c.Kind)
        {
            case ModelKind.Denoising:
                yield return ("Corruption", $"{c.Noise.Name()}, level {Format(c.NoiseLevel)}");
                break;
            case ModelKind.Sparse:
                yield return ("Sparsity", $"{c.Sparsity.Name()}, weight {Format(c.SparsityWeight)}" + (c.Sparsity == SparsityKind.Kl ? $", target {Format(c.SparsityTarget)}" : ""));
                break;
            case ModelKind.Contractive:
                yield return ("Contractive weight λ", Format(c.ContractiveWeight));
                break;
            case ModelKind.Vae or ModelKind.BetaVae:
                yield return ("KL weight β", Format(c.Beta));
                break;
            case ModelKind.InfoVae:
                yield return ("KL weight β", Format(c.Beta));
                yield return ("MMD weight λ", Format(c.MmdWeight));
                break;
            case ModelKind.FactorVae:
                yield return ("TC weight γ", Format(c.TcWeight));
                break;
            case ModelKind.TcVae:
                yield return ("TC weight β", Format(c.TcWeight));
                break;
            case ModelKind.Aae:
                yield return ("Prior", c.Prior.Name() + (c.Prior is PriorKind.Mixture or PriorKind.Categorical ? $" of {c.PriorComponents} components" : "")
                    + (c.AdversarialPhases ? ", in phases" : $", adversarial weight λ {Format(c.AdversarialWeight)}"));
                break;
        }
    }

    private static IEnumerable<(string, string)> TrainingFacts(FitOptions t, RunJson run)
    {
        yield return ("Dataset", run.Limit is int limit ? $"{run.Dataset} (first {limit} training items)" : run.Dataset);
        yield return ("Epochs", $"{run.EpochsDone} of {t.Epochs}");
        yield return ("Optimizer", $"{t.Optimizer.Name()}, learning rate {Format(t.LearningRate)}"
            + (t.LrSchedule != LrScheduleKind.Constant ? $" ({t.LrSchedule.Name()} schedule)" : "")
            + (t.WeightDecay > 0 ? $", weight decay {Format(t.WeightDecay)}" : "")
            + (t.ClipNorm is double clip ? $", gradient norm clipped at {Format(clip)}" : ""));
        yield return ("Batch size", t.BatchSize.ToString(CultureInfo.InvariantCulture) + (t.GroupByLength ? ", sequences of one length" : ""));
        yield return ("Seed, threads", $"{t.Seed}, {run.Threads}");
    }

    private static IEnumerable<(string, string)> ResultFacts(MetricsJson m)
    {
        if (m.TrainLoss is { } train) yield return ("Train loss (last epoch)", Format(train));
        if (m.TestLoss is { } test) yield return ("Test loss", Format(test));
        if (m.TestReconstruction is { } rec) yield return ("Test reconstruction loss", Format(rec));
        if (m.TestPenalty is { } pen) yield return ("Test penalty", Format(pen));
        if (m.TestExactMatch is { } exact) yield return ("Test sequences written back exactly", Format(exact));
        if (m.Seconds is { } s) yield return ("Training time", $"{s:F1} s");
        foreach (var (name, value) in m.Diagnostics ?? []) yield return (name.Replace('_', ' '), Format(value));
    }

    private static string Format(double? v) => v is double d ? d.ToString("G6", CultureInfo.InvariantCulture) : "";

    /// <summary>The CSV's cells, with long decimals (metrics.csv keeps full precision) shortened to 4 places.</summary>
    private static List<string[]> ReadCsv(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => l.Split(',').Select(Shorten).ToArray()).ToList();

    private static string Shorten(string cell) =>
        cell.Contains('.') && double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v.ToString("F4", CultureInfo.InvariantCulture)
            : cell;

    private static string[] Pad(string[] row, int width) => row.Concat(Enumerable.Repeat("", Math.Max(0, width - row.Length))).Take(width).ToArray();
}
