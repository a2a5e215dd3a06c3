using System.Diagnostics;
using System.Text.RegularExpressions;
using Bottleneck.Reports;
using Bottleneck.Tests.IO;
using Xunit.Abstractions;

namespace Bottleneck.Tests.Reports;

/// <summary>
/// Opens reports in a real headless Chromium and reads back what the page's own load check found:
/// a report is only useful if a browser actually shows every figure.
/// </summary>
public class HtmlReportBrowserTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private string Load(string path)
    {
        var watch = Stopwatch.StartNew();
        string dom = Chromium.DumpDom(path, Timeout);
        output.WriteLine($"chromium loaded {Path.GetFileName(path)} in {watch.Elapsed.TotalSeconds:F2} s");
        return dom;
    }

    [ChromiumFact]
    public void Every_figure_of_a_report_loads_in_headless_chromium()
    {
        using var dir = new TempDir();
        string path = dir.File("report.html");
        var report = SampleReports.Run();
        report.Save(path);

        string dom = Load(path);
        int total = report.FigureIds.Count;
        Assert.Equal(3, total);
        Assert.Equal($"{total}/{total}", Chromium.MetaAttribute(dom, HtmlReport.FiguresLoadedMeta, "content"));
        Assert.Equal("", Chromium.MetaAttribute(dom, HtmlReport.FiguresLoadedMeta, "data-failed"));
        foreach (string id in report.FigureIds) Assert.Contains($"id=\"{id}\"", dom, StringComparison.Ordinal);
        Assert.Matches("<p id=\"figures-status\"[^>]*hidden", dom);
    }

    [ChromiumFact]
    public void The_load_check_reports_figures_the_browser_cannot_show()
    {
        using var dir = new TempDir();
        string path = dir.File("report.html");
        // A PNG signature followed by garbage passes the builder's check but cannot be decoded.
        var garbage = new byte[64];
        new Random(1).NextBytes(garbage);
        var report = new HtmlReport("Broken figures")
            .AddFigure("fig-good", "a good one", SampleReports.LossPng())
            .AddFigure("fig-bad-png", "signature, then garbage", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. garbage])
            .AddFigure("fig-bad-svg", "an SVG cut in half after the fact", SampleReports.LossChart().RenderSvg(320, 200));
        // Damage the SVG's data URI in the page itself, as a broken copy or a bad edit would.
        var svg = Regex.Match(report.Render(), "data:image/svg\\+xml;base64,([A-Za-z0-9+/=]+)");
        string payload = svg.Groups[1].Value;
        string html = report.Render().Replace(payload, payload[..(payload.Length / 8 * 4)], StringComparison.Ordinal);
        File.WriteAllText(path, html);

        string dom = Load(path);
        Assert.Equal("1/3", Chromium.MetaAttribute(dom, HtmlReport.FiguresLoadedMeta, "content"));
        Assert.Equal("fig-bad-png fig-bad-svg", Chromium.MetaAttribute(dom, HtmlReport.FiguresLoadedMeta, "data-failed"));
        Assert.Contains("2 of 3 figures could not be shown: fig-bad-png, fig-bad-svg", dom, StringComparison.Ordinal);
    }
}
