namespace Bottleneck.Reports;

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

    /// <summary>Draw the line dashed (reference lines such as a ROC chart's diagonal).</summary>
    public bool Dashed { get; set; }

    /// <summary>Whether to mark each point: by default only while they are few enough not to smear the line.</summary>
    public bool? ShowMarkers { get; set; }
}

/// <summary>
/// A line chart (training curves, ROC and precision-recall curves and the like) saved as PNG or SVG
/// with no plotting dependency: title, axes with "nice" numeric ticks, axis labels, lines with
/// markers and a legend. Both formats come from one layout, so they show the same picture.
/// </summary>
public sealed class LineChart : Chart
{
    private readonly List<ChartSeries> series = [];

    public IReadOnlyList<ChartSeries> Series => series;

    /// <summary>A range the x axis must cover besides the data (e.g. 0 to 1 for rates); null to fit the data alone.</summary>
    public (double Min, double Max)? XRange { get; set; }

    /// <summary>A range the y axis must cover besides the data; null to fit the data alone.</summary>
    public (double Min, double Max)? YRange { get; set; }

    /// <summary>Where the legend goes (it lists the series that have a name).</summary>
    public LegendPlacement Legend { get; set; } = LegendPlacement.TopRight;

    /// <summary>Adds a series; without a color it takes the next one of <see cref="ChartColor.Palette"/>.</summary>
    public ChartSeries AddSeries(string name, IEnumerable<(double X, double Y)>? points = null, ChartColor? color = null)
    {
        var s = new ChartSeries(name, color ?? ChartColor.Palette[series.Count % ChartColor.Palette.Count]);
        if (points != null) s.Points.AddRange(points);
        series.Add(s);
        return s;
    }

    /// <summary>An axis range that holds all values, ending on multiples of a 1-2-5 step giving about 5 ticks.</summary>
    internal static (double Min, double Max, double[] Ticks) Axis(IEnumerable<double> values) => ChartFrame.Axis(values);

    /// <summary>Tick labels with just enough decimals to tell neighbouring ticks apart.</summary>
    internal static string[] Labels(double[] ticks) => ChartFrame.Labels(ticks);

    internal override void Draw(IChartCanvas canvas, int width, int height)
    {
        var points = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        var xs = points.Select(p => p.X);
        var ys = points.Select(p => p.Y);
        if (XRange is { } xr) xs = xs.Append(xr.Min).Append(xr.Max);
        if (YRange is { } yr) ys = ys.Append(yr.Min).Append(yr.Max);
        bool MarkersOn(ChartSeries s, int plotWidth) => s.ShowMarkers ?? s.Points.Count <= plotWidth / 8;
        // The legend's width does not depend on its marks, so plain entries size the margin.
        int legendWidth = ChartFrame.LegendWidth(series.Select(s => new LegendEntry(s.Name, s.Color, LegendMark.Line)));
        int rightMargin = Legend == LegendPlacement.Right && legendWidth > 0 ? legendWidth + 20 : 20;
        var frame = new ChartFrame(width, height, Title, XLabel, YLabel, xs, ys, rightMargin);
        frame.DrawBackground(canvas);

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
                if (previous is { } q) canvas.Line(frame.Px(q.X), frame.Py(q.Y), frame.Px(p.X), frame.Py(p.Y), s.Color, 2, s.Dashed);
                previous = p;
            }
            // Markers only while they do not turn the line into a smear.
            if (MarkersOn(s, frame.Right - frame.Left))
                foreach (var p in s.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)))
                    canvas.Marker(frame.Px(p.X), frame.Py(p.Y), s.Color);
        }

        frame.DrawLegend(canvas, series.Select(s => new LegendEntry(s.Name, s.Color,
            s.Dashed ? LegendMark.DashedLine : MarkersOn(s, frame.Right - frame.Left) ? LegendMark.LineAndMarker : LegendMark.Line)), Legend);
    }
}
