using Bottleneck.Applications;
using Bottleneck.Data;
using Bottleneck.Export;
using Bottleneck.Models;
using Bottleneck.Tensors;
using Bottleneck.Tests;
using Xunit.Abstractions;
using Bottleneck.Training;

namespace Bottleneck.Onnx.Tests;

/// <summary>
/// The window kinds exported and run by ONNX Runtime on raw windows of a real series (US
/// macroeconomic data from Debian's python3-statsmodels, four variables in their own units): the
/// graph scales each variable as model.json says, and its code, reconstruction and score equal
/// Bottleneck's to 1e-5.
/// </summary>
public sealed class SequenceExportTests(ITestOutputHelper output)
{
    private const int Window = 16;
    private const int Stride = 2;

    [SeriesTheory]
    [InlineData(ModelKind.Lstm, 1)]
    [InlineData(ModelKind.Lstm, 2)]
    [InlineData(ModelKind.Gru, 1)]
    [InlineData(ModelKind.Gru, 2)]
    [InlineData(ModelKind.Attention, 1)]
    public void OnnxRuntimeMatchesBottleneckOnRawWindowsOfARealSeries(ModelKind kind, int layers)
    {
        var series = TimeSeries.Read(SeriesData.Macrodata, new SeriesOptions { Window = Window, FeatureColumns = ["realgdp", "realcons", "realinv", "unemp"] });
        var scaler = new FeatureScaler("standard").Fit(series.AsTable());
        var windows = series.Scaled(scaler).Windows(Window, Stride);
        var raw = series.Windows(Window, Stride);
        var config = ModelKinds.Defaults(kind) with
        {
            InputSize = windows.FeatureCount,
            Steps = Window,
            Hidden = layers == 1 ? [16] : [16, 8],
            Latent = 4,
        };
        var model = new Autoencoder(config, seed: 11);
        Trainer.Fit(model, windows, new Training.FitOptions { Epochs = 2, BatchSize = 16 });

        var bytes = OnnxExport.ToBytes(model, NormalizationJson.From(scaler));
        var outputs = OnnxRuntimeSession.Run(bytes, raw.Features, raw.Count, raw.FeatureCount);
        var x = new Tensor(windows.Count, windows.FeatureCount);
        windows.CopyRows(0, windows.Count, x);
        Assert.Equal([windows.Count, 4], outputs[OnnxExport.CodeName].Shape);
        var worst = new[]
        {
            Tolerance.AssertClose(model.Encode(x).Span, outputs[OnnxExport.CodeName].Values, "code"),
            Tolerance.AssertClose(model.Reconstruct(x).Span, outputs[OnnxExport.ReconstructionName].Values, "reconstruction"),
            Tolerance.AssertClose(Array.ConvertAll(AnomalyScores.ReconstructionErrors(model, windows), s => (float)s), outputs[OnnxExport.ScoreName].Values, "score"),
        };
        output.WriteLine($"{kind}, {layers} layer(s), {windows.Count} windows: {bytes.Length} bytes; largest differences {string.Join(", ", worst.Select(w => w.ToString("E1")))}");
    }
}
