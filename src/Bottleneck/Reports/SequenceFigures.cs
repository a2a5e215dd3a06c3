using Bottleneck.Data;
using Bottleneck.Layers;
using Bottleneck.Models;
using Bottleneck.Tensors;

namespace Bottleneck.Reports;

/// <summary>
/// The pictures of a model of windows of a time series: a test window over its reconstruction
/// (each variable a line, the reconstruction dashed), and for the attention kind the encoder's
/// self-attention maps (which steps each step looks at).
/// </summary>
public static class SequenceFigures
{
    public const string AttentionStem = "attention_maps";
    private const int Maps = 8;
    private const int CellPixels = 4; // a step of a map drawn 4×4 pixels, so that 32 steps make 128

    /// <summary>Window <paramref name="index"/> of <paramref name="windows"/> and its reconstruction, as a line chart per variable.</summary>
    public static void SaveReconstruction(Autoencoder model, Dataset windows, IReadOnlyList<string> variables, string path, int index = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(windows);
        if (index < 0 || index >= windows.Count)
            throw new BottleneckException($"{windows.Name}: no window {index}; it has windows 0 to {windows.Count - 1}");
        int steps = model.Config.Steps, f = model.Config.StepFeatures;
        var x = new Tensor(1, model.Config.InputSize);
        windows.CopyRows(index, 1, x);
        var y = model.Reconstruct(x);
        var chart = new LineChart { Title = $"Window {index} and its reconstruction (dashed)", XLabel = "step", YLabel = "scaled value" };
        for (int v = 0; v < f; v++)
        {
            var color = ChartColor.Palette[v % ChartColor.Palette.Count];
            string name = v < variables.Count ? variables[v] : $"variable {v}";
            chart.AddSeries(name, Enumerable.Range(0, steps).Select(t => ((double)t, (double)x[t * f + v])), color);
            var r = chart.AddSeries(name + " reconstructed", Enumerable.Range(0, steps).Select(t => ((double)t, (double)y[t * f + v])), color);
            r.Dashed = true;
        }
        chart.SavePng(path);
    }

    /// <summary>
    /// The encoder's attention weights (averaged over heads) for the first test windows, one
    /// grey map per window, row t the weights step t gives every step, each map scaled to its largest weight.
    /// </summary>
    public static void SaveAttentionMaps(Autoencoder model, Dataset test, string path)
    {
        if (model.Encoder.Layers.OfType<TransformerEncoderLayer>().FirstOrDefault() is not { } attention) return;
        int n = Math.Min(Maps, test.Count), steps = model.Config.Steps, side = steps * CellPixels;
        if (n == 0) return;
        var x = new Tensor(n, model.Config.InputSize);
        test.CopyRows(0, n, x);
        model.Encode(x); // leaves the weights of this forward in the layer
        var weights = attention.AttentionWeights ?? throw new InvalidOperationException("no attention weights after a forward");
        var images = new Tensor(n, side * side);
        for (int i = 0; i < n; i++)
        {
            var map = weights.Span.Slice(i * steps * steps, steps * steps);
            float max = Math.Max(1e-12f, System.Numerics.Tensors.TensorPrimitives.Max(map));
            var image = images.Row(i);
            for (int py = 0; py < side; py++)
                for (int px = 0; px < side; px++)
                    image[py * side + px] = map[py / CellPixels * steps + px / CellPixels] / max;
        }
        ImageGrid.Save(path, images, 1, side, side, nrow: Math.Min(n, 4));
    }
}
