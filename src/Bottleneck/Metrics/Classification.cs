namespace Bottleneck.Metrics;

/// <summary>
/// Points of a receiver operating characteristic curve, in order of decreasing threshold:
/// point i is what "predict positive when score ≥ Thresholds[i]" gives. The first point is (0, 0)
/// with threshold +∞ (nothing predicted positive); the last is (1, 1).
/// </summary>
public sealed record RocCurve(double[] FalsePositiveRate, double[] TruePositiveRate, double[] Thresholds);

/// <summary>
/// A precision-recall curve laid out as sklearn's <c>precision_recall_curve</c>: Thresholds are the
/// distinct scores, increasing; Precision[i] and Recall[i] are what "predict positive when
/// score ≥ Thresholds[i]" gives, and one last point (precision 1, recall 0) with no threshold closes the curve.
/// </summary>
public sealed record PrecisionRecallCurve(double[] Precision, double[] Recall, double[] Thresholds);

/// <summary>
/// Ranking metrics for binary labels (1 = positive, e.g. anomalous; 0 = negative) and scores
/// where higher means "more positive". Every method takes float or double scores; NaN scores,
/// labels other than 0/1, empty input and length mismatches are refused with a
/// <see cref="BottleneckException"/>.
/// </summary>
/// <remarks>Definitions follow scikit-learn 1.2 (<c>roc_auc_score</c>, <c>average_precision_score</c>,
/// <c>roc_curve</c>, <c>precision_recall_curve</c>) and are checked against it in the tests.</remarks>
public static class Classification
{
    /// <summary>
    /// Area under the ROC curve: the probability that a random positive scores above a random
    /// negative, counting ties as one half (the Mann–Whitney U statistic over P·N). Equal to
    /// sklearn's <c>roc_auc_score</c>. Needs both classes.
    /// </summary>
    public static double RocAuc(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels) =>
        RocAuc(BinaryScores.Create("ROC AUC", scores, labels));

    /// <inheritdoc cref="RocAuc(ReadOnlySpan{double}, ReadOnlySpan{int})"/>
    public static double RocAuc(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels) =>
        RocAuc(BinaryScores.Create("ROC AUC", scores, labels));

    private static double RocAuc(BinaryScores s)
    {
        s.RequireBothClasses("ROC AUC");
        // Walking down the distinct scores, each positive of a group beats every negative not yet
        // seen (all lower) and ties with the group's negatives. Twice the count stays an integer,
        // so the sum is exact and the one rounding is the final division.
        long twiceWins = 0, negativesAbove = 0, previousTp = 0;
        for (int g = 0; g < s.Thresholds.Length; g++)
        {
            long tp = s.TruePositives[g] - previousTp;
            long fp = s.FalsePositives[g] - negativesAbove;
            long below = s.Negatives - negativesAbove - fp;
            twiceWins += tp * (2 * below + fp);
            negativesAbove += fp;
            previousTp = s.TruePositives[g];
        }
        return twiceWins / (2.0 * s.Positives * s.Negatives);
    }

    /// <summary>
    /// Average precision, sklearn's <c>average_precision_score</c>: Σ (Rₙ − Rₙ₋₁)·Pₙ over the
    /// distinct thresholds from the highest down (a step sum, not a trapezoid, so it is not
    /// optimistic). Needs at least one positive.
    /// </summary>
    public static double AveragePrecision(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels) =>
        AveragePrecision(BinaryScores.Create("average precision", scores, labels));

    /// <inheritdoc cref="AveragePrecision(ReadOnlySpan{double}, ReadOnlySpan{int})"/>
    public static double AveragePrecision(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels) =>
        AveragePrecision(BinaryScores.Create("average precision", scores, labels));

    private static double AveragePrecision(BinaryScores s)
    {
        s.RequirePositives("average precision");
        double sum = 0, previousRecall = 0;
        for (int g = 0; g < s.Thresholds.Length; g++)
        {
            double recall = (double)s.TruePositives[g] / s.Positives;
            double precision = (double)s.TruePositives[g] / (s.TruePositives[g] + s.FalsePositives[g]);
            sum += (recall - previousRecall) * precision;
            previousRecall = recall;
        }
        return sum;
    }

    /// <summary>
    /// The ROC curve. With <paramref name="dropIntermediate"/> (sklearn's default) a point is left out
    /// when its neighbours on both sides change the false and true positive counts by the same steps,
    /// which keeps the curve's shape and area with fewer points. Needs both classes.
    /// </summary>
    /// <remarks>Differs from sklearn 1.2 only in the first threshold: +∞ here (as sklearn ≥ 1.3), max score + 1 there.</remarks>
    public static RocCurve RocCurve(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, bool dropIntermediate = true) =>
        RocCurve(BinaryScores.Create("ROC curve", scores, labels), dropIntermediate);

    /// <inheritdoc cref="RocCurve(ReadOnlySpan{double}, ReadOnlySpan{int}, bool)"/>
    public static RocCurve RocCurve(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels, bool dropIntermediate = true) =>
        RocCurve(BinaryScores.Create("ROC curve", scores, labels), dropIntermediate);

