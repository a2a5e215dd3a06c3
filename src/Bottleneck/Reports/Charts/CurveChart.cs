using System.Globalization;
using Bottleneck.Metrics;

namespace Bottleneck.Reports;

/// <summary>
/// ROC and precision-recall charts, as ready-made <see cref="LineChart"/>s on the unit square
/// with the chance level as a dashed reference: save them with SavePng / SaveSvg, or add series
/// (another model's curve) first.
/// </summary>
public static class CurveChart
{
    /// <summary>
    /// One or more ROC curves (false positive rate across, true positive rate up), each named with
    /// its area, over the diagonal of a random ranking.
    /// </summary>
    public static LineChart Roc(params (string Name, RocCurve Curve)[] curves)
    {
        if (curves.Length == 0) throw new BottleneckException("ROC chart: no curve given");
        var chart = new LineChart
        {
            Title = "ROC curve",
            XLabel = "false positive rate",
            YLabel = "true positive rate",
            XRange = (0, 1),
            YRange = (0, 1),
            Legend = LegendPlacement.BottomRight, // a useful curve leaves that corner empty
        };
        foreach (var (name, curve) in curves)
        {
            var points = curve.FalsePositiveRate.Zip(curve.TruePositiveRate).ToList();
            string label = $"{name}{(string.IsNullOrEmpty(name) ? "" : ", ")}AUC = {Area(points).ToString("F3", CultureInfo.InvariantCulture)}";
            chart.AddSeries(label, points).ShowMarkers = false;
        }
        var diagonal = chart.AddSeries("chance", [(0, 0), (1, 1)], ChartColor.Gray);
        diagonal.Dashed = true;
        diagonal.ShowMarkers = false;
        return chart;
    }

    /// <inheritdoc cref="Roc(ValueTuple{string, RocCurve}[])"/>
    public static LineChart Roc(RocCurve curve) => Roc(("", curve));

    /// <summary>
    /// One or more precision-recall curves (recall across, precision up) drawn as steps, the way
    /// average precision sums them, each named with its average precision, over a dashed line at the
    /// first curve's share of positives (the precision of a random ranking).
    /// </summary>
    public static LineChart PrecisionRecall(params (string Name, PrecisionRecallCurve Curve)[] curves)
    {
        if (curves.Length == 0) throw new BottleneckException("precision-recall chart: no curve given");
        var chart = new LineChart
        {
            Title = "Precision-recall curve",
            XLabel = "recall",
            YLabel = "precision",
            XRange = (0, 1),
            YRange = (0, 1),
            Legend = LegendPlacement.BottomLeft, // low recall has high precision on a useful curve
        };
        double prevalence = curves[0].Curve.Precision[0];
        foreach (var (name, curve) in curves)
        {
            // The curve's arrays run from the lowest threshold (recall 1) to the closing (recall 0,
            // precision 1) point; walk them backwards so that recall grows. Over each step of recall the
            // height is the precision reached at its end, so the area under the steps is the AP.
            var points = new List<(double X, double Y)>();
            double averagePrecision = 0;
            int n = curve.Precision.Length;
            points.Add((curve.Recall[n - 1], curve.Precision[n - 1]));
            for (int i = n - 2; i >= 0; i--)
            {
                averagePrecision += (curve.Recall[i] - curve.Recall[i + 1]) * curve.Precision[i];
                points.Add((curve.Recall[i + 1], curve.Precision[i]));
                points.Add((curve.Recall[i], curve.Precision[i]));
            }
            string label = $"{name}{(string.IsNullOrEmpty(name) ? "" : ", ")}AP = {averagePrecision.ToString("F3", CultureInfo.InvariantCulture)}";
            chart.AddSeries(label, points).ShowMarkers = false;
        }
        var baseline = chart.AddSeries("chance", [(0, prevalence), (1, prevalence)], ChartColor.Gray);
        baseline.Dashed = true;
        baseline.ShowMarkers = false;
        return chart;
    }

    /// <inheritdoc cref="PrecisionRecall(ValueTuple{string, PrecisionRecallCurve}[])"/>
    public static LineChart PrecisionRecall(PrecisionRecallCurve curve) => PrecisionRecall(("", curve));

    /// <summary>The trapezoid area under (x, y) points taken in order.</summary>
    private static double Area(List<(double X, double Y)> points)
    {
        double area = 0;
        for (int i = 1; i < points.Count; i++) area += (points[i].X - points[i - 1].X) * (points[i].Y + points[i - 1].Y) / 2;
        return area;
    }
}
