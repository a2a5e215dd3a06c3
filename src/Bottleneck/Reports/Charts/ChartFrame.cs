using System.Globalization;
using System.Security;
using System.Text;
using Bottleneck.Formats;
using Bottleneck.IO;

namespace Bottleneck.Reports;

/// <summary>
/// A chart that saves as PNG or SVG with no plotting dependency. Both formats are drawn from one
/// layout through <see cref="IChartCanvas"/>, so they show the same picture.
/// </summary>
public abstract class Chart
{
    public string Title { get; set; } = "";

    public string XLabel { get; set; } = "";

    public string YLabel { get; set; } = "";

    public void SavePng(string path, int width = 640, int height = 400)
    {
        var pixels = RenderRgb(width, height);
        Png.WriteRgb8(path, width, height, pixels);
    }

    public void SaveSvg(string path, int width = 640, int height = 400)
    {
        var bytes = Encoding.UTF8.GetBytes(RenderSvg(width, height));
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    /// <summary>Draws the chart into RGB bytes, row by row.</summary>
    public byte[] RenderRgb(int width, int height)
    {
        ChartFrame.CheckSize(width, height);
        var canvas = new RasterCanvas(width, height);
        Draw(canvas, width, height);
        return canvas.Pixels;
    }

    /// <summary>The chart as a standalone SVG document.</summary>
    public string RenderSvg(int width, int height)
    {
        ChartFrame.CheckSize(width, height);
        var canvas = new SvgCanvas(width, height);
        Draw(canvas, width, height);
        return canvas.Finish();
    }

    internal abstract void Draw(IChartCanvas canvas, int width, int height);
}

internal enum TextAnchor
{
    Start,
    Middle,
    End,
}

/// <summary>How a legend row shows its series.</summary>
internal enum LegendMark
{
    LineAndMarker,
    Line,
    DashedLine,
    Box,
}

/// <summary>Where a chart's legend goes: a corner inside the plot, or beside it on the right.</summary>
public enum LegendPlacement
{
    TopRight,
    TopLeft,
    BottomRight,
    BottomLeft,
    Right,
}

internal readonly record struct LegendEntry(string Name, ChartColor Color, LegendMark Mark);

/// <summary>The few drawing operations a chart needs; coordinates are pixels from the top-left.</summary>
internal interface IChartCanvas
{
    /// <summary>A filled rectangle; with <paramref name="opacity"/> below 1 it is blended over what is there.</summary>
    void FillRect(int x, int y, int w, int h, ChartColor color, double opacity = 1);

    void Line(double x0, double y0, double x1, double y1, ChartColor color, int thickness, bool dashed = false);

    /// <summary>The round marker drawn on line-chart points (radius 3).</summary>
    void Marker(double x, double y, ChartColor color);

    /// <summary>A small filled disc, for scatter points.</summary>
    void Dot(double x, double y, double radius, ChartColor color);

    /// <summary>Text whose glyph cell top is <paramref name="top"/>; vertical text reads bottom to top, centered on (x, top).</summary>
    void Text(string text, int x, int top, int scale, TextAnchor anchor, ChartColor color, bool vertical = false);
}

/// <summary>
/// The frame shared by every chart: title, axes with "nice" numeric ticks, grid, axis labels, and
/// the mapping from data to pixels; plus the legend box.
/// </summary>
internal sealed class ChartFrame
{
    private readonly double[] xTicks, yTicks;
    private readonly string[] xLabels, yLabels;
    private readonly string title, xLabel, yLabel;

    public int Width { get; }

    public int Height { get; }

    public int Left { get; }

    public int Right { get; }

    public int Top { get; }

    public int Bottom { get; }

    public double XMin { get; }

    public double XMax { get; }

    public double YMin { get; }

    public double YMax { get; }

    /// <summary>
    /// Lays out a chart whose axes cover <paramref name="xs"/> and <paramref name="ys"/> (non-finite
    /// values ignored). <paramref name="rightMargin"/> reserves room right of the plot, e.g. for a legend.
    /// </summary>
    public ChartFrame(int width, int height, string title, string xLabel, string yLabel, IEnumerable<double> xs, IEnumerable<double> ys, int rightMargin = 20)
    {
        Width = width;
        Height = height;
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        (XMin, XMax, xTicks) = Axis(xs.Where(double.IsFinite));
        (YMin, YMax, yTicks) = Axis(ys.Where(double.IsFinite));
        xLabels = Labels(xTicks);
        yLabels = Labels(yTicks);

        const int titleScale = 2;
        Top = string.IsNullOrEmpty(title) ? 14 : 14 + BitmapFont.CapHeight * titleScale + 12;
        Left = 12 + (string.IsNullOrEmpty(yLabel) ? 0 : BitmapFont.GlyphHeight + 8) + yLabels.Max(l => BitmapFont.Measure(l)) + 8;
        Bottom = height - (12 + BitmapFont.GlyphHeight + 6 + (string.IsNullOrEmpty(xLabel) ? 0 : BitmapFont.GlyphHeight + 8));
        Right = width - rightMargin;
        if (Right - Left < 20 || Bottom - Top < 20)
            throw new BottleneckException($"chart: {width}x{height} is too small for the labels; make it larger");
    }