    private static RocCurve RocCurve(BinaryScores s, bool dropIntermediate)
    {
        s.RequireBothClasses("ROC curve");
        int n = s.Thresholds.Length;
        var keep = new List<int>(n);
        for (int g = 0; g < n; g++)
        {
            bool interior = g > 0 && g < n - 1;
            if (dropIntermediate && interior
                && s.FalsePositives[g + 1] - 2 * s.FalsePositives[g] + s.FalsePositives[g - 1] == 0
                && s.TruePositives[g + 1] - 2 * s.TruePositives[g] + s.TruePositives[g - 1] == 0)
                continue;
            keep.Add(g);
        }
        var fpr = new double[keep.Count + 1];
        var tpr = new double[keep.Count + 1];
        var thresholds = new double[keep.Count + 1];
        thresholds[0] = double.PositiveInfinity;
        for (int i = 0; i < keep.Count; i++)
        {
            int g = keep[i];
            fpr[i + 1] = (double)s.FalsePositives[g] / s.Negatives;
            tpr[i + 1] = (double)s.TruePositives[g] / s.Positives;
            thresholds[i + 1] = s.Thresholds[g];
        }
        return new RocCurve(fpr, tpr, thresholds);
    }

    /// <summary>
    /// The precision-recall curve over every distinct score (see <see cref="Metrics.PrecisionRecallCurve"/>
    /// for the layout). Precision is 0 where nothing is predicted positive. Needs at least one positive.
    /// </summary>
    public static PrecisionRecallCurve PrecisionRecallCurve(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels) =>
        PrecisionRecallCurve(BinaryScores.Create("precision-recall curve", scores, labels));

    /// <inheritdoc cref="PrecisionRecallCurve(ReadOnlySpan{double}, ReadOnlySpan{int})"/>
    public static PrecisionRecallCurve PrecisionRecallCurve(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels) =>
        PrecisionRecallCurve(BinaryScores.Create("precision-recall curve", scores, labels));

    private static PrecisionRecallCurve PrecisionRecallCurve(BinaryScores s)
    {
        s.RequirePositives("precision-recall curve");
        int n = s.Thresholds.Length;
        var precision = new double[n + 1];
        var recall = new double[n + 1];
        var thresholds = new double[n];
        for (int g = 0; g < n; g++)
        {
            int i = n - 1 - g; // increasing thresholds, as sklearn lays them out
            precision[i] = (double)s.TruePositives[g] / (s.TruePositives[g] + s.FalsePositives[g]);
            recall[i] = (double)s.TruePositives[g] / s.Positives;
            thresholds[i] = s.Thresholds[g];
        }
        precision[n] = 1;
        recall[n] = 0;
        return new PrecisionRecallCurve(precision, recall, thresholds);
    }

    /// <summary>The confusion counts of "predict positive when score ≥ <paramref name="threshold"/>".</summary>
    public static ConfusionCounts Confusion(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, double threshold)
    {
        BinaryScores.CheckLabels("confusion counts", scores.Length, labels);
        if (double.IsNaN(threshold)) throw new BottleneckException("confusion counts: the threshold is NaN");
        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            double s = scores[i];
            if (double.IsNaN(s)) throw new BottleneckException($"confusion counts: score {i} is NaN; scores must be numbers");
            bool predicted = s >= threshold;
            if (labels[i] == 1)
            {
                if (predicted) tp++;
                else fn++;
            }
            else if (predicted) fp++;
            else tn++;
        }
        return new ConfusionCounts(tp, fp, tn, fn);
    }

    /// <inheritdoc cref="Confusion(ReadOnlySpan{double}, ReadOnlySpan{int}, double)"/>
    public static ConfusionCounts Confusion(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels, double threshold) =>
        Confusion(BinaryScores.ToDouble(scores), labels, threshold);
}

/// <summary>Counts of a binary decision against the true labels, and the usual rates derived from them.</summary>
public readonly record struct ConfusionCounts(long TruePositives, long FalsePositives, long TrueNegatives, long FalseNegatives)
{
    public long Total => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;

    /// <summary>TP / (TP + FP); 0 when nothing is predicted positive (sklearn's zero_division default).</summary>
    public double Precision => Ratio(TruePositives, TruePositives + FalsePositives);

    /// <summary>TP / (TP + FN), the true positive rate; 0 when there is no positive.</summary>
    public double Recall => Ratio(TruePositives, TruePositives + FalseNegatives);

    /// <summary>FP / (FP + TN); 0 when there is no negative.</summary>
    public double FalsePositiveRate => Ratio(FalsePositives, FalsePositives + TrueNegatives);

    /// <summary>2TP / (2TP + FP + FN), the harmonic mean of precision and recall; 0 when TP is 0.</summary>
    public double F1 => Ratio(2 * TruePositives, 2 * TruePositives + FalsePositives + FalseNegatives);

    public double Accuracy => Ratio(TruePositives + TrueNegatives, Total);

    private static double Ratio(long a, long b) => b == 0 ? 0 : (double)a / b;
}
