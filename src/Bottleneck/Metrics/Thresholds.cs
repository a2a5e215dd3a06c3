namespace Bottleneck.Metrics;

/// <summary>A chosen decision threshold ("positive when score ≥ Threshold") and what it gives.</summary>
public readonly record struct ThresholdChoice(double Threshold, double Precision, double Recall, double F1);

/// <summary>Ways to turn anomaly scores into a decision threshold.</summary>
public static class Thresholds
{
    /// <summary>
    /// The <paramref name="percentile"/>-th percentile (0 to 100) of scores seen on normal data, with
    /// linear interpolation between order statistics exactly as numpy.percentile's default
    /// ("linear", Hyndman and Fan type 7). With 99 about 1% of normal items score above it: the
    /// usual label-free way to set an anomaly threshold.
    /// </summary>
    public static double PercentileThreshold(ReadOnlySpan<double> trainingScores, double percentile)
    {
        CheckPercentile(trainingScores.Length, percentile);
        var sorted = trainingScores.ToArray();
        CheckNotNaN(sorted);
        Array.Sort(sorted);
        var (lo, hi, gamma) = Interpolation(sorted.Length, percentile);
        return Lerp(sorted[lo], sorted[hi], sorted[hi] - sorted[lo], gamma);
    }

    /// <inheritdoc cref="PercentileThreshold(ReadOnlySpan{double}, double)"/>
    public static double PercentileThreshold(ReadOnlySpan<float> trainingScores, double percentile)
    {
        CheckPercentile(trainingScores.Length, percentile);
        var sorted = trainingScores.ToArray();
        for (int i = 0; i < sorted.Length; i++)
        {
            if (float.IsNaN(sorted[i])) throw new BottleneckException($"percentile threshold: score {i} is NaN; scores must be numbers");
        }
        Array.Sort(sorted);
        var (lo, hi, gamma) = Interpolation(sorted.Length, percentile);
        // numpy subtracts float32 neighbours in float32 before interpolating in float64; doing the
        // same keeps the result identical to numpy.percentile on a float32 array.
        return Lerp(sorted[lo], sorted[hi], sorted[hi] - sorted[lo], gamma);
    }

    /// <summary>
    /// The threshold among the distinct scores that maximises F1 on labelled data, with its
    /// precision and recall. Among equal F1 the highest threshold wins (fewest false alarms).
    /// Needs at least one positive.
    /// </summary>
    public static ThresholdChoice BestF1Threshold(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels) =>
        BestF1(BinaryScores.Create("best-F1 threshold", scores, labels));

    /// <inheritdoc cref="BestF1Threshold(ReadOnlySpan{double}, ReadOnlySpan{int})"/>
    public static ThresholdChoice BestF1Threshold(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels) =>
        BestF1(BinaryScores.Create("best-F1 threshold", scores, labels));

    private static ThresholdChoice BestF1(BinaryScores s)
    {
        s.RequirePositives("best-F1 threshold");
        ThresholdChoice best = default;
        bool found = false;
        for (int g = 0; g < s.Thresholds.Length; g++)
        {
            long tp = s.TruePositives[g], fp = s.FalsePositives[g], fn = s.Positives - tp;
            double f1 = 2.0 * tp / (2 * tp + fp + fn);
            // Thresholds decrease with g, so a strict ">" keeps the highest threshold among equals.
            if (!found || f1 > best.F1)
            {
                best = new ThresholdChoice(s.Thresholds[g], tp == 0 ? 0 : (double)tp / (tp + fp), (double)tp / s.Positives, f1);
                found = true;
            }
        }
        return best;
    }

    private static void CheckPercentile(int count, double percentile)
    {
        if (count == 0) throw new BottleneckException("percentile threshold: no scores given");
        if (!(percentile >= 0 && percentile <= 100))
            throw new BottleneckException($"percentile threshold: percentile {percentile} is outside 0 to 100");
    }

    private static void CheckNotNaN(double[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (double.IsNaN(values[i])) throw new BottleneckException($"percentile threshold: score {i} is NaN; scores must be numbers");
        }
    }

    /// <summary>The neighbouring order statistics and the weight between them, computed as numpy 1.24 does, step for step.</summary>
    private static (int Lo, int Hi, double Gamma) Interpolation(int n, double percentile)
    {
        double q = percentile / 100;
        // numpy computes the "linear" method's index as (n − 1)·q, not by its general
        // n·q + α + q(1 − α − β) − 1 formula, which rounds differently.
        double virtualIndex = (n - 1) * q;
        if (virtualIndex >= n - 1) return (n - 1, n - 1, 0);
        if (virtualIndex < 0) return (0, 0, 0);
        double previous = Math.Floor(virtualIndex);
        return ((int)previous, (int)previous + 1, virtualIndex - previous);
    }

    /// <summary>numpy's lerp: from the nearer end, so that t = 1 gives b exactly.</summary>
    private static double Lerp(double a, double b, double difference, double t) =>
        t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
}