    public static void CheckSize(int width, int height)
    {
        if (width < 120 || height < 100 || width > 8000 || height > 8000)
            throw new BottleneckException($"chart: size {width}x{height} is out of range (120x100 to 8000x8000)");
    }

    public double Px(double x) => Left + (x - XMin) / (XMax - XMin) * (Right - Left);

    public double Py(double y) => Bottom - (y - YMin) / (YMax - YMin) * (Bottom - Top);

    /// <summary>Background, title, grid lines, ticks with labels, the two axes and their labels.</summary>
    public void DrawBackground(IChartCanvas canvas)
    {
        canvas.FillRect(0, 0, Width, Height, ChartColor.White);
        if (!string.IsNullOrEmpty(title))
            canvas.Text(title, (Left + Right) / 2, 10, 2, TextAnchor.Middle, ChartColor.Black);

        for (int i = 0; i < xTicks.Length; i++)
        {
            int x = (int)Math.Round(Px(xTicks[i]));
            canvas.Line(x, Top, x, Bottom, ChartColor.LightGray, 1);
            canvas.Line(x, Bottom, x, Bottom + 4, ChartColor.Black, 1);
            canvas.Text(xLabels[i], x, Bottom + 7, 1, TextAnchor.Middle, ChartColor.Black);
        }
        for (int i = 0; i < yTicks.Length; i++)
        {
            int y = (int)Math.Round(Py(yTicks[i]));
            canvas.Line(Left, y, Right, y, ChartColor.LightGray, 1);
            canvas.Line(Left - 4, y, Left, y, ChartColor.Black, 1);
            canvas.Text(yLabels[i], Left - 7, y - 3, 1, TextAnchor.End, ChartColor.Black);
        }
        DrawAxes(canvas);
        if (!string.IsNullOrEmpty(xLabel))
            canvas.Text(xLabel, (Left + Right) / 2, Height - 12 - BitmapFont.GlyphHeight, 1, TextAnchor.Middle, ChartColor.Black);
        if (!string.IsNullOrEmpty(yLabel))
            canvas.Text(yLabel, 12, (Top + Bottom) / 2, 1, TextAnchor.Middle, ChartColor.Black, vertical: true);
    }

    /// <summary>The left and bottom axis lines; charts that fill the plot area redraw them on top.</summary>
    public void DrawAxes(IChartCanvas canvas)
    {
        canvas.Line(Left, Top, Left, Bottom, ChartColor.Black, 1);
        canvas.Line(Left, Bottom, Right, Bottom, ChartColor.Black, 1);
    }

    private const int LegendRowHeight = 14, LegendSwatch = 18;

    /// <summary>The legend box's width for these entries (0 when none has a name).</summary>
    public static int LegendWidth(IEnumerable<LegendEntry> entries)
    {
        var named = entries.Where(e => !string.IsNullOrEmpty(e.Name)).ToList();
        return named.Count == 0 ? 0 : 8 + LegendSwatch + 6 + named.Max(e => BitmapFont.Measure(e.Name)) + 8;
    }

