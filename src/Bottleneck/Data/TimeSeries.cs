namespace Bottleneck.Data;

/// <summary>How a time series is read from a CSV file and cut into windows.</summary>
public sealed record SeriesOptions
{
    /// <summary>Steps per window (the sequence models' fixed length).</summary>
    public required int Window { get; init; }

    /// <summary>Steps between the starts of consecutive windows (1: every step starts one).</summary>
    public int Stride { get; init; } = 1;

    /// <summary>The variables by column name; null takes every numeric column but the label and the group.</summary>
    public IReadOnlyList<string>? FeatureColumns { get; init; }

    /// <summary>A 0/1 column marking anomalous steps; a window is anomalous when any of its steps is.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>
    /// A column naming which series a row belongs to (a sensor's id): the rows of one series are
    /// consecutive in the file, and no window spans two series.
    /// </summary>
    public string? GroupColumn { get; init; }
}

/// <summary>
/// One or more multivariate time series read from a CSV file: a row per time step in file order,
/// a column per variable (text columns such as a time stamp are left out unless named), and
/// optionally a label column marking anomalous steps and a group column separating series.
/// Windows of <see cref="SeriesOptions.Window"/> steps become the items of a <see cref="Dataset"/>
/// laid out [steps·variables] (step t's variables at [t·F, (t+1)·F)), the layout of the sequence
/// layers.
/// </summary>
public sealed class TimeSeries
{
    private readonly float[] values;

    private TimeSeries(string name, float[] values, int steps, IReadOnlyList<string> variables, int[]? labels, int[] segmentStarts)
    {
        Name = name;
        this.values = values;
        Steps = steps;
        Variables = variables;
        StepLabels = labels;
        SegmentStarts = segmentStarts;
    }

    public string Name { get; }

    /// <summary>Rows of the file (time steps of all series together).</summary>
    public int Steps { get; }

    /// <summary>The variables' column names, in the order of each step's values.</summary>
    public IReadOnlyList<string> Variables { get; }

    public int VariableCount => Variables.Count;

    /// <summary>0/1 per step when the file has a label column.</summary>
    public int[]? StepLabels { get; }

    /// <summary>The first row of each series (0 first); a series ends where the next begins.</summary>
    public IReadOnlyList<int> SegmentStarts { get; }

    /// <summary>Every step's values, row after row.</summary>
    public ReadOnlySpan<float> Values => values;

    public static TimeSeries Read(string path, SeriesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string? group = options.GroupColumn;
        // The group column is read as a feature and then taken out, so that the table reader's
        // checks (numeric, finite, ragged rows) cover it too.
        List<string>? columns = options.FeatureColumns?.ToList();
        if (group is not null && columns is not null && !columns.Contains(group)) columns.Add(group);
        var table = CsvTable.Read(path, new CsvOptions { FeatureColumns = columns, LabelColumn = options.LabelColumn });
        if (table.RowCount == 0) throw new BottleneckException($"{path}: holds no rows");
        var names = table.FeatureColumns.ToList();
        int width = names.Count, groupIndex = group is null ? -1 : names.IndexOf(group);
        if (group is not null && groupIndex < 0)
            throw new BottleneckException($"{path}: no numeric column '{group}' to group the series by");
        if (groupIndex >= 0 && width == 1)
            throw new BottleneckException($"{path}: the group column '{group}' is the only column; there are no variables left");
        if (table.Labels is { } l && table.LabelClasses is not null)
            throw new BottleneckException($"{path}: the label column '{options.LabelColumn}' must hold 0 (normal) and 1 (anomalous) per step");
        if (table.Labels is { } labels && labels.Any(v => v is not (0 or 1)))
            throw new BottleneckException($"{path}: the label column '{options.LabelColumn}' must hold 0 (normal) and 1 (anomalous) per step, not {labels.First(v => v is not (0 or 1))}");

        int rows = table.RowCount, variables = groupIndex >= 0 ? width - 1 : width;
        var x = table.Features;
        float[] kept;
        var starts = new List<int> { 0 };
        if (groupIndex < 0) kept = x;
        else
        {
            kept = new float[(long)rows * variables];
            var seen = new HashSet<float>();
            for (int r = 0; r < rows; r++)
            {
                float id = x[r * width + groupIndex];
                if (r > 0 && id != x[(r - 1) * width + groupIndex])
                {
                    if (seen.Contains(id))
                        throw new BottleneckException($"{path}: the rows of series {group} = {id} are not consecutive (it comes back at row {r + 1}); sort the file by {group} and time");
                    starts.Add(r);
                }
                seen.Add(id);
                var dst = kept.AsSpan(r * variables, variables);
                x.AsSpan(r * width, groupIndex).CopyTo(dst);
                x.AsSpan(r * width + groupIndex + 1, width - groupIndex - 1).CopyTo(dst[groupIndex..]);
            }
            names.RemoveAt(groupIndex);
        }
        var series = new TimeSeries(Path.GetFileName(path), kept, rows, names, table.Labels, starts.ToArray());
        series.CheckWindow(options.Window, options.Stride);
        return series;
    }

