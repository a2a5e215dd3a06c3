using System.CommandLine;
using System.Globalization;
using Bottleneck.Applications;
using Bottleneck.Formats;
using Bottleneck.Metrics;
using Bottleneck.Models;
using Bottleneck.Reports;

namespace Bottleneck.Cli.Commands;

/// <summary>
/// `bottleneck anomaly`: scores items by reconstruction error (a VAE also by negative ELBO), sets a
/// threshold (a percentile of the training items' scores, or the best F1 when labels exist),
/// reports ROC-AUC and PR-AUC when labels exist, and writes the scores as CSV.
/// </summary>
internal static class AnomalyCommand
{
    public static Command Create()
    {
        var shared = new ModelData();
        var percentile = new Option<double>("--percentile") { Description = "Threshold: this percentile of the training items' scores (kept in the run folder by train)", DefaultValueFactory = _ => 99 };
        var bestF1 = new Option<bool>("--best-f1") { Description = "Threshold: the one with the best F1 on the labels of --data (needs labels)" };
        var normalLabel = new Option<int?>("--normal-label") { Description = "Labels: this class is normal and every other class anomalous (default: labels are 0 normal, 1 anomalous)" };
        var output = new Option<string?>("--out") { Description = "Scores CSV (default RUN/anomaly_scores.csv)" };
        var command = new Command("anomaly", "Score items by how badly the model reconstructs them; flag those above a threshold.\n\nExamples:\n" +
            "  bottleneck train --data train.csv --label-column label --out runs/fraud\n" +
            "  bottleneck anomaly --model runs/fraud --data test.csv --label-column label\n" +
            "  bottleneck anomaly --model runs/tutorial --normal-label 0 --best-f1")
        {
            percentile, bestF1, normalLabel, output,
        };
        shared.AddTo(command);
        command.SetAction(parse =>
        {
            double p = parse.GetValue(percentile);
            if (!(p >= 0 && p <= 100)) throw new UsageException($"--percentile must be between 0 and 100, got {p.ToString(CultureInfo.InvariantCulture)}");
            if (shared.IsTextModel(parse))
            {
                if (parse.GetValue(bestF1) || parse.GetValue(normalLabel) is not null)
                    throw new UsageException("--best-f1 and --normal-label need labels, which a text file of sequences does not have; a seq2seq model's threshold is a --percentile of its training scores");
                return TextModel.Anomaly(parse.GetValue(shared.Model)!, parse.GetValue(shared.Data), p, parse.GetValue(output));
            }
            var (model, json, directory) = shared.LoadModel(parse);
            // A model of windows of a time series scores its windows and, through them, every step.
            var series = json.Windows is not null ? shared.LoadSeries(parse, json) : default;
            var data = json.Windows is not null ? series.Windows : shared.LoadData(parse, json);
            int[]? labels = data.Labels is { } raw ? Binary(raw, parse.GetValue(normalLabel), data.Name) : null;
            if (parse.GetValue(bestF1) && labels is null) throw new UsageException("--best-f1 needs labelled data (a label column, y in an .npz, or image labels)");

            var scores = AnomalyScores.ReconstructionErrors(model, data);
            var elbo = AnomalyScores.NegativeElbo(model, data);
            Console.WriteLine($"Scored {data.Count} items of {data.Name} with the {json.Kind.Name()} model: reconstruction {model.Config.Loss.Name().ToUpperInvariant()} per item" + (elbo is null ? "" : ", and negative ELBO"));

            double threshold;
            if (parse.GetValue(bestF1))
            {
                var choice = Thresholds.BestF1Threshold(scores, labels!);
                threshold = choice.Threshold;
                Console.WriteLine(ApplyConsole.Invariant($"Threshold {threshold:G6}: best F1 on the labels"));
            }
            else
            {
                string trainingScores = Path.Combine(directory, AnomalyScores.TrainingScoresName);
                if (!File.Exists(trainingScores))
                    throw new BottleneckException($"{trainingScores}: missing, so no percentile threshold can be set; retrain with this version of bottleneck, or use --best-f1 with labelled data");
                threshold = Thresholds.PercentileThreshold(NpyFile.Read(trainingScores).ToSingles(), p);
                Console.WriteLine(ApplyConsole.Invariant($"Threshold {threshold:G6}: the {p}th percentile of the training items' scores"));
            }
            int flagged = scores.Count(s => s >= threshold);
            Console.WriteLine(ApplyConsole.Invariant($"Flagged {flagged} of {data.Count} items ({(double)flagged / data.Count:P2})"));
            if (labels is not null)
            {
                Describe("reconstruction", scores, labels, threshold);
                if (elbo is not null) Describe("negative ELBO", elbo, labels, null);
            }

            string csv = parse.GetValue(output) ?? Path.Combine(directory, "anomaly_scores.csv");
            CsvWriter.WriteFile(csv, w =>
            {
                w.Row(new[] { "index", "score" }.Concat(elbo is null ? [] : ["negative_elbo"]).Concat(labels is null ? [] : ["label"]).Append("flagged"));
                for (int i = 0; i < scores.Length; i++)
                {
                    w.Field(i).Field(scores[i]);
                    if (elbo is not null) w.Field(elbo[i]);
                    if (labels is not null) w.Field(labels[i]);
                    w.Field(scores[i] >= threshold ? 1 : 0).EndRow();
                }
            });
            Console.WriteLine($"Scores: {csv}");
            string? figures = Directory.Exists(parse.GetValue(shared.Model)) ? directory : null;
            if (json.Windows is { } w)
                StepAnomalies.Score(model, data, series.Series, series.Starts, w.Length, threshold, parse.GetValue(bestF1), csv, figures);
            if (figures is not null)
            {
                WriteFigures(directory, scores, labels, threshold);
                RunReport.Write(directory);
            }
            return 0;
        });
        return command;
    }

