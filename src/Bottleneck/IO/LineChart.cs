using System.Globalization;
using System.Security;
using System.Text;

namespace Bottleneck.IO;

/// <summary>An sRGB color.</summary>
public readonly record struct ChartColor(byte R, byte G, byte B)
{
    public static readonly ChartColor Black = new(0, 0, 0);
    public static readonly ChartColor White = new(255, 255, 255);
    public static readonly ChartColor Gray = new(128, 128, 128);
    public static readonly ChartColor LightGray = new(225, 225, 225);

    /// <summary>The matplotlib "tab10" colors, used in turn for series without a color.</summary>
    public static readonly IReadOnlyList<ChartColor> Palette =
    [
        new(31, 119, 180), new(255, 127, 14), new(44, 160, 44), new(214, 39, 40), new(148, 103, 189),
        new(140, 86, 75), new(227, 119, 194), new(127, 127, 127), new(188, 189, 34), new(23, 190, 207),
    ];

    public string ToHex() => $"#{R:x2}{G:x2}{B:x2}";
}

/// <summary>One line of a chart: its legend name, color and (x, y) points, drawn in order.</summary>
public sealed class ChartSeries(string name, ChartColor color)
{
    public string Name { get; } = name;

    public ChartColor Color { get; } = color;

    public List<(double X, double Y)> Points { get; } = [];
}

/// <summary>
/// A line chart (training curves and the like) saved as PNG or SVG with no plotting dependency:
/// title, axes with "nice" numeric ticks, axis labels, lines with markers and a legend.
/// Both formats come from one layout, so they show the same picture.
/// </summary>
public sealed class LineChart
{
    private readonly List<ChartSeries> series = [];

    public string Title { get; set; } = "";

    public string XLabel { get; set; } = "";

    public string YLabel { get; set; } = "";

    public IReadOnlyList<ChartSeries> Series => series;

