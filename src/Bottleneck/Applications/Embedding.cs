using System.Globalization;
using Bottleneck.Data;
using Bottleneck.Metrics;
using Bottleneck.Models;

namespace Bottleneck.Applications;

/// <summary>What <see cref="Embedding.Evaluate"/> measured: the 2-D map of the test codes and the k-NN accuracies.</summary>
public sealed record EmbeddingResult
{
    /// <summary>The test items' points, row-major [TestCount, 2].</summary>
    public required float[] Map { get; init; }

    /// <summary>The test items' labels, one per point.</summary>
    public required int[] Labels { get; init; }

    /// <summary>Axis names of the map: z0 and z1, or the first two principal components of the codes.</summary>
    public required string XLabel { get; init; }

    public required string YLabel { get; init; }

    /// <summary>The code size, which is also the number of PCA components of the baseline.</summary>
    public required int Dimensions { get; init; }

    public required int K { get; init; }

    public required int TrainCount { get; init; }

    public required int TestCount { get; init; }

    /// <summary>k-NN accuracy of the test codes against the training codes.</summary>
    public required double CodeAccuracy { get; init; }

    /// <summary>k-NN accuracy of the test inputs projected on the top <see cref="Dimensions"/> principal components of the training inputs.</summary>
    public required double PcaAccuracy { get; init; }
}

/// <summary>
/// How useful a model's codes are as a representation: a 2-D map of the test codes coloured by
/// label (the first two principal components of the codes when the code is larger than 2), and
/// the k-NN accuracy (k = 5) of test codes against training codes, beside the same classifier on
/// PCA projections of the raw inputs to as many dimensions (PCA fitted on the training inputs).
/// </summary>
public static class Embedding
{
    public const int DefaultK = 5;

    public static EmbeddingResult Evaluate(Autoencoder model, Dataset train, Dataset test, int k = DefaultK, Action<WorkProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        foreach (var data in new[] { train, test })
        {
            LatentCodes.CheckInput(model, data);
            if (data.Labels is null)
                throw new BottleneckException($"{data.Name}: embed needs labels, to colour the map and to measure k-NN accuracy, and this data has none");
            if (data.Count == 0) throw new BottleneckException($"{data.Name}: there are no items");
        }
        if (k < 1 || k > train.Count)
            throw new BottleneckException($"k-NN: k = {k} must be between 1 and the number of training items, {train.Count}");
        int latent = model.Config.Latent;
        if (latent > Math.Min(train.Count, train.FeatureCount))
            throw new BottleneckException($"the PCA baseline needs {latent} components, more than min(training items, features) = {Math.Min(train.Count, train.FeatureCount)}");

        var trainCodes = LatentCodes.Encode(model, train, progress, "encoding the training set");
        var testCodes = LatentCodes.Encode(model, test, progress, "encoding the test set");

        progress?.Invoke(new WorkProgress("k-NN on the codes", 0, 1));
        double codeAccuracy = KNearestNeighbors.Accuracy(trainCodes.Codes, train.Labels!, testCodes.Codes, test.Labels!, latent, k, model.Engine);
        progress?.Invoke(new WorkProgress("k-NN on the codes", 1, 1));

        progress?.Invoke(new WorkProgress($"PCA-{latent} of the inputs", 0, 1));
        var pca = Pca.Fit(train.Features, train.FeatureCount, latent, model.Engine);
        var trainProjected = pca.Transform(train.Features);
        var testProjected = pca.Transform(test.Features);
        double pcaAccuracy = KNearestNeighbors.Accuracy(trainProjected, train.Labels!, testProjected, test.Labels!, latent, k, model.Engine);
        progress?.Invoke(new WorkProgress($"PCA-{latent} of the inputs", 1, 1));

        var (map, x, y) = MapOf(testCodes);
        return new EmbeddingResult
        {
            Map = map,
            Labels = (int[])test.Labels!.Clone(),
            XLabel = x,
            YLabel = y,
            Dimensions = latent,
            K = k,
            TrainCount = train.Count,
            TestCount = test.Count,
            CodeAccuracy = codeAccuracy,
            PcaAccuracy = pcaAccuracy,
        };
    }

    /// <summary>
    /// The 2-D points of codes: the codes themselves when they have 2 values, the first two principal
    /// components of the codes when they have more, and (z0, 0) for 1-value codes.
    /// </summary>
    public static (float[] Map, string XLabel, string YLabel) MapOf(CodeSet codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        int n = codes.Count;
        var map = new float[2 * n];
        switch (codes.Latent)
        {
            case 1:
                for (int i = 0; i < n; i++) map[2 * i] = codes.Codes[i];
                return (map, "z0", "");
            case 2:
                codes.Codes.AsSpan().CopyTo(map);
                return (map, "z0", "z1");
            default:
                if (n < 2) throw new BottleneckException($"a PCA map of the codes needs at least 2 items, got {n}");
                var pca = Pca.Fit(codes.Codes, codes.Latent, 2);
                pca.Transform(codes.Codes, map);
                var ratio = pca.ExplainedVarianceRatio;
                return (map, Component(1, ratio[0]), Component(2, ratio[1]));
        }
    }

    private static string Component(int index, double share) =>
        string.Create(CultureInfo.InvariantCulture, $"PC{index} of the codes ({100 * share:F1}% of their variance)");
}
