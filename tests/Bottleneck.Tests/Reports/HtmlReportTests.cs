using System.Text;
using System.Xml;
using System.Xml.Linq;
using Bottleneck.Formats;
using Bottleneck.Reports;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Reports;

public class HtmlReportTests
{
    /// <summary>Reads a report with an XML parser: the page is meant to be well-formed, which also proves every tag is closed and every text escaped.</summary>
    private static XDocument Parse(string html)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
        using var reader = XmlReader.Create(new StringReader(html), settings);
        return XDocument.Load(reader);
    }

    [Fact]
    public void A_report_is_well_formed_with_its_blocks_in_order()
    {
        var doc = Parse(SampleReports.Run().Render());
        var body = doc.Root!.Element("body")!;
        Assert.Equal("Run: vanilla on mnist", doc.Root.Element("head")!.Element("title")!.Value);
        Assert.Equal("Run: vanilla on mnist", body.Descendants("h1").Single().Value);
        Assert.Equal(new[] { "Curves and reconstructions of the test set." }, body.Descendants("p").Where(p => p.Attribute("id") == null).Select(p => p.Value));
        // Blocks before any section take top-level headings; the section's own heading is h2 too.
        Assert.Equal(new[] { "Model", "Per-epoch losses", "Figures" }, body.Descendants("h2").Select(h => h.Value));

        var facts = body.Descendants("table").First(t => (string?)t.Attribute("class") == "facts");
        Assert.Equal(("architecture", "784-400-20-400-784"), facts.Descendants("tr").Skip(1).Select(r => (r.Element("th")!.Value, r.Element("td")!.Value)).First());

        var metrics = body.Descendants("table").First(t => (string?)t.Attribute("class") == "data");
        Assert.Equal(new[] { "epoch", "train loss", "test loss", "seconds" }, metrics.Descendants("thead").Descendants("th").Select(th => th.Value));
        var rows = metrics.Element("tbody")!.Elements("tr").ToList();
        Assert.Equal(3, rows.Count);
        Assert.Equal(new[] { "3", "76.5", "74.71", "2.0" }, rows[2].Elements("td").Select(td => td.Value));
        Assert.All(rows.SelectMany(r => r.Elements("td")), td => Assert.Equal("num", (string?)td.Attribute("class")));

        var figures = body.Descendants("figure").ToList();
        Assert.Equal(new[] { "fig-loss", "fig-loss-svg", "fig-reconstruction" }, figures.Select(f => (string?)f.Attribute("id")));
        Assert.Equal("Figure 2. The same curves as SVG", figures[1].Element("figcaption")!.Value);
        Assert.Equal("#fig-loss-svg", (string?)figures[1].Element("figcaption")!.Element("a")!.Attribute("href"));
    }

    [Fact]
    public void Figures_are_embedded_byte_for_byte_and_nothing_is_fetched_from_outside()
    {
        var report = SampleReports.Run();
        var png = SampleReports.LossPng();
        string svg = SampleReports.LossChart().RenderSvg(320, 200);
        var doc = Parse(report.Render());
        var images = doc.Descendants("img").ToDictionary(i => (string)i.Parent!.Attribute("id")!, i => (string)i.Attribute("src")!);
        Assert.Equal(png, DataUri(images["fig-loss"], "image/png"));
        Assert.Equal(svg, Encoding.UTF8.GetString(DataUri(images["fig-loss-svg"], "image/svg+xml")));
        PngDecodes(DataUri(images["fig-reconstruction"], "image/png"));

        // No element may load anything from a URL: only data URIs and in-page anchors.
        foreach (var attribute in doc.Descendants().Attributes().Where(a => a.Name == "src" || a.Name == "href"))
            Assert.True(attribute.Value.StartsWith("data:", StringComparison.Ordinal) || attribute.Value.StartsWith('#'), $"{attribute.Parent!.Name} {attribute.Name}=\"{attribute.Value}\"");
        Assert.Empty(doc.Descendants("link"));
        Assert.All(doc.Descendants("script"), s => Assert.Null(s.Attribute("src")));
        Assert.DoesNotContain("url(", doc.Descendants("style").Single().Value, StringComparison.Ordinal);
        Assert.DoesNotContain("@import", doc.Descendants("style").Single().Value, StringComparison.Ordinal);
    }

    private static byte[] DataUri(string src, string mediaType)
    {
        string prefix = $"data:{mediaType};base64,";
        Assert.StartsWith(prefix, src);
        return Convert.FromBase64String(src[prefix.Length..]);
    }

    private static void PngDecodes(byte[] png)
    {
        var image = PngDecoder.Decode(png, "figure");
        Assert.Equal((62, 32), (image.Width, image.Height));
    }

    [Fact]
    public void All_text_is_html_encoded()
    {
        const string nasty = "<script>alert('x')</script> & \"quoted\" <b>bold</b>";
        var report = new HtmlReport("Title " + nasty);
        report.AddFacts("Facts " + nasty, [("key " + nasty, "value " + nasty)]);
        report.AddTable("Table " + nasty, ["h " + nasty], [["c " + nasty]]);
        report.AddSection("Section " + nasty, "Text " + nasty + "\n\nSecond paragraph\u0001 with a control character");
        report.AddFigure("fig-a", "Caption " + nasty, SampleReports.GrayPng(4, 4));
        string html = report.Render();
        var doc = Parse(html);

        // Only the page's own script element exists, and the injected markup is text.
        Assert.Single(doc.Descendants("script"));
        Assert.Empty(doc.Descendants("b"));
        string text = doc.Root!.Element("body")!.Value;
        foreach (string part in new[] { "Title ", "Facts ", "key ", "value ", "Table ", "h ", "c ", "Section ", "Text ", "Caption " })
            Assert.Contains(part + nasty, text, StringComparison.Ordinal);
        Assert.Equal("Title " + nasty, doc.Root.Element("head")!.Element("title")!.Value);
        Assert.Equal("Caption " + nasty, (string?)doc.Descendants("img").Single().Attribute("alt"));
        Assert.Contains("Second paragraph\uFFFD with", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\u0001', html);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1fig")]
    [InlineData("fig loss")]
    [InlineData("fig\"x")]
    [InlineData("fig<")]
    [InlineData("fig-é")]
    public void A_bad_figure_id_is_refused(string id)
    {
        var report = new HtmlReport("r");
        var e = Assert.Throws<ArgumentException>(() => report.AddFigure(id, "c", SampleReports.GrayPng(2, 2)));
        Assert.Contains("must start with a letter", e.Message);
        Assert.Empty(report.FigureIds);
    }

    [Fact]
    public void A_figure_id_is_used_once()
    {
        var report = new HtmlReport("r").AddFigure("fig-a", "first", SampleReports.GrayPng(2, 2));
        var e = Assert.Throws<ArgumentException>(() => report.AddFigure("fig-a", "second", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\"/>"));
        Assert.Contains("used twice", e.Message);
        Assert.Equal(new[] { "fig-a" }, report.FigureIds);
    }

    [Theory]
    [InlineData("<svg width=\"4\" height=\"4\"/>", "namespace")]
    [InlineData("<html xmlns=\"http://www.w3.org/2000/svg\"/>", "root element")]
    [InlineData("<svg xmlns=\"http://www.w3.org/2000/svg\"><rect></svg>", "not well-formed")]
    [InlineData("not svg at all", "not well-formed")]
    public void Svg_that_a_browser_would_not_draw_is_refused(string svg, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => new HtmlReport("r").AddFigure("fig-s", "c", svg));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Bytes_that_are_not_a_png_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new HtmlReport("r").AddFigure("fig-p", "c", "GIF89a......"u8.ToArray()));
        Assert.Contains("not a PNG", e.Message);
    }

    [Fact]
    public void A_table_row_of_the_wrong_width_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new HtmlReport("r").AddTable("t", ["a", "b"], [["1", "2"], ["3"]]));
        Assert.Contains("row 2 of table 't' has 1 cells, but the table has 2 columns", e.Message);
    }

    [Fact]
    public void Figures_come_from_png_and_svg_files_and_other_files_are_a_clear_error()
    {
        using var dir = new TempDir();
        var chart = SampleReports.LossChart();
        chart.SavePng(dir.File("loss_curve.png"), 320, 200);
        chart.SaveSvg(dir.File("loss_curve.svg"), 320, 200);
        File.WriteAllText(dir.File("notes.txt"), "hello");
        File.WriteAllText(dir.File("broken.svg"), "<svg");
        var report = new HtmlReport("r")
            .AddFigureFile("fig-png", "from PNG", dir.File("loss_curve.png"))
            .AddFigureFile("fig-svg", "from SVG", dir.File("loss_curve.svg"));
        var sources = Parse(report.Render()).Descendants("img").Select(i => (string)i.Attribute("src")!).ToList();
        Assert.Equal(File.ReadAllBytes(dir.File("loss_curve.png")), DataUri(sources[0], "image/png"));
        Assert.Equal(File.ReadAllBytes(dir.File("loss_curve.svg")), DataUri(sources[1], "image/svg+xml"));

        var e = Assert.Throws<BottleneckException>(() => report.AddFigureFile("fig-txt", "c", dir.File("notes.txt")));
        Assert.StartsWith(dir.File("notes.txt") + ": ", e.Message);
        e = Assert.Throws<BottleneckException>(() => report.AddFigureFile("fig-bad", "c", dir.File("broken.svg")));
        Assert.Contains("not well-formed", e.Message);
        e = Assert.Throws<BottleneckException>(() => report.AddFigureFile("fig-none", "c", dir.File("missing.png")));
        Assert.Contains("cannot open", e.Message);
    }

    [Fact]
    public void Save_writes_utf8_without_a_byte_order_mark_atomically()
    {
        using var dir = new TempDir();
        string path = dir.File("report.html");
        File.WriteAllText(path, "old");
        var report = new HtmlReport("Résumé ✓");
        report.Save(path);
        var bytes = File.ReadAllBytes(path);
        Assert.False(bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }));
        Assert.Equal(report.Render(), Encoding.UTF8.GetString(bytes));
        Assert.Contains("<meta charset=\"utf-8\" />", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void The_load_check_starts_unchecked()
    {
        // A page whose script never ran (scripts off, or a broken script) must not claim its figures loaded.
        var meta = Parse(SampleReports.Run().Render()).Descendants("meta").Single(m => (string?)m.Attribute("name") == HtmlReport.FiguresLoadedMeta);
        Assert.Equal("unchecked", (string?)meta.Attribute("content"));
    }
}
