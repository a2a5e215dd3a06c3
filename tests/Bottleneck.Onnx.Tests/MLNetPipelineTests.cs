using Bottleneck.Applications;
using Bottleneck.Export;
using Bottleneck.MLNet;
using Bottleneck.Metrics;
using Bottleneck.Models;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit.Abstractions;

namespace Bottleneck.Onnx.Tests;

/// <summary>
/// An ML.NET pipeline that scores anomalies with an exported model (ApplyOnnxModel underneath):
/// the raw rows of a real table with labelled anomalies (ADBench's ionosphere: 351 radar returns,
/// 126 of them "bad") in, and out the same scores Bottleneck's anomaly command computes.
/// </summary>
public sealed class MLNetPipelineTests(ITestOutputHelper output)
{
    private sealed class Row
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    private sealed class Scored
    {
        public float Score { get; set; }

        public float[] Code { get; set; } = [];

        public bool Label { get; set; }

        public bool PredictedLabel { get; set; }
    }

    [Fact]
    public void AnMLNetPipelineScoresRawRowsAsBottleneckDoes()
    {
        var (raw, scaler, scaled, model) = IonosphereModel.Train("standard", epochs: 20, seed: 11);
        using var dir = new TempFolder();
        string onnx = Path.Combine(dir.Path, "model.onnx");
        OnnxExport.Save(model, NormalizationJson.From(scaler), onnx);

        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, raw.Count)
            .Select(i => new Row { Features = raw.Sample(i).ToArray(), Label = raw.Labels![i] == 1 }).ToList();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, raw.FeatureCount);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        // The threshold as `bottleneck anomaly --threshold p95` sets it: the 95th percentile of the training items' scores.
        var expected = AnomalyScores.ReconstructionErrors(model, scaled);
        float threshold = (float)Thresholds.PercentileThreshold(expected, 95);
        var pipeline = ml.Transforms.ScoreWithBottleneck(onnx, threshold: threshold);
        var scored = pipeline.Fit(data).Transform(data);
        var results = ml.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false).ToList();

        Assert.Equal(raw.Count, results.Count);
        Tolerance.AssertClose(Array.ConvertAll(expected, e => (float)e), results.Select(r => r.Score).ToArray(), "score");
        Assert.All(results, r => Assert.Equal(model.Config.Latent, r.Code.Length));
        Assert.All(results, r => Assert.Equal(r.Score > threshold, r.PredictedLabel));

        // The scores rank the labelled anomalies above the normal returns (ML.NET's own metric).
        var metrics = ml.BinaryClassification.EvaluateNonCalibrated(scored, labelColumnName: nameof(Row.Label), scoreColumnName: "Score");
        output.WriteLine($"ionosphere, {raw.Count} rows: ROC-AUC of the exported model's scores in ML.NET {metrics.AreaUnderRocCurve:F3}, above the 95th percentile {results.Count(r => r.PredictedLabel)} rows, {results.Count(r => r.PredictedLabel && r.Label)} of them labelled anomalies");
        Assert.True(metrics.AreaUnderRocCurve > 0.7, $"ROC-AUC {metrics.AreaUnderRocCurve:F3}");
    }

    [Fact]
    public void AMissingModelFileIsNamed()
    {
        var e = Assert.Throws<FileNotFoundException>(() => new MLContext().Transforms.ScoreWithBottleneck("/nonexistent/model.onnx"));
        Assert.Contains("bottleneck export", e.Message);
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("bottleneck-mlnet-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