    /// <summary>Prints ROC-AUC and PR-AUC of <paramref name="scores"/>, and precision, recall and F1 at the threshold.</summary>
    internal static void Describe(string what, double[] scores, int[] labels, double? threshold)
    {
        if (labels.All(l => l == 0) || labels.All(l => l == 1))
        {
            Console.WriteLine($"{what}: the labels hold one class only, so no ROC-AUC");
            return;
        }
        string line = ApplyConsole.Invariant($"{what}: ROC-AUC {Classification.RocAuc(scores, labels):F4}, PR-AUC {Classification.AveragePrecision(scores, labels):F4}");
        if (threshold is double t)
        {
            var c = Classification.Confusion(scores, labels, t);
            double precision = c.TruePositives + c.FalsePositives > 0 ? (double)c.TruePositives / (c.TruePositives + c.FalsePositives) : 0;
            double recall = (double)c.TruePositives / Math.Max(1, c.TruePositives + c.FalseNegatives);
            double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
            line += ApplyConsole.Invariant($"; at the threshold precision {precision:F4}, recall {recall:F4}, F1 {f1:F4}");
        }
        Console.WriteLine(line);
    }

    /// <summary>0 normal / 1 anomalous: as given, or every class but the normal one as anomalous.</summary>
    private static int[] Binary(int[] labels, int? normal, string name)
    {
        if (normal is int n) return labels.Select(l => l == n ? 0 : 1).ToArray();
        if (labels.Any(l => l is not (0 or 1)))
            throw new UsageException($"{name}: labels other than 0 and 1; say which class is normal with --normal-label");
        return labels;
    }

    private static void WriteFigures(string directory, double[] scores, int[]? labels, double threshold)
    {
        var histogram = new HistogramChart { Title = "Anomaly scores", XLabel = "reconstruction error", YLabel = "items" };
        if (labels is null) histogram.AddSeries("all items", scores);
        else
        {
            histogram.AddSeries("normal", scores.Where((_, i) => labels[i] == 0));
            histogram.AddSeries("anomalous", scores.Where((_, i) => labels[i] == 1));
        }
        histogram.AddThreshold(threshold);
        histogram.SavePng(Path.Combine(directory, RunFolder.AnomalyHistogramStem + ".png"));
        if (labels is not null && labels.Contains(0) && labels.Contains(1))
            CurveChart.Roc(Classification.RocCurve(scores, labels)).SavePng(Path.Combine(directory, RunFolder.RocCurveStem + ".png"));
    }
}
