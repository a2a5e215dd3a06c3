using System.Globalization;
using System.Text;
using Bottleneck.Formats;
using Bottleneck.IO;

namespace Bottleneck.Data;

/// <summary>How to read a CSV table.</summary>
public sealed class CsvOptions
{
    /// <summary>The field delimiter; null detects ',', ';' or tab from the header line.</summary>
    public char? Delimiter { get; init; }

    /// <summary>
    /// The feature columns, by header name, in the order wanted; null takes every column except the
    /// label, unnamed columns (such as the index pandas writes) and text columns (seen in the first row).
    /// </summary>
    public IReadOnlyList<string>? FeatureColumns { get; init; }

    /// <summary>The label column, by header name; null for a table without labels.</summary>
    public string? LabelColumn { get; init; }
}

/// <summary>
/// A CSV table with a header row, read into float32 features and optional integer labels.
/// Numbers use the invariant culture ('.' decimal point). A missing, non-numeric or non-finite
/// feature value is an error naming its line and column; the table is never silently patched.
/// </summary>
public sealed class CsvTable
{
    private CsvTable(string name, char delimiter, IReadOnlyList<string> columns, IReadOnlyList<string> featureColumns, IReadOnlyList<string> ignoredColumns,
        string? labelColumn, float[] features, int rowCount, int[]? labels, IReadOnlyList<string>? labelClasses)
    {
        Name = name;
        Delimiter = delimiter;
        Columns = columns;
        FeatureColumns = featureColumns;
        IgnoredColumns = ignoredColumns;
        LabelColumn = labelColumn;
        Features = features;
        RowCount = rowCount;
        Labels = labels;
        LabelClasses = labelClasses;
    }

    /// <summary>The file, as named in messages.</summary>
    public string Name { get; }

    /// <summary>The delimiter used (given or detected).</summary>
    public char Delimiter { get; }

    /// <summary>Every header name, in file order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The feature columns, in the order of <see cref="Features"/>' values within a row.</summary>
    public IReadOnlyList<string> FeatureColumns { get; }

    /// <summary>Columns left out by automatic selection (unnamed or text columns), for the user to be told.</summary>
    public IReadOnlyList<string> IgnoredColumns { get; }

    public string? LabelColumn { get; }

    /// <summary>Row-major [RowCount, FeatureCount].</summary>
    public float[] Features { get; }

    public int RowCount { get; }

    public int FeatureCount => FeatureColumns.Count;

    /// <summary>One label per row when a label column was read.</summary>
    public int[]? Labels { get; }

    /// <summary>
    /// When the labels were class names rather than integers: the names in ordinal (culture-independent)
    /// order, name <c>LabelClasses[k]</c> having label k, so that the same names always get the same numbers.
    /// Null when the labels were integers (kept as they are).
    /// </summary>
    public IReadOnlyList<string>? LabelClasses { get; }

    /// <summary>The label mapping as one line, e.g. <c>anomaly=0, normal=1</c>; null when labels were integers.</summary>
    public string? DescribeLabelMapping() =>
        LabelClasses == null ? null : string.Join(", ", LabelClasses.Select((c, i) => $"{c}={i}"));

    /// <summary>The table as a data set (wrapping, not copying, the arrays).</summary>
    public Dataset ToDataset() => new(Path.GetFileName(Name), Features, RowCount, FeatureCount, Labels);

