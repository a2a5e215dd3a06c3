using System.Globalization;

namespace Bottleneck.Reports;

/// <summary>
/// A scatter plot of points coloured by an integer label, with a legend beside the plot: the
/// usual picture of a 2-D latent space (or two PCA components) of a labelled data set. The
/// distinct labels take the ten <see cref="ChartColor.Palette"/> colours in increasing label order
/// (label 0 of MNIST is blue, 1 orange, …), cycling after ten. Tens of thousands of points are fine.
/// </summary>
public sealed class ScatterChart : Chart
{
    private readonly List<float> xs = [];
    private readonly List<float> ys = [];
    private readonly List<int> labels = [];

    /// <summary>Radius of a point in pixels; small, so that dense clusters still show their shape.</summary>
    public double PointRadius { get; set; } = 1.5;

    /// <summary>Legend text for a label; labels without an entry show their number.</summary>
    public Dictionary<int, string> LabelNames { get; } = [];

    /// <summary>The number of points added.</summary>
    public int Count => xs.Count;

    /// <summary>Adds points (x[i], y[i]) with their labels.</summary>
    public void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<int> label)
    {
        if (x.Length != y.Length || x.Length != label.Length)
            throw new BottleneckException($"scatter chart: {x.Length} x values, {y.Length} y values and {label.Length} labels; they must match");
        for (int i = 0; i < x.Length; i++)
        {
            xs.Add(x[i]);
            ys.Add(y[i]);
            labels.Add(label[i]);
        }
    }

    /// <summary>
    /// Adds one point per row of row-major [rows, <paramref name="dims"/>] codes, taking columns
    /// <paramref name="xColumn"/> and <paramref name="yColumn"/> as the coordinates.
    /// </summary>
    public void AddRows(ReadOnlySpan<float> codes, int dims, ReadOnlySpan<int> label, int xColumn = 0, int yColumn = 1)
    {
        if (dims < 1 || codes.Length % dims != 0)
            throw new BottleneckException($"scatter chart: {codes.Length} values are not a whole number of rows of {dims}");
        if ((uint)xColumn >= (uint)dims || (uint)yColumn >= (uint)dims)
            throw new BottleneckException($"scatter chart: columns {xColumn} and {yColumn} must be below the {dims} columns");
        int rows = codes.Length / dims;
        if (label.Length != rows)
            throw new BottleneckException($"scatter chart: {rows} rows but {label.Length} labels; they must match");
        for (int i = 0; i < rows; i++)
        {
            xs.Add(codes[i * dims + xColumn]);
            ys.Add(codes[i * dims + yColumn]);
            labels.Add(label[i]);
        }
    }

    /// <summary>The colour a label is drawn in.</summary>
    public ChartColor ColorOf(int label)
    {
        int rank = DistinctLabels().BinarySearch(label);
        if (rank < 0) throw new BottleneckException($"scatter chart: no point has label {label}");
        return ChartColor.Palette[rank % ChartColor.Palette.Count];
    }

    private List<int> DistinctLabels()
    {
        var distinct = labels.Distinct().ToList();
        distinct.Sort();
        return distinct;
    }

    internal override void Draw(IChartCanvas canvas, int width, int height)
    {
        if (!(PointRadius > 0 && PointRadius <= 50))
            throw new BottleneckException($"scatter chart: point radius {PointRadius} is outside (0, 50] pixels");
        var distinct = DistinctLabels();
        var legend = distinct.Select((l, i) => new LegendEntry(
            LabelNames.TryGetValue(l, out var name) ? name : l.ToString(CultureInfo.InvariantCulture),
            ChartColor.Palette[i % ChartColor.Palette.Count], LegendMark.Box)).ToList();
        // Ten labels would hide a corner of the cloud, so the legend goes beside the plot.
        int legendWidth = ChartFrame.LegendWidth(legend);
        var finite = Enumerable.Range(0, xs.Count).Where(i => float.IsFinite(xs[i]) && float.IsFinite(ys[i])).ToList();
        var frame = new ChartFrame(width, height, Title, XLabel, YLabel,
            finite.Select(i => (double)xs[i]), finite.Select(i => (double)ys[i]), rightMargin: legendWidth > 0 ? legendWidth + 20 : 20);
        frame.DrawBackground(canvas);

        var colorIndex = distinct.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i % ChartColor.Palette.Count);
        // In the order given, so that no class is drawn systematically on top of the others
        // (shuffled data stays shuffled); points that are not finite are left out.
        foreach (int i in finite)
            canvas.Dot(frame.Px(xs[i]), frame.Py(ys[i]), PointRadius, ChartColor.Palette[colorIndex[labels[i]]]);
        frame.DrawAxes(canvas);
        frame.DrawLegend(canvas, legend, LegendPlacement.Right);
    }
}
