using System.Diagnostics;
using System.Globalization;
using Bottleneck.Data;
using Bottleneck.Formats;
using Bottleneck.Metrics;

namespace Bottleneck.Applications;

/// <summary>One dataset's result: ROC-AUC on held-out items, the mean over splits (seeds) or classes.</summary>
public sealed record BenchmarkLine(string Dataset, int Items, int Features, double AnomalyRate, double RocAuc, double[] Parts, double Seconds)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Dataset,-22} items {Items,6}  features {Features,5}  anomalies {AnomalyRate,6:P1}  ROC-AUC {RocAuc:F4}  ({string.Join(" ", Parts.Select(p => p.ToString("F3", CultureInfo.InvariantCulture)))})  {Seconds,6:F1} s");
}

/// <summary>
/// The two anomaly benchmarks of docs/ANOMALY.md. ADBench: every classical dataset under 60,000
/// rows, a stratified 70/30 split per seed, the detector fitted on the 70% without labels and
/// scored by ROC-AUC on the 30%. MNIST one-class: train on one digit's training images, score the
/// whole test set with that digit as normal.
/// </summary>
public static class AnomalyBenchmark
{
    public const int AdbenchMaxRows = 60_000;

    /// <summary>The ADBench .npz files under <paramref name="directory"/> with fewer than 60,000 rows, in their numbered order.</summary>
    public static IReadOnlyList<string> AdbenchFiles(string directory)
    {
        if (!Directory.Exists(directory)) throw new BottleneckException($"{directory}: no such folder (expected ADBench .npz files)");
        var files = Directory.GetFiles(directory, "*.npz")
            .Select(f => (File: f, Rows: Rows(f)))
            .Where(f => f.Rows < AdbenchMaxRows)
            .OrderBy(f => Number(Path.GetFileName(f.File)))
            .Select(f => f.File)
            .ToArray();
        if (files.Length == 0) throw new BottleneckException($"{directory}: no ADBench .npz files (with X and y) under {AdbenchMaxRows} rows");
        return files;
    }

    public static BenchmarkLine RunAdbench(string file, AnomalyOptions options, IReadOnlyList<ulong> seeds)
    {
        var clock = Stopwatch.StartNew();
        var data = TabularLoader.Load(file);
        var labels = data.Labels ?? throw new BottleneckException($"{file}: has no labels (y)");
        var aucs = new double[seeds.Count];
        for (int s = 0; s < seeds.Count; s++)
        {
            var (train, test) = DatasetSplit.Stratified(data, 0.7, seeds[s]);
            var detector = AnomalyDetector.Fit(train, options with { Seed = seeds[s] });
            aucs[s] = Classification.RocAuc(detector.Score(test), test.Labels);
        }
        string name = Path.GetFileNameWithoutExtension(file);
        return new BenchmarkLine(name, data.Count, data.FeatureCount, labels.Average(), aucs.Average(), aucs, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Digit <paramref name="digit"/> as the normal class: train on its training images, score every test image.</summary>
    public static BenchmarkLine RunMnistDigit(Dataset train, Dataset test, int digit, AnomalyOptions options)
    {
        var clock = Stopwatch.StartNew();
        var trainLabels = train.Labels ?? throw new BottleneckException("MNIST training labels are missing");
        var testLabels = test.Labels ?? throw new BottleneckException("MNIST test labels are missing");
        var normal = Enumerable.Range(0, train.Count).Where(i => trainLabels[i] == digit).ToArray();
        var features = new float[normal.Length * train.FeatureCount];
        for (int i = 0; i < normal.Length; i++) train.Sample(normal[i]).CopyTo(features.AsSpan(i * train.FeatureCount));
        var normalTrain = new Dataset($"mnist-{digit}", features, normal.Length, train.FeatureCount, null, train.SampleShape);
        var detector = AnomalyDetector.Fit(normalTrain, options);
        var anomalous = testLabels.Select(l => l == digit ? 0 : 1).ToArray();
        double auc = Classification.RocAuc(detector.Score(test), anomalous);
        return new BenchmarkLine($"digit {digit}", normal.Length, train.FeatureCount, anomalous.Average(), auc, [auc], clock.Elapsed.TotalSeconds);
    }

    private static int Rows(string npz)
    {
        using var archive = NpzFile.Open(npz);
        return archive.Contains("X") ? archive.Read("X").Rows : 0;
    }

    private static int Number(string name) =>
        int.TryParse(name.Split('_')[0], NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : int.MaxValue;
}