    /// <summary>Refuses a window or stride that cannot cut a single window from any series.</summary>
    public void CheckWindow(int window, int stride)
    {
        if (window < 1) throw new BottleneckException($"the window must be at least one step, got {window}");
        if (stride < 1) throw new BottleneckException($"the stride must be at least one step, got {stride}");
        int longest = Enumerable.Range(0, SegmentStarts.Count).Max(SegmentLength);
        if (window > longest)
            throw new BottleneckException($"{Name}: a window of {window} steps is longer than the series ({longest} steps{(SegmentStarts.Count > 1 ? " in its longest series" : "")}); choose a smaller --window");
    }

    private int SegmentLength(int segment) =>
        (segment + 1 < SegmentStarts.Count ? SegmentStarts[segment + 1] : Steps) - SegmentStarts[segment];

    /// <summary>The steps as a table [steps, variables], e.g. to fit per-variable scaling.</summary>
    public Dataset AsTable() => new(Name, values, Steps, VariableCount, StepLabels);

    /// <summary>The same series with every step transformed by a scaler fitted per variable.</summary>
    public TimeSeries Scaled(FeatureScaler scaler)
    {
        ArgumentNullException.ThrowIfNull(scaler);
        if (scaler.FeatureCount != VariableCount)
            throw new BottleneckException($"{Name}: the scaling is for {scaler.FeatureCount} variables, the series has {VariableCount}");
        var copy = (float[])values.Clone();
        scaler.TransformInPlace(copy);
        return new TimeSeries(Name, copy, Steps, Variables, StepLabels, [.. SegmentStarts]);
    }

    /// <summary>
    /// The first <paramref name="fraction"/> of every series (for training, and to fit scaling on)
    /// and the rest (held out for the test loss): split in time, not at random, so that no test
    /// window overlaps a training one.
    /// </summary>
    public (TimeSeries Head, TimeSeries Tail) SplitInTime(double fraction)
    {
        var head = new List<(int Start, int Length)>();
        var tail = new List<(int Start, int Length)>();
        for (int s = 0; s < SegmentStarts.Count; s++)
        {
            int length = SegmentLength(s), cut = (int)Math.Round(length * fraction);
            if (cut > 0) head.Add((SegmentStarts[s], cut));
            if (cut < length) tail.Add((SegmentStarts[s] + cut, length - cut));
        }
        return (Take(head), Take(tail));
    }

    private TimeSeries Take(List<(int Start, int Length)> parts)
    {
        int f = VariableCount, total = parts.Sum(p => p.Length);
        var v = new float[(long)total * f];
        var labels = StepLabels is null ? null : new int[total];
        var starts = new int[parts.Count];
        int at = 0;
        for (int i = 0; i < parts.Count; i++)
        {
            var (start, length) = parts[i];
            starts[i] = at;
            values.AsSpan(start * f, length * f).CopyTo(v.AsSpan(at * f));
            if (labels is not null) StepLabels!.AsSpan(start, length).CopyTo(labels.AsSpan(at));
            at += length;
        }
        return new TimeSeries(Name, v, total, Variables, labels, starts.Length == 0 ? [0] : starts);
    }

    /// <summary>The first step of each window of <paramref name="window"/> steps, <paramref name="stride"/> apart, within each series.</summary>
    public int[] WindowStarts(int window, int stride)
    {
        var starts = new List<int>();
        for (int s = 0; s < SegmentStarts.Count; s++)
        {
            int first = SegmentStarts[s], length = SegmentLength(s);
            for (int t = 0; t + window <= length; t += stride) starts.Add(first + t);
        }
        return starts.ToArray();
    }

    /// <summary>
    /// The windows as items [steps·variables]; with step labels, a window's label is 1 when any of
    /// its steps is anomalous.
    /// </summary>
    public Dataset Windows(int window, int stride)
    {
        var starts = WindowStarts(window, stride);
        if (starts.Length == 0)
            throw new BottleneckException($"{Name}: no series has {window} steps, so there are no windows of that length");
        int f = VariableCount, length = window * f;
        var items = new float[(long)starts.Length * length];
        var labels = StepLabels is null ? null : new int[starts.Length];
        for (int i = 0; i < starts.Length; i++)
        {
            values.AsSpan(starts[i] * f, length).CopyTo(items.AsSpan(i * length, length));
            if (labels is not null) labels[i] = StepLabels!.AsSpan(starts[i], window).Contains(1) ? 1 : 0;
        }
        return new Dataset(Name, items, starts.Length, length, labels);
    }
}