    public static CsvTable Read(string path, CsvOptions? options = null)
    {
        // A .tsv is tab-separated by definition; for anything else the header line decides.
        if (options?.Delimiter == null && path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase))
            options = new CsvOptions { Delimiter = '\t', FeatureColumns = options?.FeatureColumns, LabelColumn = options?.LabelColumn };
        return InputFile.Read(path, stream =>
        {
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
            return Read(reader, path, options);
        });
    }

    /// <summary>Reads a table from text; <paramref name="name"/> names the source in error messages.</summary>
    public static CsvTable Read(TextReader text, string name, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= new CsvOptions();
        var csv = new CsvRecordReader(text, name);
        csv.Delimiter = options.Delimiter ?? csv.DetectDelimiter();
        if (csv.Delimiter is '"' or '\n' or '\r')
            throw new BottleneckException($"{name}: '{Escape(csv.Delimiter.ToString())}' cannot be a CSV delimiter");

        // Header.
        bool any;
        while ((any = csv.Read()) && csv.IsBlank)
        {
        }
        if (!any) throw new BottleneckException($"{name}: the file is empty; a CSV table needs a header row naming its columns");
        var columns = new string[csv.FieldCount];
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < columns.Length; i++)
        {
            columns[i] = csv.Field(i).Trim().ToString();
            if (columns[i].Length == 0) continue;
            if (!index.TryAdd(columns[i], i))
                throw new BottleneckException($"{name}: the header names column '{Escape(columns[i])}' twice (columns {index[columns[i]] + 1} and {i + 1}); rename one");
        }

        int label = -1;
        if (options.LabelColumn != null)
            label = Find(options.LabelColumn, "label column");

        // Features: the ones asked for, or (automatic) every named column but the label; text columns
        // are dropped once the first row shows them.
        bool automatic = options.FeatureColumns == null;
        var selected = new List<int>();
        var ignored = new List<string>();
        if (!automatic)
        {
            var seen = new HashSet<int>();
            foreach (string column in options.FeatureColumns!)
            {
                int i = Find(column, "feature column");
                if (i == label)
                    throw new BottleneckException($"{name}: column '{Escape(column)}' is the label column and cannot also be a feature");
                if (!seen.Add(i))
                    throw new BottleneckException($"{name}: feature column '{Escape(column)}' is listed twice");
                selected.Add(i);
            }
            if (selected.Count == 0) throw new BottleneckException($"{name}: no feature columns were given");
        }
        else
        {
            for (int i = 0; i < columns.Length; i++)
            {
                if (i == label) continue;
                if (columns[i].Length == 0) ignored.Add($"column {i + 1} (unnamed)");
                else selected.Add(i);
            }
        }

        var features = new float[Math.Min(1 << 16, Math.Max(1, selected.Count) * 1024)];
        long valueCount = 0;
        int rows = 0;
        var labels = label >= 0 ? new LabelCollector(name, columns[label]) : null;
        while (csv.Read())
        {
            if (csv.IsBlank) continue;
            if (csv.FieldCount != columns.Length)
                throw new BottleneckException($"{name}: line {csv.RecordLine} has {csv.FieldCount} fields but the header has {columns.Length}; check the delimiter ('{Escape(csv.Delimiter.ToString())}') and the quoting");
            if (rows == 0 && automatic)
            {
                // The first row decides which columns are text (an id, a name): those are left out
                // and reported. Later rows must then hold numbers in every feature column.
                var kept = new List<int>();
                foreach (int i in selected)
                {
                    var field = csv.Field(i).Trim();
                    if (IsText(field)) ignored.Add($"'{columns[i]}' (text)");
                    else kept.Add(i);
                }
                selected = kept;
                if (selected.Count == 0)
                    throw new BottleneckException($"{name}: no column holds numbers in the first data row (line {csv.RecordLine}); there are no features to read");
            }
            if (valueCount + selected.Count > Array.MaxLength)
                throw new BottleneckException($"{name}: the table has more values than can be loaded (at line {csv.RecordLine})");
            if (valueCount + selected.Count > features.Length)
                Array.Resize(ref features, (int)Math.Min(Array.MaxLength, Math.Max(2L * features.Length, valueCount + selected.Count)));
            foreach (int i in selected)
                features[valueCount++] = ParseFeature(csv, i, columns[i], name);
            labels?.Add(csv.Field(label), csv.RecordLine);
            rows++;
        }
        if (rows == 0)
            throw new BottleneckException($"{name}: the table has a header but no data rows");
        if (features.Length != valueCount) Array.Resize(ref features, (int)valueCount);

        (int[]? labelValues, IReadOnlyList<string>? classes) = labels != null ? labels.Finish() : (null, null);
        return new CsvTable(name, csv.Delimiter, columns, [.. selected.Select(i => columns[i])], ignored,
            label >= 0 ? columns[label] : null, features, rows, labelValues, classes);

        int Find(string column, string role)
        {
            ArgumentNullException.ThrowIfNull(column);
            if (index.TryGetValue(column.Trim(), out int i)) return i;
            var names = columns.Where(c => c.Length > 0).Take(30).Select(c => $"'{Escape(c)}'");
            throw new BottleneckException($"{name}: the {role} '{Escape(column)}' is not in the header (columns: {string.Join(", ", names)}{(columns.Length > 30 ? ", ..." : "")})");
        }
    }

    /// <summary>
    /// Whether a first-row value shows a text column. A missing value, "nan" or a number with a decimal comma
    /// is not text: dropping the column would hide the problem, so it is reported when the value is parsed.
    /// </summary>
    private static bool IsText(ReadOnlySpan<char> field)
    {
        if (field.Length == 0 || IsNonFiniteWord(field) || float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            return false;
        Span<char> dotted = field.Length <= 64 ? stackalloc char[field.Length] : new char[field.Length];
        field.Replace(dotted, ',', '.');
        return !float.TryParse(dotted, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    }

    // numpy and pandas write "nan" and "inf", which .NET does not parse; they get the same message as "NaN".
    private static bool IsNonFiniteWord(ReadOnlySpan<char> field)
    {
        var word = field.TrimStart("+-");
        return word.Equals("nan", StringComparison.OrdinalIgnoreCase) || word.Equals("inf", StringComparison.OrdinalIgnoreCase)
            || word.Equals("infinity", StringComparison.OrdinalIgnoreCase) || word.SequenceEqual("∞");
    }

    private static float ParseFeature(CsvRecordReader csv, int i, string column, string name)
    {
        var field = csv.Field(i).Trim();
        if (TryParseShortDecimal(field, out float v)) return v;
        if (float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out v) && float.IsFinite(v)) return v;
        string where = $"{name}: line {csv.RecordLine}, column {i + 1} ('{Escape(column)}')";
        if (field.Length == 0)
            throw new BottleneckException($"{where} is empty (a missing value); fill in or drop missing values first");
        if (IsNonFiniteWord(field))
            throw new BottleneckException($"{where} is {Escape(field.ToString())}; NaN and infinite values are not allowed (fill in or drop missing values first)");
        if (float.IsInfinity(v))
            throw new BottleneckException($"{where}: {Escape(field.ToString())} is outside the float32 range");
        string hint = field.Contains(',') ? " (use '.' as the decimal point)" : "";
        throw new BottleneckException($"{where}: '{Escape(field.ToString())}' is not a number{hint}");
    }

    private static readonly float[] PowersOfTen = [1f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f];

    /// <summary>
    /// The common case of a table value, a plain decimal such as "-12.34567" whose digits make an
    /// integer below 2^24 with at most 10 of them after the point, parsed without float.TryParse:
    /// that integer and the power of ten are exact floats, so one division rounds correctly and gives
    /// float.Parse's bits (Clinger's fast path). Anything else (exponents, more digits) returns false
    /// and goes the general way.
    /// </summary>
    internal static bool TryParseShortDecimal(ReadOnlySpan<char> field, out float value)
    {
        value = 0;
        int p = 0;
        bool negative = false;
        if (p < field.Length && field[p] is '-' or '+')
        {
            negative = field[p] == '-';
            p++;
        }
        int mantissa = 0, digits = 0, fraction = -1;
        for (; p < field.Length; p++)
        {
            int d = field[p] - '0';
            if ((uint)d <= 9)
            {
                mantissa = mantissa * 10 + d;
                if (mantissa >= 1 << 24) return false;
                digits++;
                if (fraction >= 0) fraction++;
            }
            else if (field[p] == '.' && fraction < 0)
            {
                fraction = 0;
            }
            else
            {
                return false;
            }
        }
        if (digits == 0 || fraction > 10) return false;
        float v = fraction > 0 ? mantissa / PowersOfTen[fraction] : mantissa;
        value = negative ? -v : v;
        return true;
    }

    /// <summary>Shortens a value for a message and replaces control characters, so that it stays one line.</summary>
    internal static string Escape(string text)
    {
        var sb = new StringBuilder();
        foreach (char c in text)
        {
            if (sb.Length >= 60)
            {
                sb.Append("...");
                break;
            }
            sb.Append(char.IsControl(c) ? c switch { '\t' => "\\t", '\n' => "\\n", '\r' => "\\r", _ => $"\\u{(int)c:X4}" } : c.ToString());
        }
        return sb.ToString();
    }

    /// <summary>
    /// Collects label values without a string per row: each distinct value is stored once, rows hold its
    /// first-seen number, and the final numbers are decided at the end, when every value has been seen.
    /// </summary>
    private sealed class LabelCollector(string name, string column)
    {
        private readonly Dictionary<string, int> ids = new(StringComparer.Ordinal);
        private readonly List<string> values = [];
        private readonly List<int> firstLines = [];
        private int[] rows = new int[1024];
        private int count;

        public void Add(ReadOnlySpan<char> field, int line)
        {
            field = field.Trim();
            if (field.Length == 0)
                throw new BottleneckException($"{name}: line {line}: the label column '{Escape(column)}' is empty; every row needs a label");
            var lookup = ids.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!lookup.TryGetValue(field, out int id))
            {
                id = values.Count;
                string value = field.ToString();
                ids.Add(value, id);
                values.Add(value);
                firstLines.Add(line);
            }
            if (count == rows.Length) Array.Resize(ref rows, rows.Length * 2);
            rows[count++] = id;
        }

        public (int[], IReadOnlyList<string>?) Finish()
        {
            var map = new int[values.Count];
            IReadOnlyList<string>? classes = null;
            bool numeric = values.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d));
            if (numeric)
            {
                // Numbers are kept as they are (0/1 anomaly flags, class numbers), "1.0" included.
                for (int id = 0; id < values.Count; id++)
                {
                    double d = double.Parse(values[id], NumberStyles.Float, CultureInfo.InvariantCulture);
                    if (d != Math.Floor(d) || d < int.MinValue || d > int.MaxValue)
                        throw new BottleneckException($"{name}: line {firstLines[id]}: label '{Escape(values[id])}' in column '{Escape(column)}' is not an integer; labels must be integers or class names");
                    map[id] = (int)d;
                }
            }
            else
            {
                // Class names are numbered in ordinal order, not order of appearance, so that the
                // same set of names gives the same numbers whichever rows come first.
                var sorted = values.Order(StringComparer.Ordinal).ToArray();
                for (int id = 0; id < values.Count; id++) map[id] = Array.BinarySearch(sorted, values[id], StringComparer.Ordinal);
                classes = sorted;
            }
            var labels = new int[count];
            for (int i = 0; i < count; i++) labels[i] = map[rows[i]];
            return (labels, classes);
        }
    }
}
