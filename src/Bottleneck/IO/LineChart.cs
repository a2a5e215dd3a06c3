namespace Bottleneck.IO;

/// <summary>TEMPORARY stub, replaced by the io branch.</summary>
public sealed class LineChart
{
    public static readonly string[] Palette = ["#1f77b4", "#ff7f0e"];
    public string Title { get; set; } = "";
    public string XLabel { get; set; } = "";
    public string YLabel { get; set; } = "";
    public void AddSeries(string name, string color, IEnumerable<(double X, double Y)> points) { }
    public void SavePng(string path) { }
}
