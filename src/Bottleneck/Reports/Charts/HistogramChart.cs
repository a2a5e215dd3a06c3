using System.Globalization;

namespace Bottleneck.Reports;

/// <summary>One distribution of a <see cref="HistogramChart"/>.</summary>
public sealed class HistogramSeries(string name, ChartColor color, double[] values)
{
    public string Name { get; } = name;

    public ChartColor Color { get; } = color;

    public IReadOnlyList<double> Values { get; } = values;
}

/// <summary>
/// Histograms of one or more series over shared bins, overlaid with translucent fills and solid
/// outlines, plus optional vertical threshold lines: e.g. anomaly scores of normal against
/// anomalous items, with the chosen decision threshold.
/// </summary>
public sealed class HistogramChart : Chart
{
    private readonly List<HistogramSeries> series = [];
    private readonly List<(double X, string Name, ChartColor Color)> thresholds = [];

    /// <summary>The number of equal-width bins spanning the smallest to the largest value of all series.</summary>
    public int Bins { get; set; } = 50;

    /// <summary>Plot each bin's share of its series instead of its count, so series of different sizes compare.</summary>
    public bool Normalize { get; set; }

    public IReadOnlyList<HistogramSeries> Series => series;

    /// <summary>Adds a series; non-finite values are left out. Without a color it takes the next of <see cref="ChartColor.Palette"/>.</summary>
    public HistogramSeries AddSeries(string name, IEnumerable<double> values, ChartColor? color = null)
    {
        var s = new HistogramSeries(name, color ?? ChartColor.Palette[series.Count % ChartColor.Palette.Count], values.Where(double.IsFinite).ToArray());
        series.Add(s);
        return s;
    }

    /// <inheritdoc cref="AddSeries(string, IEnumerable{double}, ChartColor?)"/>
    public HistogramSeries AddSeries(string name, ReadOnlySpan<float> values, ChartColor? color = null)
    {
        var copy = new double[values.Length];
        for (int i = 0; i < values.Length; i++) copy[i] = values[i];
        return AddSeries(name, copy, color);
    }

    /// <summary>Adds a vertical dashed line at <paramref name="x"/>; its legend entry reads "name = x" unless the name is empty.</summary>
    public void AddThreshold(double x, string name = "threshold", ChartColor? color = null)
    {
        if (!double.IsFinite(x)) throw new BottleneckException($"histogram chart: threshold {x} is not a finite number");
        thresholds.Add((x, name, color ?? ChartColor.Black));
    }

    /// <summary>Bin edges (Bins + 1 values) over the range of all series; a single value gets a unit-wide range around it.</summary>
    internal double[] Edges()
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var s in series)
        {
            foreach (double v in s.Values)
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }
        if (min > max) (min, max) = (0, 1);
        if (max == min) (min, max) = (min - 0.5, max + 0.5);
        var edges = new double[Bins + 1];
        for (int i = 0; i <= Bins; i++) edges[i] = min + (max - min) * i / Bins;
        return edges;
    }

    /// <summary>Each bin's count (or share) for one series; the last bin includes its right edge, as numpy.histogram's does.</summary>
    internal double[] Heights(HistogramSeries s, double[] edges)
    {
        var heights = new double[Bins];
        double min = edges[0], width = edges[^1] - edges[0];
        foreach (double v in s.Values)
        {
            int bin = (int)Math.Floor((v - min) / width * Bins);
            heights[Math.Clamp(bin, 0, Bins - 1)]++;
        }
        if (Normalize && s.Values.Count > 0)
        {
            for (int i = 0; i < Bins; i++) heights[i] /= s.Values.Count;
        }
        return heights;
    }

    internal override void Draw(IChartCanvas canvas, int width, int height)
    {
        if (Bins < 1 || Bins > 10_000) throw new BottleneckException($"histogram chart: {Bins} bins is outside 1 to 10000");
        var edges = Edges();
        var heights = series.Select(s => Heights(s, edges)).ToList();
        var xs = edges.Concat(thresholds.Select(t => t.X));
        var ys = heights.SelectMany(h => h).Append(0);
        var frame = new ChartFrame(width, height, Title, XLabel, string.IsNullOrEmpty(YLabel) ? (Normalize ? "share" : "count") : YLabel, xs, ys);
        frame.DrawBackground(canvas);

        // Translucent fills so that overlapping bars of two series both show, then solid outlines.
        double opacity = series.Count > 1 ? 0.45 : 0.7;
        double baseline = frame.Py(0);
        for (int s = 0; s < series.Count; s++)
        {
            for (int b = 0; b < Bins; b++)
            {
                if (heights[s][b] <= 0) continue;
                int x0 = (int)Math.Round(frame.Px(edges[b])), x1 = (int)Math.Round(frame.Px(edges[b + 1]));
                int top = (int)Math.Round(frame.Py(heights[s][b]));
                canvas.FillRect(x0, top, Math.Max(1, x1 - x0), (int)Math.Round(baseline) - top, series[s].Color, opacity);
            }
        }
        for (int s = 0; s < series.Count; s++)
        {
            var color = series[s].Color;
            double previous = 0;
            for (int b = 0; b < Bins; b++)
            {
                double x0 = frame.Px(edges[b]), x1 = frame.Px(edges[b + 1]), y = frame.Py(heights[s][b]);
                canvas.Line(x0, frame.Py(previous), x0, y, color, 1);
                canvas.Line(x0, y, x1, y, color, 1);
                previous = heights[s][b];
            }
            canvas.Line(frame.Px(edges[^1]), frame.Py(previous), frame.Px(edges[^1]), baseline, color, 1);
        }
        foreach (var (x, _, color) in thresholds)
            canvas.Line(frame.Px(x), frame.Top, frame.Px(x), frame.Bottom, color, 2, dashed: true);
        frame.DrawAxes(canvas);

        var legend = series.Select(s => new LegendEntry(s.Name, s.Color, LegendMark.Box))
            .Concat(thresholds.Select(t => new LegendEntry(
                string.IsNullOrEmpty(t.Name) ? "" : $"{t.Name} = {t.X.ToString("G4", CultureInfo.InvariantCulture)}", t.Color, LegendMark.DashedLine)));
        frame.DrawLegend(canvas, legend);
    }
}