    /// <summary>
    /// The legend in a corner of the plot, or just right of it (for <see cref="LegendPlacement.Right"/>
    /// the frame must have been given the room as its right margin). Unnamed entries are left out.
    /// </summary>
    public void DrawLegend(IChartCanvas canvas, IEnumerable<LegendEntry> entries, LegendPlacement placement = LegendPlacement.TopRight)
    {
        var named = entries.Where(e => !string.IsNullOrEmpty(e.Name)).ToList();
        if (named.Count == 0) return;
        int boxWidth = LegendWidth(named);
        int boxHeight = 6 + named.Count * LegendRowHeight;
        int bx = placement switch
        {
            LegendPlacement.Right => Right + 10,
            LegendPlacement.TopLeft or LegendPlacement.BottomLeft => Left + 6,
            _ => Right - boxWidth - 6,
        };
        int by = placement is LegendPlacement.BottomRight or LegendPlacement.BottomLeft ? Bottom - boxHeight - 6 : Top + 6;
        canvas.FillRect(bx, by, boxWidth, boxHeight, ChartColor.Gray);
        canvas.FillRect(bx + 1, by + 1, boxWidth - 2, boxHeight - 2, ChartColor.White);
        for (int i = 0; i < named.Count; i++)
        {
            int rowTop = by + 5 + i * LegendRowHeight;
            int mid = rowTop + 3;
            var e = named[i];
            switch (e.Mark)
            {
                case LegendMark.Box:
                    canvas.FillRect(bx + 8 + LegendSwatch / 2 - 4, mid - 4, 9, 9, e.Color);
                    break;
                case LegendMark.LineAndMarker:
                    canvas.Line(bx + 8, mid, bx + 8 + LegendSwatch, mid, e.Color, 2);
                    canvas.Marker(bx + 8 + LegendSwatch / 2.0, mid, e.Color);
                    break;
                default:
                    canvas.Line(bx + 8, mid, bx + 8 + LegendSwatch, mid, e.Color, 2, dashed: e.Mark == LegendMark.DashedLine);
                    break;
            }
            canvas.Text(e.Name, bx + 8 + LegendSwatch + 6, rowTop, 1, TextAnchor.Start, ChartColor.Black);
        }
    }

    /// <summary>An axis range that holds all values, ending on multiples of a 1-2-5 step giving about 5 ticks.</summary>
    internal static (double Min, double Max, double[] Ticks) Axis(IEnumerable<double> values)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        if (min > max) (min, max) = (0, 1);
        if (max - min < 1e-12 * Math.Max(1, Math.Abs(max)))
        {
            double pad = Math.Abs(min) > 0 ? Math.Abs(min) * 0.1 : 1;
            min -= pad;
            max += pad;
        }
        double step = NiceStep((max - min) / 5);
        double lo = Math.Floor(min / step) * step, hi = Math.Ceiling(max / step) * step;
        int count = (int)Math.Round((hi - lo) / step) + 1;
        var ticks = new double[count];
        for (int i = 0; i < count; i++) ticks[i] = lo + i * step;
        return (lo, hi, ticks);
    }

    private static double NiceStep(double rough)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double f = rough / magnitude;
        double nice = f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10;
        return nice * magnitude;
    }

    /// <summary>Tick labels with just enough decimals to tell neighbouring ticks apart.</summary>
    internal static string[] Labels(double[] ticks)
    {
        double step = ticks.Length > 1 ? ticks[1] - ticks[0] : 1;
        double largest = ticks.Max(Math.Abs);
        bool scientific = largest >= 1e6 || (step < 1e-4 && largest < 1e-3);
        int decimals = Math.Clamp(-(int)Math.Floor(Math.Log10(step) + 1e-9), 0, 10);
        return ticks.Select(t =>
        {
            if (Math.Abs(t) < step * 1e-6) t = 0; // no "-0" or "1E-17"
            return scientific ? t.ToString("0.###E+0", CultureInfo.InvariantCulture) : t.ToString("F" + decimals, CultureInfo.InvariantCulture);
        }).ToArray();
    }
}

internal sealed class RasterCanvas(int width, int height) : IChartCanvas
{
    // Dashes are this many pixels of ink, then as many of paper, along the line.
    private const int DashLength = 6;

    public byte[] Pixels { get; } = new byte[width * height * 3];

    private void Plot(int x, int y, ChartColor c)
    {
        if ((uint)x >= (uint)width || (uint)y >= (uint)height) return;
        int i = (y * width + x) * 3;
        Pixels[i] = c.R;
        Pixels[i + 1] = c.G;
        Pixels[i + 2] = c.B;
    }

    public void FillRect(int x, int y, int w, int h, ChartColor color, double opacity = 1)
    {
        if (opacity >= 1)
        {
            for (int yy = y; yy < y + h; yy++)
                for (int xx = x; xx < x + w; xx++) Plot(xx, yy, color);
            return;
        }
        int x0 = Math.Max(0, x), x1 = Math.Min(width, x + w), y0 = Math.Max(0, y), y1 = Math.Min(height, y + h);
        for (int yy = y0; yy < y1; yy++)
        {
            for (int xx = x0; xx < x1; xx++)
            {
                int i = (yy * width + xx) * 3;
                Pixels[i] = Blend(Pixels[i], color.R, opacity);
                Pixels[i + 1] = Blend(Pixels[i + 1], color.G, opacity);
                Pixels[i + 2] = Blend(Pixels[i + 2], color.B, opacity);
            }
        }
    }

    private static byte Blend(byte under, byte over, double opacity) => (byte)Math.Round(under + (over - under) * opacity);

