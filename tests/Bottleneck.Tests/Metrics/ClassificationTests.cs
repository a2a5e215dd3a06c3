using Bottleneck.Metrics;
using static Bottleneck.Tests.RefusalAssert;

namespace Bottleneck.Tests.Metrics;

/// <summary>
/// Reference values come from scikit-learn 1.2.1 and numpy 1.24.2 (Debian bookworm's python3-sklearn
/// and python3-numpy), printed by classification_references.py next to this file; the cases are
/// built from integer formulas that both sides evaluate identically.
/// </summary>
public class ClassificationTests
{
    /// <summary>The "distinct" case: 200 items, distinct scores, positives shifted up by 0.3.</summary>
    internal static (double[] Scores, int[] Labels) Distinct()
    {
        var s = new double[200];
        var y = new int[200];
        for (int i = 0; i < 200; i++)
        {
            y[i] = (i * i * 7 % 11) < 4 ? 1 : 0;
            s[i] = (i * 37 % 211) / 211.0 + 0.3 * y[i];
        }
        return (s, y);
    }

    /// <summary>The "ties" case: 200 items on 23 score levels, so most scores are tied across both classes.</summary>
    private static (double[] Scores, int[] Labels) Ties()
    {
        var s = new double[200];
        var y = new int[200];
        for (int i = 0; i < 200; i++)
        {
            s[i] = (i * 37 % 23) / 23.0;
            y[i] = (i * 13 % 7) < 3 ? 1 : 0;
        }
        return (s, y);
    }

    private static void Near(double expected, double actual, string what, double tolerance = 1e-12) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: got {actual:R}, expected {expected:R}");

    private static void Near(double[] expected, ReadOnlySpan<double> actual, string what, double tolerance = 1e-12)
    {
        for (int i = 0; i < expected.Length; i++) Near(expected[i], actual[i], $"{what}[{i}]", tolerance);
    }

    [Fact]
    public void SklearnDocumentationExample()
    {
        // The example in sklearn's precision_recall_curve and average_precision_score docstrings.
        double[] s = [0.1, 0.4, 0.35, 0.8];
        int[] y = [0, 0, 1, 1];
        Near(0.75, Classification.RocAuc(s, y), "AUC");
        Near(0.8333333333333333, Classification.AveragePrecision(s, y), "AP");
        var pr = Classification.PrecisionRecallCurve(s, y);
        Near([0.5, 2.0 / 3, 0.5, 1, 1], pr.Precision, "precision");
        Near([1, 1, 0.5, 0.5, 0], pr.Recall, "recall");
        Assert.Equal([0.1, 0.35, 0.4, 0.8], pr.Thresholds);
        var roc = Classification.RocCurve(s, y, dropIntermediate: false);
        Assert.Equal([0, 0, 0.5, 0.5, 1], roc.FalsePositiveRate);
        Assert.Equal([0, 0.5, 0.5, 1, 1], roc.TruePositiveRate);
        Assert.Equal([double.PositiveInfinity, 0.8, 0.4, 0.35, 0.1], roc.Thresholds);
    }

    [Fact]
    public void DistinctScoresMatchSklearn()
    {
        var (s, y) = Distinct();
        Near(0.7443260188087775, Classification.RocAuc(s, y), "roc_auc_score");
        Near(0.6269130956090316, Classification.AveragePrecision(s, y), "average_precision_score");

        var roc = Classification.RocCurve(s, y);
        Assert.Equal(70, roc.Thresholds.Length); // roc_curve, drop_intermediate=True
        Near([0.0, 0.0, 0.04827586206896552, 0.04827586206896552, 0.06206896551724138], roc.FalsePositiveRate.AsSpan(1), "fpr");
        Near([0.01818181818181818, 0.32727272727272727, 0.32727272727272727, 0.34545454545454546, 0.34545454545454546], roc.TruePositiveRate.AsSpan(1), "tpr");
        Near([1.290521327014218, 1.0014218009478673, 0.9620853080568721, 0.9587677725118484, 0.95260663507109], roc.Thresholds.AsSpan(1), "roc thresholds");
        Assert.Equal(201, Classification.RocCurve(s, y, dropIntermediate: false).Thresholds.Length);

        var pr = Classification.PrecisionRecallCurve(s, y);
        Assert.Equal(201, pr.Precision.Length);
        Near([0.275, 0.27638190954773867, 0.2777777777777778, 0.27918781725888325, 0.28061224489795916], pr.Precision, "precision");
        Near([1.0, 1.0, 1.0, 1.0, 1.0], pr.Recall, "recall");
        Near([0.009478672985781991, 0.023696682464454975, 0.02843601895734597, 0.03317535545023697, 0.037914691943127965], pr.Thresholds, "pr thresholds");

        // Brute force over the distinct scores with sklearn's f1_score.
        var best = Thresholds.BestF1Threshold(s, y);
        Near(0.7881516587677725, best.Threshold, "best threshold");
        Near(0.5172413793103448, best.F1, "F1");
        Near(0.4918032786885246, best.Precision, "precision");
        Near(0.5454545454545454, best.Recall, "recall");
    }

