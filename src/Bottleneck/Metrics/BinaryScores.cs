namespace Bottleneck.Metrics;

/// <summary>
/// Scores and 0/1 labels sorted once by decreasing score and grouped by distinct score: the common
/// ground of every curve, AUC and threshold search (each distinct score is one possible threshold,
/// "predict positive when score ≥ threshold").
/// </summary>
internal sealed class BinaryScores
{
    /// <summary>The distinct scores, decreasing.</summary>
    public double[] Thresholds { get; }

    /// <summary>Positives with a score ≥ Thresholds[i].</summary>
    public long[] TruePositives { get; }

    /// <summary>Negatives with a score ≥ Thresholds[i].</summary>
    public long[] FalsePositives { get; }

    public long Positives => TruePositives[^1];

    public long Negatives => FalsePositives[^1];

    private BinaryScores(double[] thresholds, long[] tp, long[] fp)
    {
        Thresholds = thresholds;
        TruePositives = tp;
        FalsePositives = fp;
    }

    public static BinaryScores Create(string what, ReadOnlySpan<double> scores, ReadOnlySpan<int> labels)
    {
        CheckLabels(what, scores.Length, labels);
        var order = new int[scores.Length];
        var keys = new double[scores.Length];
        for (int i = 0; i < scores.Length; i++)
        {
            double s = scores[i];
            if (double.IsNaN(s)) throw new BottleneckException($"{what}: score {i} is NaN; scores must be numbers");
            order[i] = i;
            keys[i] = -s; // ascending sort of -s is a descending sort of s
        }
        Array.Sort(keys, order);

        var thresholds = new List<double>();
        var tp = new List<long>();
        var fp = new List<long>();
        long t = 0, f = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            if (labels[order[i]] == 1) t++;
            else f++;
            // Close a group at the last item of each run of equal scores: tied items must share one
            // threshold, or the curve would depend on the order in which ties happen to be sorted.
            if (i == keys.Length - 1 || keys[i + 1] != keys[i])
            {
                thresholds.Add(-keys[i]);
                tp.Add(t);
                fp.Add(f);
            }
        }
        return new BinaryScores([.. thresholds], [.. tp], [.. fp]);
    }

    public static BinaryScores Create(string what, ReadOnlySpan<float> scores, ReadOnlySpan<int> labels) =>
        Create(what, ToDouble(scores), labels);

    internal static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var d = new double[values.Length];
        for (int i = 0; i < values.Length; i++) d[i] = values[i];
        return d;
    }

    internal static void CheckLabels(string what, int scoreCount, ReadOnlySpan<int> labels)
    {
        if (scoreCount != labels.Length)
            throw new BottleneckException($"{what}: {scoreCount} scores but {labels.Length} labels; give one label per score");
        if (scoreCount == 0) throw new BottleneckException($"{what}: no scores given");
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] is not (0 or 1))
                throw new BottleneckException($"{what}: label {i} is {labels[i]}; labels must be 0 (normal) or 1 (positive/anomalous)");
        }
    }

    public void RequireBothClasses(string what)
    {
        if (Positives == 0 || Negatives == 0)
            throw new BottleneckException($"{what}: the labels hold only {(Positives == 0 ? "0s" : "1s")}; it needs both positives (1) and negatives (0)");
    }

    public void RequirePositives(string what)
    {
        if (Positives == 0)
            throw new BottleneckException($"{what}: the labels hold no positive (1); it is undefined without one");
    }
}