    public void Line(double x0, double y0, double x1, double y1, ChartColor color, int thickness, bool dashed = false)
    {
        // Step along the longer axis one pixel at a time; a thick line is a small square brush.
        int steps = (int)Math.Ceiling(Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0)));
        for (int i = 0; i <= steps; i++)
        {
            if (dashed && i / DashLength % 2 == 1) continue;
            double t = steps == 0 ? 0 : (double)i / steps;
            int x = (int)Math.Round(x0 + (x1 - x0) * t), y = (int)Math.Round(y0 + (y1 - y0) * t);
            for (int dy = 0; dy < thickness; dy++)
                for (int dx = 0; dx < thickness; dx++) Plot(x + dx - thickness / 2, y + dy - thickness / 2, color);
        }
    }

    public void Marker(double x, double y, ChartColor color) => Disc(x, y, 10, color);

    public void Dot(double x, double y, double radius, ChartColor color) => Disc(x, y, radius * radius, color);

    private void Disc(double x, double y, double radiusSquared, ChartColor color)
    {
        int cx = (int)Math.Round(x), cy = (int)Math.Round(y), r = (int)Math.Ceiling(Math.Sqrt(radiusSquared));
        for (int dy = -r; dy <= r; dy++)
            for (int dx = -r; dx <= r; dx++)
                if (dx * dx + dy * dy <= radiusSquared) Plot(cx + dx, cy + dy, color);
    }

    public void Text(string text, int x, int top, int scale, TextAnchor anchor, ChartColor color, bool vertical = false)
    {
        int length = BitmapFont.Measure(text, scale);
        int start = anchor switch
        {
            TextAnchor.Start => 0,
            TextAnchor.Middle => -length / 2,
            _ => -length,
        };
        if (!vertical)
            BitmapFont.Draw(text, x + start, top, scale, (px, py) => Plot(px, py, color));
        else // rotate a quarter turn counter-clockwise around (x, top): the text reads upwards
            BitmapFont.Draw(text, start, 0, scale, (px, py) => Plot(x + py, top - px, color));
    }
}

internal sealed class SvgCanvas : IChartCanvas
{
    private readonly StringBuilder svg = new();

    public SvgCanvas(int width, int height)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n");
    }

    public string Finish() => svg.Append("</svg>\n").ToString();

    private static string F(double v) => Math.Round(v, 2).ToString(CultureInfo.InvariantCulture);

    public void FillRect(int x, int y, int w, int h, ChartColor color, double opacity = 1)
    {
        string alpha = opacity >= 1 ? "" : $" fill-opacity=\"{F(opacity)}\"";
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"{color.ToHex()}\"{alpha}/>\n");
    }

    public void Line(double x0, double y0, double x1, double y1, ChartColor color, int thickness, bool dashed = false)
    {
        string dash = dashed ? " stroke-dasharray=\"6 6\"" : "";
        string cap = dashed ? "butt" : "round";
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x0)}\" y1=\"{F(y0)}\" x2=\"{F(x1)}\" y2=\"{F(y1)}\" stroke=\"{color.ToHex()}\" stroke-width=\"{thickness}\" stroke-linecap=\"{cap}\"{dash}/>\n");
    }

    public void Marker(double x, double y, ChartColor color) =>
        svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"3\" fill=\"{color.ToHex()}\"/>\n");

    public void Dot(double x, double y, double radius, ChartColor color) =>
        svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"{F(radius)}\" fill=\"{color.ToHex()}\"/>\n");

    public void Text(string text, int x, int top, int scale, TextAnchor anchor, ChartColor color, bool vertical = false)
    {
        // A 10px monospace font advances about 6px per character, like the bitmap font at scale 1.
        string textAnchor = anchor switch
        {
            TextAnchor.Start => "start",
            TextAnchor.Middle => "middle",
            _ => "end",
        };
        int baseline = top + BitmapFont.CapHeight * scale;
        string escaped = SecurityElement.Escape(text);
        if (!vertical)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x}\" y=\"{baseline}\" font-family=\"monospace\" font-size=\"{10 * scale}\" text-anchor=\"{textAnchor}\" fill=\"{color.ToHex()}\">{escaped}</text>\n");
        }
        else
        {
            int bx = x + BitmapFont.CapHeight * scale;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{bx}\" y=\"{top}\" transform=\"rotate(-90 {bx} {top})\" font-family=\"monospace\" font-size=\"{10 * scale}\" text-anchor=\"{textAnchor}\" fill=\"{color.ToHex()}\">{escaped}</text>\n");
        }
    }
}