    [Fact]
    public void TiedScoresMatchSklearn()
    {
        var (s, y) = Ties();
        Near(0.4839897698209718, Classification.RocAuc(s, y), "roc_auc_score");
        Near(0.41423441770926445, Classification.AveragePrecision(s, y), "average_precision_score");
        var roc = Classification.RocCurve(s, y);
        Assert.Equal(22, roc.Thresholds.Length);
        Near([0.043478260869565216, 0.08695652173913043, 0.1391304347826087, 0.1826086956521739, 0.21739130434782608], roc.FalsePositiveRate.AsSpan(1), "fpr");
        Near([0.03529411764705882, 0.08235294117647059, 0.11764705882352941, 0.16470588235294117, 0.21176470588235294], roc.TruePositiveRate.AsSpan(1), "tpr");
        Assert.Equal(24, Classification.RocCurve(s, y, dropIntermediate: false).Thresholds.Length); // 23 levels + (0, 0)
        var pr = Classification.PrecisionRecallCurve(s, y);
        Assert.Equal(24, pr.Precision.Length);
        Near([0.425, 0.42408376963350786, 0.4175824175824176, 0.4161849710982659, 0.42073170731707316], pr.Precision, "precision");
        Near([1.0, 0.9529411764705882, 0.8941176470588236, 0.8470588235294118, 0.8117647058823529], pr.Recall, "recall");
        var best = Thresholds.BestF1Threshold(s, y);
        Near(0.0, best.Threshold, "best threshold");
        Near(0.5964912280701754, best.F1, "F1");
        Near(0.425, best.Precision, "precision");
        Near(1.0, best.Recall, "recall");
    }

