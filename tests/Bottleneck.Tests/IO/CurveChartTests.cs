using System.Xml.Linq;
using Bottleneck.Formats;
using Bottleneck.Metrics;
using Bottleneck.Reports;

namespace Bottleneck.Tests.IO;

public class CurveChartTests
{
    /// <summary>The "distinct" case of ClassificationTests (sklearn: AUC 0.7443…, AP 0.6269…, 55 positives of 200).</summary>
    private static (double[] Scores, int[] Labels) Case() => Metrics.ClassificationTests.Distinct();

    [Fact]
    public void RocChartNamesTheAreaAndDrawsTheDiagonal()
    {
        var (s, y) = Case();
        var chart = CurveChart.Roc(("model", Classification.RocCurve(s, y)));
        Assert.Equal(["model, AUC = 0.744", "chance"], chart.Series.Select(x => x.Name));
        Assert.True(chart.Series[1].Dashed);
        using var dir = new TempDir();
        chart.SavePng(dir.File("roc.png"));
        var png = PngDecoder.Read(dir.File("roc.png"));
        Assert.Equal((640, 400), (png.Width, png.Height));
        int blue = 0, gray = 0;
        for (int i = 0; i < png.Pixels.Length; i += 3)
        {
            var c = new ChartColor(png.Pixels[i], png.Pixels[i + 1], png.Pixels[i + 2]);
            if (c == ChartColor.Palette[0]) blue++;
            if (c == ChartColor.Gray) gray++;
        }
        Assert.True(blue > 500, $"{blue} pixels of the curve");
        Assert.True(gray > 300, $"{gray} pixels of the diagonal and legend frame");
        var doc = XDocument.Parse(chart.RenderSvg(640, 400));
        var texts = doc.Descendants().Where(e => e.Name.LocalName == "text").Select(t => t.Value).ToList();
        Assert.Contains("model, AUC = 0.744", texts);
        Assert.Contains("1.0", texts); // the axes run to 1
        Assert.Contains(doc.Descendants(), e => e.Name.LocalName == "line" && e.Attribute("stroke-dasharray") != null);
        Assert.DoesNotContain(doc.Descendants(), e => e.Name.LocalName == "circle"); // no markers on curves
        // The legend box (gray frame) sits in the bottom-right corner, where a useful ROC curve is not.
        var box = doc.Descendants().Single(e => e.Name.LocalName == "rect" && (string?)e.Attribute("fill") == "#808080");
        Assert.True((int)box.Attribute("y")! > 200 && (int)box.Attribute("x")! > 320, $"legend at {box}");
    }

    [Fact]
    public void PrecisionRecallStepsEncloseTheAveragePrecision()
    {
        var (s, y) = Case();
        var chart = CurveChart.PrecisionRecall(Classification.PrecisionRecallCurve(s, y));
        Assert.Equal("AP = 0.627", chart.Series[0].Name);
        // The steps' area (vertical segments add nothing) is the average precision itself.
        var p = chart.Series[0].Points;
        double area = 0;
        for (int i = 1; i < p.Count; i++) area += (p[i].X - p[i - 1].X) * (p[i].Y + p[i - 1].Y) / 2;
        Assert.Equal(Classification.AveragePrecision(s, y), area, 12);
        Assert.All(chart.Series[1].Points, q => Assert.Equal(55 / 200.0, q.Y)); // chance = share of positives
        string svg = chart.RenderSvg(500, 400);
        XDocument.Parse(svg);
        Assert.Contains(">AP = 0.627</text>", svg);
        Assert.Contains(">recall</text>", svg);
    }

    [Fact]
    public void SeveralCurvesShareOneChart()
    {
        var (s, y) = Case();
        var flipped = s.Select(v => -v).ToArray();
        var chart = CurveChart.Roc(("model", Classification.RocCurve(s, y)), ("reversed", Classification.RocCurve(flipped, y)));
        Assert.Equal(3, chart.Series.Count);
        Assert.Equal("reversed, AUC = 0.256", chart.Series[1].Name);
        Assert.Throws<BottleneckException>(() => CurveChart.Roc());
    }
}
