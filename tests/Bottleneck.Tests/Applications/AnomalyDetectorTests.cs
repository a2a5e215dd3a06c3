using Bottleneck.Applications;
using Bottleneck.Data;
using Bottleneck.Layers;

namespace Bottleneck.Tests.Applications;

public sealed class AnomalyDetectorTests
{
    private const int Features = 6;

    /// <summary>
    /// Normal items lie near a 2-D plane in 6-D. Two kinds of anomaly: one off the plane (the
    /// reconstruction error sees it) and one on the plane but far out along it (a decoder rebuilds
    /// it well, so only the code distance sees it).
    /// </summary>
    private static (Dataset Train, float[] OffPlane, float[] FarAlong) Data()
    {
        var rng = new Random(7);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        float[] u = [0.5f, 0.5f, 0.5f, 0.5f, 0, 0], v = [0.5f, -0.5f, 0, 0, 0.5f, -0.5f];
        const int n = 600;
        var features = new float[n * Features];
        for (int i = 0; i < n; i++)
        {
            double a = Normal(), b = Normal();
            for (int j = 0; j < Features; j++) features[i * Features + j] = (float)(a * u[j] + b * v[j] + 0.05 * Normal());
        }
        var offPlane = new float[Features];
        float[] w = [0.5f, -0.5f, 0, 0, -0.5f, 0.5f]; // orthogonal to u and v
        for (int j = 0; j < Features; j++) offPlane[j] = 3 * w[j];
        var farAlong = new float[Features];
        for (int j = 0; j < Features; j++) farAlong[j] = 6 * u[j];
        return (new Dataset("plane", features, n, Features), offPlane, farAlong);
    }

    private static double[] ScoreRows(AnomalyDetector detector, params float[][] rows) =>
        detector.Score(new Dataset("probe", rows.SelectMany(r => r).ToArray(), rows.Length, Features));

    [Fact]
    public void Combined_score_flags_items_off_the_manifold_and_far_along_it()
    {
        // A linear autoencoder rebuilds any point of the plane exactly, however far out, so only
        // the code distance can see the far-along item.
        var (train, offPlane, farAlong) = Data();
        AnomalyDetector Fit(string score) => AnomalyDetector.Fit(train,
            new AnomalyOptions { Ensemble = 2, Epochs = 40, Latent = 2, Hidden = [16], Activation = [ActivationKind.None], Score = score });

        var combined = Fit("combined");
        double highest = combined.Score(train).Max();
        var probes = ScoreRows(combined, offPlane, farAlong);
        Assert.True(probes[0] > highest, $"off-plane item scored {probes[0]:F2}, highest training score {highest:F2}");
        Assert.True(probes[1] > highest, $"far-along item scored {probes[1]:F2}, highest training score {highest:F2}");

        var weighted = Fit("weighted");
        double weightedHighest = weighted.Score(train).Max();
        var weightedProbes = ScoreRows(weighted, offPlane, farAlong);
        Assert.True(weightedProbes[0] > weightedHighest, $"off-plane item scored {weightedProbes[0]:F2} by the error alone");
        Assert.True(weightedProbes[1] < weightedHighest, $"far-along item scored {weightedProbes[1]:F2} by the error alone, highest training score {weightedHighest:F2}");
    }

    [Fact]
    public void Both_scores_are_relative_to_a_typical_training_item()
    {
        var (train, _, _) = Data();
        foreach (string score in MemberCalibration.ScoreNames)
        {
            var detector = AnomalyDetector.Fit(train, new AnomalyOptions { Ensemble = 1, Epochs = 10, Score = score, Trim = 0 });
            var sorted = detector.Score(train).Order().ToArray();
            double median = sorted[sorted.Length / 2];
            // Each part is divided by its median over the member's training part (90% of the
            // items), so the whole set's median sits near 1 per part: 1 for the weighted and the
            // plain error, about 2 for the two parts of the combined score.
            double expected = score == "combined" ? 2 : 1;
            Assert.InRange(median, 0.7 * expected, 1.3 * expected);
        }
    }

    [Fact]
    public void Trimming_keeps_a_cluster_of_training_anomalies_out_of_the_final_fit()
    {
        // 17% of the training items lie off the plane, spread along one more direction. A code of
        // three values fitted to all items spends its third value on that direction and rebuilds
        // them; refitted without the highest-scoring quarter, it has nothing there to learn.
        var (plane, offPlane, _) = Data();
        var rng = new Random(11);
        const int anomalies = 120;
        var features = new float[(plane.Count + anomalies) * Features];
        plane.Features.AsSpan(0, plane.Count * Features).CopyTo(features);
        for (int i = 0; i < anomalies; i++)
            for (int j = 0; j < Features; j++)
                features[(plane.Count + i) * Features + j] = offPlane[j] * (float)((rng.NextDouble() < 0.5 ? -1 : 1) * (0.3 + 0.7 * rng.NextDouble()));
        var train = new Dataset("contaminated", features, plane.Count + anomalies, Features);
        var labels = Enumerable.Range(0, train.Count).Select(i => i >= plane.Count ? 1 : 0).ToArray();

        // ROC-AUC over the training items, and the median anomaly's score (in units of a
        // typical training item's).
        (double Auc, double AnomalyMedian) Fit(double trim)
        {
            var detector = AnomalyDetector.Fit(train, new AnomalyOptions { Ensemble = 2, Epochs = 40, Hidden = [32], Latent = 3, Trim = trim });
            var scores = detector.Score(train);
            double median = scores.Skip(plane.Count).Order().ElementAt(anomalies / 2);
            return (Bottleneck.Metrics.Classification.RocAuc(scores, labels), median);
        }

        var once = Fit(0);
        var trimmed = Fit(0.25);
        Assert.True(trimmed.Auc > 0.95, $"ROC-AUC with trimming {trimmed.Auc:F3}");
        Assert.True(trimmed.Auc > once.Auc, $"ROC-AUC with trimming {trimmed.Auc:F3}, fitted once {once.Auc:F3}");
        Assert.True(trimmed.AnomalyMedian > 3 * once.AnomalyMedian,
            $"median anomaly score with trimming {trimmed.AnomalyMedian:F1}, fitted once {once.AnomalyMedian:F1}");
    }

    [Fact]
    public void Unknown_score_is_refused_before_training()
    {
        var (train, _, _) = Data();
        var error = Assert.Throws<BottleneckException>(() => AnomalyDetector.Fit(train, new AnomalyOptions { Score = "likelihood" }));
        Assert.Contains("likelihood", error.Message);
    }
}