    [Fact]
    public void AucIsThePairwiseWinRateWithHalfTies()
    {
        // Mann–Whitney by brute force over all positive-negative pairs, on the tied case.
        var (s, y) = Ties();
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (y[i] != 1) continue;
            for (int j = 0; j < s.Length; j++)
            {
                if (y[j] != 0) continue;
                pairs++;
                wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
            }
        }
        Near(wins / pairs, Classification.RocAuc(s, y), "AUC");
        // And the area under the returned curve (trapezoids) is the same number.
        var roc = Classification.RocCurve(s, y);
        double area = 0;
        for (int i = 1; i < roc.Thresholds.Length; i++)
            area += (roc.FalsePositiveRate[i] - roc.FalsePositiveRate[i - 1]) * (roc.TruePositiveRate[i] + roc.TruePositiveRate[i - 1]) / 2;
        Near(wins / pairs, area, "trapezoid area");
    }

    [Fact]
    public void FloatScoresGiveTheSameAsTheirDoubleValues()
    {
        var (s, y) = Distinct();
        var f = s.Select(v => (float)v).ToArray();
        var d = f.Select(v => (double)v).ToArray();
        Assert.Equal(Classification.RocAuc(d, y), Classification.RocAuc(f, y));
        Assert.Equal(Classification.AveragePrecision(d, y), Classification.AveragePrecision(f, y));
        Assert.Equal(Thresholds.BestF1Threshold(d, y), Thresholds.BestF1Threshold(f, y));
        Assert.Equal(Classification.Confusion(d, y, 0.5), Classification.Confusion(f, y, 0.5));
    }

    [Fact]
    public void ConfusionAtTheBestThresholdAgreesWithIt()
    {
        var (s, y) = Distinct();
        var best = Thresholds.BestF1Threshold(s, y);
        var c = Classification.Confusion(s, y, best.Threshold);
        Assert.Equal(200, c.Total);
        Assert.Equal(55, c.TruePositives + c.FalseNegatives); // 55 positives (sklearn: recall 0.5454… = 30/55)
        Assert.Equal(30, c.TruePositives);
        Near(best.Precision, c.Precision, "precision");
        Near(best.Recall, c.Recall, "recall");
        Near(best.F1, c.F1, "F1");
        // "≥": an item scoring exactly the threshold is predicted positive.
        Assert.Equal(new ConfusionCounts(1, 0, 0, 0), Classification.Confusion([0.5], [1], 0.5));
        Assert.Equal(new ConfusionCounts(0, 0, 1, 0), Classification.Confusion([0.4], [0], 0.5));
        Assert.Equal(0, new ConfusionCounts(0, 0, 3, 2).Precision);
    }

    [Fact]
    public void PerfectAndReversedRankings()
    {
        double[] s = [1, 2, 3, 4];
        Assert.Equal(1.0, Classification.RocAuc(s, [0, 0, 1, 1]));
        Assert.Equal(0.0, Classification.RocAuc(s, [1, 1, 0, 0]));
        Assert.Equal(0.5, Classification.RocAuc([1.0, 1, 1, 1], [1, 0, 1, 0]));
        Assert.Equal(1.0, Classification.AveragePrecision(s, [0, 0, 1, 1]));
        Assert.Equal(1.0, Classification.AveragePrecision(s, [1, 1, 1, 1])); // all positive is fine for AP
    }

    [Theory]
    // numpy.percentile on the float32 array [0.1, 0.4, 0.35, 0.8, 0.8, 2.5, -1.0, 0.05] and on its float64 copy.
    [InlineData(0, -1.0, -1.0)]
    [InlineData(12.5, -0.08124999329447746, -0.0812499993480742)]
    [InlineData(50, 0.375, 0.375)]
    [InlineData(90, 1.3100000262260434, 1.31000000834465)]
    [InlineData(95, 1.9049999833106985, 1.905000004172324)]
    [InlineData(99, 2.3809999966621396, 2.3810000008344647)]
    [InlineData(99.9, 2.4880999996662148, 2.4881000000834472)]
    [InlineData(100, 2.5, 2.5)]
    public void PercentileMatchesNumpy(double percentile, double fromFloat32, double fromFloat64)
    {
        float[] x = [0.1f, 0.4f, 0.35f, 0.8f, 0.8f, 2.5f, -1.0f, 0.05f];
        Assert.Equal(fromFloat32, Thresholds.PercentileThreshold(x, percentile));
        Assert.Equal(fromFloat64, Thresholds.PercentileThreshold(x.Select(v => (double)v).ToArray(), percentile));
    }

    [Theory]
    // numpy.percentile(((i * 7919) % 1009) / 1009.0 for i in 0..999, q)
    [InlineData(1, 0.009900891972249751)]
    [InlineData(33.3, 0.33366402378592663)]
    [InlineData(95, 0.9495044598612488)]
    [InlineData(99, 0.9891080277502478)]
    public void PercentileOfALargerSampleMatchesNumpy(double percentile, double expected)
    {
        var x = Enumerable.Range(0, 1000).Select(i => (i * 7919 % 1009) / 1009.0).ToArray();
        Assert.Equal(expected, Thresholds.PercentileThreshold(x, percentile));
    }

    [Fact]
    public void BadInputIsRefusedWithOneLine()
    {
        Refused(() => Classification.RocAuc([0.1, 0.2], [0]), "2 scores but 1 labels");
        Refused(() => Classification.RocAuc(Array.Empty<double>(), []), "no scores");
        Refused(() => Classification.RocAuc([0.1, double.NaN], [0, 1]), "score 1 is NaN");
        Refused(() => Classification.AveragePrecision([0.1f, float.NaN], [0, 1]), "score 1 is NaN");
        Refused(() => Classification.RocAuc([0.1, 0.2], [0, 2]), "label 1 is 2");
        Refused(() => Classification.RocAuc([0.1, 0.2], [1, 1]), "only 1s");
        Refused(() => Classification.RocCurve([0.1, 0.2], [0, 0]), "only 0s");
        Refused(() => Classification.AveragePrecision([0.1, 0.2], [0, 0]), "no positive");
        Refused(() => Classification.PrecisionRecallCurve([0.1, 0.2], [0, 0]), "no positive");
        Refused(() => Thresholds.BestF1Threshold([0.1, 0.2], [0, -1]), "label 1 is -1");
        Refused(() => Classification.Confusion([0.1, 0.2], [0, 1], double.NaN), "threshold is NaN");
        Refused(() => Thresholds.PercentileThreshold([1.0, 2.0], 101), "outside 0 to 100");
        Refused(() => Thresholds.PercentileThreshold([1.0, 2.0], double.NaN), "outside 0 to 100");
        Refused(() => Thresholds.PercentileThreshold(Array.Empty<float>(), 50), "no scores");
        Refused(() => Thresholds.PercentileThreshold([1.0f, float.NaN], 50), "score 1 is NaN");
    }
}
