using Bottleneck.Formats;
using Bottleneck.Reports;

namespace Bottleneck.Tests.Reports;

/// <summary>Reports and figures made with the toolkit's own chart and PNG writers, as a run's report would be.</summary>
internal static class SampleReports
{
    public static LineChart LossChart()
    {
        var chart = new LineChart { Title = "Loss", XLabel = "epoch", YLabel = "BCE per image" };
        chart.AddSeries("train", [(1, 104.2), (2, 81.0), (3, 76.5)]);
        chart.AddSeries("test", [(1, 86.95), (2, 77.80), (3, 74.71)]);
        return chart;
    }

    public static byte[] LossPng()
    {
        var pixels = LossChart().RenderRgb(320, 200);
        using var buffer = new MemoryStream();
        Png.EncodeRgb8(buffer, 320, 200, pixels);
        return buffer.ToArray();
    }

    public static byte[] GrayPng(int width, int height)
    {
        var pixels = new byte[width * height];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 7);
        using var buffer = new MemoryStream();
        Png.EncodeGray8(buffer, width, height, pixels);
        return buffer.ToArray();
    }

    public static HtmlReport Run()
    {
        var report = new HtmlReport("Run: vanilla on mnist");
        report.AddFacts("Model", [("kind", "vanilla"), ("architecture", "784-400-20-400-784"), ("dataset", "mnist"), ("epochs", "3"), ("final test loss", "74.71")]);
        report.AddTable("Per-epoch losses", ["epoch", "train loss", "test loss", "seconds"],
            [["1", "104.2", "86.95", "2.1"], ["2", "81.0", "77.80", "2.0"], ["3", "76.5", "74.71", "2.0"]]);
        report.AddSection("Figures", "Curves and reconstructions of the test set.");
        report.AddFigure("fig-loss", "Train and test loss per epoch (PNG)", LossPng());
        report.AddFigure("fig-loss-svg", "The same curves as SVG", LossChart().RenderSvg(320, 200));
        report.AddFigure("fig-reconstruction", "Test originals above their reconstructions", GrayPng(62, 32));
        return report;
    }
}
