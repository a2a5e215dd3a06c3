using Bottleneck.Formats;
using Bottleneck.Reports;

namespace Bottleneck.Tests.IO;

public class LineChartTests
{
    private static LineChart Sample()
    {
        var chart = new LineChart { Title = "Loss per epoch (MNIST)", XLabel = "epoch", YLabel = "loss = BCE / 784" };
        chart.AddSeries("train", Enumerable.Range(1, 12).Select(e => ((double)e, 0.3 / e + 0.05)));
        chart.AddSeries("test_set, 10%", Enumerable.Range(1, 12).Select(e => ((double)e, 0.32 / e + 0.06)));
        return chart;
    }

    [Fact]
    public void PngHasTheRequestedSizeAndDrawsSomething()
    {
        using var dir = new TempDir();
        string path = dir.File("chart.png");
        Sample().SavePng(path);
        var png = PngDecoder.Read(path);
        Assert.Equal((640, 400, 3), (png.Width, png.Height, png.Channels));
        int ink = 0, blue = 0;
        for (int i = 0; i < png.Pixels.Length; i += 3)
        {
            if (png.Pixels[i] != 255 || png.Pixels[i + 1] != 255 || png.Pixels[i + 2] != 255) ink++;
            if (png.Pixels[i] == 31 && png.Pixels[i + 1] == 119 && png.Pixels[i + 2] == 180) blue++;
        }
        Assert.InRange(ink, 2000, 640 * 400 / 2);
        Assert.True(blue > 200, $"only {blue} pixels of the first series' color");
        Assert.Equal(255, png[2, 2, 0]); // the corner is background
    }

    [Fact]
    public void SvgIsStandaloneWithTextElements()
    {
        using var dir = new TempDir();
        string path = dir.File("chart.svg");
        Sample().SaveSvg(path);
        string svg = File.ReadAllText(path);
        var doc = System.Xml.Linq.XDocument.Parse(svg); // well-formed XML
        Assert.Equal("svg", doc.Root!.Name.LocalName);
        Assert.Contains(">Loss per epoch (MNIST)</text>", svg);
        Assert.Contains(">test_set, 10%</text>", svg);
        Assert.Contains("rotate(-90", svg);
        Assert.Contains("#1f77b4", svg);
    }

    [Theory]
    [InlineData(0.0, 1.0, "0.0", "1.0")]
    [InlineData(1.0, 12.0, "0", "12")]
    [InlineData(0.051, 0.35, "0.05", "0.35")]
    [InlineData(5.0, 5.0, "4.4", "5.6")]
    public void AxesUseNiceTicks(double min, double max, string first, string last)
    {
        var (_, _, ticks) = LineChart.Axis([min, max]);
        var labels = LineChart.Labels(ticks);
        Assert.InRange(ticks.Length, 3, 12);
        Assert.Equal(first, labels[0]);
        Assert.Equal(last, labels[^1]);
    }

    [Fact]
    public void EmptyChartAndNonFinitePointsStillDraw()
    {
        var chart = new LineChart();
        Assert.Equal(200 * 150 * 3, chart.RenderRgb(200, 150).Length);
        chart.AddSeries("nan", [(0, double.NaN), (1, 1), (2, double.PositiveInfinity), (3, 2)]);
        Assert.Equal(200 * 150 * 3, chart.RenderRgb(200, 150).Length);
    }

    [Fact]
    public void FontCoversTheNeededCharacters()
    {
        foreach (char c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,-+:()/%=_ ")
            Assert.True(BitmapFont.Has(c), $"no glyph for '{c}'");
    }
}
