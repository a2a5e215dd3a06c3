using System.Xml.Linq;
using Bottleneck.Formats;
using Bottleneck.Reports;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.IO;

public class ScatterChartTests
{
    /// <summary>10,000 points in ten clusters around a circle, labels 0-9 interleaved as in shuffled data.</summary>
    private static ScatterChart Digits(int count = 10_000)
    {
        var rng = new Rng(7);
        var x = new float[count];
        var y = new float[count];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % 10;
            double angle = labels[i] * Math.PI / 5;
            x[i] = (float)(5 * Math.Cos(angle) + rng.NextNormal());
            y[i] = (float)(5 * Math.Sin(angle) + rng.NextNormal());
        }
        var chart = new ScatterChart { Title = "Latent space (MNIST test set)", XLabel = "z0", YLabel = "z1" };
        chart.Add(x, y, labels);
        for (int d = 0; d < 10; d++) chart.LabelNames[d] = $"digit {d}";
        return chart;
    }

    [Fact]
    public void PngShowsEveryLabelColorInThePlot()
    {
        using var dir = new TempDir();
        string path = dir.File("scatter.png");
        Digits().SavePng(path, 640, 480);
        var png = PngDecoder.Read(path);
        Assert.Equal((640, 480, 3), (png.Width, png.Height, png.Channels));
        Assert.Equal(255, png[2, 2, 0]); // background corner
        var counts = new int[10];
        // The plot area lies roughly in the middle; the legend (right of it) adds at most 81 pixels per color.
        for (int py = 40; py < 440; py++)
        {
            for (int px = 60; px < 520; px++)
            {
                var c = new ChartColor(png[px, py, 0], png[px, py, 1], png[px, py, 2]);
                int k = ChartColor.Palette.ToList().IndexOf(c);
                if (k >= 0) counts[k]++;
            }
        }
        for (int k = 0; k < 10; k++) Assert.True(counts[k] > 500, $"only {counts[k]} pixels of label {k}'s color in the plot");
    }

    [Fact]
    public void SvgHasOneCircleAPointAndALegend()
    {
        var chart = Digits();
        chart.Add([float.NaN, 1f], [0f, float.PositiveInfinity], [3, 3]); // left out
        Assert.Equal(10_002, chart.Count);
        using var dir = new TempDir();
        string path = dir.File("scatter.svg");
        chart.SaveSvg(path, 640, 480);
        var doc = XDocument.Load(path);
        XNamespace ns = "http://www.w3.org/2000/svg";
        var circles = doc.Descendants(ns + "circle").ToList();
        Assert.Equal(10_000, circles.Count);
        Assert.Equal(1000, circles.Count(c => (string?)c.Attribute("fill") == ChartColor.Palette[3].ToHex()));
        var texts = doc.Descendants(ns + "text").Select(t => t.Value).ToList();
        for (int d = 0; d < 10; d++) Assert.Contains($"digit {d}", texts);
        Assert.Contains("Latent space (MNIST test set)", texts);
    }

    [Fact]
    public void ColorsFollowTheSortedDistinctLabels()
    {
        var chart = new ScatterChart();
        chart.AddRows([0f, 1f, 9f, 2f, 3f, 9f, 4f, 5f, 9f], 3, [7, 5, 7], xColumn: 0, yColumn: 1);
        Assert.Equal(ChartColor.Palette[0], chart.ColorOf(5));
        Assert.Equal(ChartColor.Palette[1], chart.ColorOf(7));
        Assert.Throws<BottleneckException>(() => chart.ColorOf(6));
        var svg = chart.RenderSvg(300, 200);
        Assert.Equal(3, XDocument.Parse(svg).Descendants().Count(e => e.Name.LocalName == "circle"));
        Assert.Contains(">7</text>", svg); // labels without a name show their number
    }

    [Fact]
    public void BadInputIsRefused()
    {
        var chart = new ScatterChart();
        Assert.Contains("must match", Assert.Throws<BottleneckException>(() => chart.Add([1f, 2f], [1f], [0, 0])).Message);
        Assert.Contains("whole number of rows", Assert.Throws<BottleneckException>(() => chart.AddRows([1f, 2f, 3f], 2, [0])).Message);
        Assert.Contains("columns 0 and 2", Assert.Throws<BottleneckException>(() => chart.AddRows([1f, 2f], 2, [0], 0, 2)).Message);
        chart.PointRadius = 0;
        Assert.Contains("point radius", Assert.Throws<BottleneckException>(() => chart.RenderRgb(300, 200)).Message);
    }
}
