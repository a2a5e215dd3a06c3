using System.Xml.Linq;
using Bottleneck.Formats;
using Bottleneck.Reports;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.IO;

public class HistogramChartTests
{
    private static HistogramChart Scores(string? threshold)
    {
        var rng = new Rng(3);
        var normal = Enumerable.Range(0, 9000).Select(_ => 0.3 + 0.1 * rng.NextNormal()).ToArray();
        var anomalous = Enumerable.Range(0, 1000).Select(_ => (float)(0.8 + 0.15 * rng.NextNormal())).ToArray();
        var chart = new HistogramChart { Title = "Reconstruction error", XLabel = "score", Normalize = true, Bins = 40 };
        chart.AddSeries("normal", normal);
        chart.AddSeries("anomalous", anomalous);
        if (threshold != null) chart.AddThreshold(0.6, threshold);
        return chart;
    }

    [Fact]
    public void PngShowsBothSeriesAndTheThreshold()
    {
        using var dir = new TempDir();
        string path = dir.File("hist.png");
        Scores("threshold").SavePng(path);
        var png = PngDecoder.Read(path);
        Assert.Equal((640, 400, 3), (png.Width, png.Height, png.Channels));
        int blue = 0, orange = 0;
        for (int i = 0; i < png.Pixels.Length; i += 3)
        {
            var c = new ChartColor(png.Pixels[i], png.Pixels[i + 1], png.Pixels[i + 2]);
            if (c == ChartColor.Palette[0]) blue++;
            if (c == ChartColor.Palette[1]) orange++;
        }
        Assert.True(blue > 300 && orange > 300, $"outline pixels: {blue} blue, {orange} orange");

        // An unnamed threshold (no legend row) is all that differs from the chart without one:
        // black dashes down the plot, two pixels wide.
        var with = Scores("").RenderRgb(640, 400);
        var without = Scores(null).RenderRgb(640, 400);
        int changed = 0, black = 0;
        var columns = new HashSet<int>();
        for (int i = 0; i < without.Length; i += 3)
        {
            if (without[i] == with[i] && without[i + 1] == with[i + 1] && without[i + 2] == with[i + 2]) continue;
            changed++;
            columns.Add(i / 3 % 640);
            if (with[i] == 0 && with[i + 1] == 0 && with[i + 2] == 0) black++;
        }
        Assert.True(changed > 300 && black == changed && columns.Count == 2, $"{changed} pixels changed in {columns.Count} columns, {black} of them black");
    }

    [Fact]
    public void SvgIsWellFormedWithNamesFillsAndADashedThreshold()
    {
        string svg = Scores("threshold").RenderSvg(640, 400);
        var doc = XDocument.Parse(svg);
        var texts = doc.Descendants().Where(e => e.Name.LocalName == "text").Select(t => t.Value).ToList();
        Assert.Contains("normal", texts);
        Assert.Contains("anomalous", texts);
        Assert.Contains("threshold = 0.6", texts);
        Assert.Contains("share", texts); // the default y label of a normalised histogram
        var bars = doc.Descendants().Where(e => e.Name.LocalName == "rect" && e.Attribute("fill-opacity") != null).ToList();
        Assert.InRange(bars.Count, 20, 80); // non-empty bins of two series over 40 bins
        Assert.Contains(doc.Descendants(), e => e.Name.LocalName == "line" && e.Attribute("stroke-dasharray") != null);
    }

    [Fact]
    public void BinsMatchNumpyHistogram()
    {
        // numpy.histogram([0, 1, 2, 3, 4, 0.5], bins=4) → counts [2, 1, 1, 2], edges [0, 1, 2, 3, 4]:
        // half-open bins except the last, which holds its right edge.
        var chart = new HistogramChart { Bins = 4 };
        var s = chart.AddSeries("x", [0.0, 1, 2, 3, 4, 0.5, double.NaN]);
        Assert.Equal(6, s.Values.Count); // NaN left out
        var edges = chart.Edges();
        Assert.Equal([0.0, 1, 2, 3, 4], edges);
        Assert.Equal([2.0, 1, 1, 2], chart.Heights(s, edges));
        chart.Normalize = true;
        Assert.Equal(1.0, chart.Heights(s, edges).Sum(), 12);
    }

    [Fact]
    public void DegenerateInputStillDrawsAndBadSettingsAreRefused()
    {
        var chart = new HistogramChart();
        Assert.Equal(200 * 150 * 3, chart.RenderRgb(200, 150).Length); // no series
        chart.AddSeries("constant", [2.0, 2.0, 2.0]);
        Assert.Equal(200 * 150 * 3, chart.RenderRgb(200, 150).Length);
        Assert.Equal([1.5, 2.5], new[] { chart.Edges()[0], chart.Edges()[^1] });
        Assert.Throws<BottleneckException>(() => chart.AddThreshold(double.NaN));
        chart.Bins = 0;
        Assert.Contains("0 bins", Assert.Throws<BottleneckException>(() => chart.RenderRgb(200, 150)).Message);
    }
}