    /// <summary>Adds a series; without a color it takes the next one of <see cref="ChartColor.Palette"/>.</summary>
    public ChartSeries AddSeries(string name, IEnumerable<(double X, double Y)>? points = null, ChartColor? color = null)
    {
        var s = new ChartSeries(name, color ?? ChartColor.Palette[series.Count % ChartColor.Palette.Count]);
        if (points != null) s.Points.AddRange(points);
        series.Add(s);
        return s;
    }

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
        CheckSize(width, height);
        var canvas = new RasterCanvas(width, height);
        Draw(canvas, width, height);
        return canvas.Pixels;
    }

    /// <summary>The chart as a standalone SVG document.</summary>
    public string RenderSvg(int width, int height)
    {
        CheckSize(width, height);
        var canvas = new SvgCanvas(width, height);
        Draw(canvas, width, height);
        return canvas.Finish();
    }

    private static void CheckSize(int width, int height)
    {
        if (width < 120 || height < 100 || width > 8000 || height > 8000)
            throw new BottleneckException($"chart: size {width}x{height} is out of range (120x100 to 8000x8000)");
    }

    private enum Anchor
    {
        Start,
        Middle,
        End,
    }

    /// <summary>The few drawing operations a chart needs; coordinates are pixels from the top-left.</summary>
    private interface ICanvas
    {
        void FillRect(int x, int y, int w, int h, ChartColor color);

        void Line(double x0, double y0, double x1, double y1, ChartColor color, int thickness);

        void Marker(double x, double y, ChartColor color);

        /// <summary>Text whose glyph cell top is <paramref name="top"/>; vertical text reads bottom to top, centered on (x, top).</summary>
        void Text(string text, int x, int top, int scale, Anchor anchor, ChartColor color, bool vertical = false);
    }

    private void Draw(ICanvas canvas, int width, int height)
    {
        var points = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        var (xMin, xMax, xTicks) = Axis(points.Select(p => p.X));
        var (yMin, yMax, yTicks) = Axis(points.Select(p => p.Y));
        var xLabels = Labels(xTicks);
        var yLabels = Labels(yTicks);

        int titleScale = 2;
        int top = string.IsNullOrEmpty(Title) ? 14 : 14 + BitmapFont.CapHeight * titleScale + 12;
        int left = 12 + (string.IsNullOrEmpty(YLabel) ? 0 : BitmapFont.GlyphHeight + 8) + yLabels.Max(l => BitmapFont.Measure(l)) + 8;
        int bottom = height - (12 + BitmapFont.GlyphHeight + 6 + (string.IsNullOrEmpty(XLabel) ? 0 : BitmapFont.GlyphHeight + 8));
        int right = width - 20;
        if (right - left < 20 || bottom - top < 20)
            throw new BottleneckException($"chart: {width}x{height} is too small for the labels; make it larger");

        double Px(double x) => left + (x - xMin) / (xMax - xMin) * (right - left);
        double Py(double y) => bottom - (y - yMin) / (yMax - yMin) * (bottom - top);

        canvas.FillRect(0, 0, width, height, ChartColor.White);
        if (!string.IsNullOrEmpty(Title))
            canvas.Text(Title, (left + right) / 2, 10, titleScale, Anchor.Middle, ChartColor.Black);

        // Grid lines and ticks.
        for (int i = 0; i < xTicks.Length; i++)
        {
            int x = (int)Math.Round(Px(xTicks[i]));
            canvas.Line(x, top, x, bottom, ChartColor.LightGray, 1);
            canvas.Line(x, bottom, x, bottom + 4, ChartColor.Black, 1);
            canvas.Text(xLabels[i], x, bottom + 7, 1, Anchor.Middle, ChartColor.Black);
        }
        for (int i = 0; i < yTicks.Length; i++)
        {
            int y = (int)Math.Round(Py(yTicks[i]));
            canvas.Line(left, y, right, y, ChartColor.LightGray, 1);
            canvas.Line(left - 4, y, left, y, ChartColor.Black, 1);
            canvas.Text(yLabels[i], left - 7, y - 3, 1, Anchor.End, ChartColor.Black);
        }
        canvas.Line(left, top, left, bottom, ChartColor.Black, 1);
        canvas.Line(left, bottom, right, bottom, ChartColor.Black, 1);
        if (!string.IsNullOrEmpty(XLabel))
            canvas.Text(XLabel, (left + right) / 2, height - 12 - BitmapFont.GlyphHeight, 1, Anchor.Middle, ChartColor.Black);
        if (!string.IsNullOrEmpty(YLabel))
            canvas.Text(YLabel, 12, (top + bottom) / 2, 1, Anchor.Middle, ChartColor.Black, vertical: true);

        // Lines, broken at non-finite points, with a marker on each point.
        foreach (var s in series)
        {
            (double X, double Y)? previous = null;
            foreach (var p in s.Points)
            {
                if (!double.IsFinite(p.X) || !double.IsFinite(p.Y))
                {
                    previous = null;
                    continue;
                }
                if (previous is { } q) canvas.Line(Px(q.X), Py(q.Y), Px(p.X), Py(p.Y), s.Color, 2);
                previous = p;
            }
            // Markers only while they do not turn the line into a smear.
            if (s.Points.Count <= (right - left) / 8)
                foreach (var p in s.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)))
                    canvas.Marker(Px(p.X), Py(p.Y), s.Color);
        }

        // Legend in the top-right corner of the plot.
        var named = series.Where(s => !string.IsNullOrEmpty(s.Name)).ToList();
        if (named.Count > 0)
        {
            const int rowHeight = 14, swatch = 18;
            int boxWidth = 8 + swatch + 6 + named.Max(s => BitmapFont.Measure(s.Name)) + 8;
            int boxHeight = 6 + named.Count * rowHeight;
            int bx = right - boxWidth - 6, by = top + 6;
            canvas.FillRect(bx, by, boxWidth, boxHeight, ChartColor.Gray);
            canvas.FillRect(bx + 1, by + 1, boxWidth - 2, boxHeight - 2, ChartColor.White);
            for (int i = 0; i < named.Count; i++)
            {
                int rowTop = by + 5 + i * rowHeight;
                int mid = rowTop + 3;
                canvas.Line(bx + 8, mid, bx + 8 + swatch, mid, named[i].Color, 2);
                canvas.Marker(bx + 8 + swatch / 2.0, mid, named[i].Color);
                canvas.Text(named[i].Name, bx + 8 + swatch + 6, rowTop, 1, Anchor.Start, ChartColor.Black);
            }
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

    private sealed class RasterCanvas(int width, int height) : ICanvas
    {
        public byte[] Pixels { get; } = new byte[width * height * 3];

        private void Plot(int x, int y, ChartColor c)
        {
            if ((uint)x >= (uint)width || (uint)y >= (uint)height) return;
            int i = (y * width + x) * 3;
            Pixels[i] = c.R;
            Pixels[i + 1] = c.G;
            Pixels[i + 2] = c.B;
        }

        public void FillRect(int x, int y, int w, int h, ChartColor color)
        {
            for (int yy = y; yy < y + h; yy++)
                for (int xx = x; xx < x + w; xx++) Plot(xx, yy, color);
        }

        public void Line(double x0, double y0, double x1, double y1, ChartColor color, int thickness)
        {
            // Step along the longer axis one pixel at a time; a thick line is a small square brush.
            int steps = (int)Math.Ceiling(Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0)));
            for (int i = 0; i <= steps; i++)
            {
                double t = steps == 0 ? 0 : (double)i / steps;
                int x = (int)Math.Round(x0 + (x1 - x0) * t), y = (int)Math.Round(y0 + (y1 - y0) * t);
                for (int dy = 0; dy < thickness; dy++)
                    for (int dx = 0; dx < thickness; dx++) Plot(x + dx - thickness / 2, y + dy - thickness / 2, color);
            }
        }

        public void Marker(double x, double y, ChartColor color)
        {
            int cx = (int)Math.Round(x), cy = (int)Math.Round(y);
            for (int dy = -3; dy <= 3; dy++)
                for (int dx = -3; dx <= 3; dx++)
                    if (dx * dx + dy * dy <= 10) Plot(cx + dx, cy + dy, color);
        }

        public void Text(string text, int x, int top, int scale, Anchor anchor, ChartColor color, bool vertical = false)
        {
            int length = BitmapFont.Measure(text, scale);
            int start = anchor switch
            {
                Anchor.Start => 0,
                Anchor.Middle => -length / 2,
                _ => -length,
            };
            if (!vertical)
                BitmapFont.Draw(text, x + start, top, scale, (px, py) => Plot(px, py, color));
            else // rotate a quarter turn counter-clockwise around (x, top): the text reads upwards
                BitmapFont.Draw(text, start, 0, scale, (px, py) => Plot(x + py, top - px, color));
        }
    }

    private sealed class SvgCanvas : ICanvas
    {
        private readonly StringBuilder svg = new();

        public SvgCanvas(int width, int height)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n");
        }

        public string Finish() => svg.Append("</svg>\n").ToString();

        private static string F(double v) => Math.Round(v, 2).ToString(CultureInfo.InvariantCulture);

        public void FillRect(int x, int y, int w, int h, ChartColor color) =>
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"{color.ToHex()}\"/>\n");

        public void Line(double x0, double y0, double x1, double y1, ChartColor color, int thickness) =>
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x0)}\" y1=\"{F(y0)}\" x2=\"{F(x1)}\" y2=\"{F(y1)}\" stroke=\"{color.ToHex()}\" stroke-width=\"{thickness}\" stroke-linecap=\"round\"/>\n");

        public void Marker(double x, double y, ChartColor color) =>
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"3\" fill=\"{color.ToHex()}\"/>\n");

        public void Text(string text, int x, int top, int scale, Anchor anchor, ChartColor color, bool vertical = false)
        {
            // A 10px monospace font advances about 6px per character, like the bitmap font at scale 1.
            string textAnchor = anchor switch
            {
                Anchor.Start => "start",
                Anchor.Middle => "middle",
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
}
