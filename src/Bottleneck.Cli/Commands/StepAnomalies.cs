using Bottleneck.Applications;
using Bottleneck.Data;
using Bottleneck.Formats;
using Bottleneck.Metrics;
using Bottleneck.Models;
using Bottleneck.Reports;

namespace Bottleneck.Cli.Commands;

/// <summary>
/// The per-step half of `bottleneck anomaly` for a model trained on windows of a time series:
/// each step's score (its squared reconstruction error, averaged over the windows covering it),
/// a threshold per step, ROC-AUC and PR-AUC against the step labels, a CSV of the steps and
/// the pictures of the series and of its scores.
/// </summary>
internal static class StepAnomalies
{
    /// <param name="windowThreshold">The windows' threshold; without labels to fit one on, a step's is its share, threshold / window.</param>
    public static void Score(Autoencoder model, Dataset windows, TimeSeries series, int[] starts, int window,
        double windowThreshold, bool bestF1, string windowCsv, string? figureDirectory)
    {
        var scores = AnomalyScores.PerStep(model, windows, starts, series.Steps, window);
        var covered = Enumerable.Range(0, scores.Length).Where(t => double.IsFinite(scores[t])).ToArray();
        var coveredScores = covered.Select(t => scores[t]).ToArray();
        int[]? labels = series.StepLabels is { } l ? covered.Select(t => l[t]).ToArray() : null;
        double threshold;
        string how;
        if (bestF1 && labels is not null && labels.Contains(0) && labels.Contains(1))
        {
            threshold = Thresholds.BestF1Threshold(coveredScores, labels).Threshold;
            how = "best F1 on the step labels";
        }
        else
        {
            threshold = windowThreshold / window;
            how = $"the window threshold's share of one step, / {window}";
        }
        int flagged = coveredScores.Count(s => s >= threshold);
        Console.WriteLine(ApplyConsole.Invariant($"Per step: {covered.Length} of {series.Steps} steps lie in a window; threshold {threshold:G6} ({how}); flagged {flagged} ({(double)flagged / Math.Max(1, covered.Length):P2})"));
        if (labels is not null) AnomalyCommand.Describe("per-step reconstruction", coveredScores, labels, threshold);

        string csv = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(windowCsv))!, Path.GetFileNameWithoutExtension(windowCsv) + "_steps.csv");
        var segment = SegmentOfEachStep(series);
        CsvWriter.WriteFile(csv, w =>
        {
            w.Row(new[] { "row", "series", "score" }.Concat(series.StepLabels is null ? [] : ["label"]).Append("flagged"));
            for (int t = 0; t < scores.Length; t++)
            {
                // Steps outside every window have no score: an empty field, not a number.
                w.Field(t + 1).Field(segment[t]);
                if (double.IsFinite(scores[t])) w.Field(scores[t]);
                else w.Field("");
                if (series.StepLabels is { } sl) w.Field(sl[t]);
                w.Field(double.IsFinite(scores[t]) && scores[t] >= threshold ? 1 : 0).EndRow();
            }
        });
        Console.WriteLine($"Step scores: {csv}");
        if (figureDirectory is not null) WriteFigures(figureDirectory, series, scores, threshold);
    }

    private static int[] SegmentOfEachStep(TimeSeries series)
    {
        var segment = new int[series.Steps];
        for (int s = 0; s < series.SegmentStarts.Count; s++)
        {
            int end = s + 1 < series.SegmentStarts.Count ? series.SegmentStarts[s + 1] : series.Steps;
            segment.AsSpan(series.SegmentStarts[s], end - series.SegmentStarts[s]).Fill(s);
        }
        return segment;
    }

    private static void WriteFigures(string directory, TimeSeries series, double[] scores, double threshold)
    {
        int f = series.VariableCount;
        var values = series.Values.ToArray();
        var chart = new LineChart { Title = $"{series.Name}: the series", XLabel = "row", YLabel = "scaled value" };
        for (int v = 0; v < f; v++)
        {
            var points = new (double, double)[series.Steps];
            for (int t = 0; t < series.Steps; t++) points[t] = (t + 1, values[t * f + v]);
            chart.AddSeries(series.Variables[v], points).ShowMarkers = false;
        }
        if (series.StepLabels is { } labels)
        {
            // The labelled steps again, on top in red, at the first variable's value.
            var marked = chart.AddSeries("labelled anomalous", Enumerable.Range(0, series.Steps)
                .Select(t => ((double)t + 1, labels[t] == 1 ? values[t * f] : double.NaN)), ChartColor.Palette[3]);
            marked.ShowMarkers = true;
        }
        chart.SavePng(Path.Combine(directory, RunFolder.SeriesStem + ".png"), 960, 400);

        var scoreChart = new LineChart { Title = $"{series.Name}: anomaly score per step", XLabel = "row", YLabel = "squared error" };
        scoreChart.AddSeries("score", scores.Select((s, t) => ((double)t + 1, s))).ShowMarkers = false;
        if (series.StepLabels is { } l)
        {
            scoreChart.AddSeries("labelled anomalous", scores.Select((s, t) => ((double)t + 1, l[t] == 1 ? s : double.NaN)), ChartColor.Palette[3]).ShowMarkers = true;
        }
        var line = scoreChart.AddSeries("threshold", [(1, threshold), (series.Steps, threshold)], ChartColor.Black);
        line.ShowMarkers = false;
        line.Dashed = true;
        scoreChart.SavePng(Path.Combine(directory, RunFolder.StepScoresStem + ".png"), 960, 400);
    }
}
