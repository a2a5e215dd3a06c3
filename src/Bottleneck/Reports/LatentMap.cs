using System.Globalization;
using Bottleneck.Applications;

namespace Bottleneck.Reports;

/// <summary>The latent map picture: the test codes' points coloured by label, as PNG and SVG.</summary>
public static class LatentMap
{
    public const int Width = 640;
    public const int Height = 480;

    /// <summary>Writes &lt;stem&gt;.png and &lt;stem&gt;.svg (a .png or .svg ending of <paramref name="stem"/> is dropped); returns both paths.</summary>
    public static (string Png, string Svg) Save(string stem, EmbeddingResult result, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(stem);
        ArgumentNullException.ThrowIfNull(result);
        if (Path.GetExtension(stem).ToLowerInvariant() is ".png" or ".svg") stem = stem[..^4];
        var chart = new ScatterChart
        {
            Title = title ?? string.Create(CultureInfo.InvariantCulture, $"Latent space: {result.TestCount} test codes by label"),
            XLabel = result.XLabel,
            YLabel = result.YLabel,
            PointRadius = result.TestCount > 5000 ? 1.0 : 1.5,
        };
        chart.AddRows(result.Map, 2, result.Labels);
        string png = stem + ".png";
        string svg = stem + ".svg";
        chart.SavePng(png, Width, Height);
        chart.SaveSvg(svg, Width, Height);
        return (png, svg);
    }
}
