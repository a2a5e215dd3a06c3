using System.Globalization;
using System.Text;
using Bottleneck.IO;

namespace Bottleneck.Formats;

/// <summary>
/// Writes CSV (codes, anomaly scores, tables for other tools): invariant culture whatever the machine's
/// settings, numbers in the shortest form that reads back to the same value, fields quoted only when
/// they must be, '\n' line ends, UTF-8 without a byte-order mark.
/// </summary>
public sealed class CsvWriter
{
    private readonly TextWriter writer;
    private readonly char delimiter;
    private bool rowStarted;

    public CsvWriter(TextWriter writer, char delimiter = ',')
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (delimiter is '"' or '\n' or '\r') throw new ArgumentException("a quote or line break cannot be the delimiter", nameof(delimiter));
        this.writer = writer;
        this.delimiter = delimiter;
    }

    /// <summary>Writes a file atomically: <paramref name="write"/> fills it, and it replaces any old file only once complete.</summary>
    public static void WriteFile(string path, Action<CsvWriter> write, char delimiter = ',')
    {
        ArgumentNullException.ThrowIfNull(write);
        AtomicFile.Write(path, stream =>
        {
            using var text = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            write(new CsvWriter(text, delimiter));
        });
    }

    /// <summary>
    /// Writes a table of <paramref name="rows"/> × <paramref name="columns"/> values (row-major) under a header,
    /// with an optional integer column (labels) appended, atomically.
    /// </summary>
    public static void WriteTable(string path, IReadOnlyList<string> header, ReadOnlyMemory<float> values, int rows, int columns,
        int[]? labels = null, string labelHeader = "label")
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if ((long)rows * columns != values.Length)
            throw new ArgumentException($"{values.Length} values are not {rows} rows of {columns}", nameof(values));
        if (header.Count != columns)
            throw new ArgumentException($"{header.Count} column names for {columns} columns", nameof(header));
        if (labels != null && labels.Length != rows)
            throw new ArgumentException($"{labels.Length} labels for {rows} rows", nameof(labels));
        WriteFile(path, csv =>
        {
            foreach (string name in header) csv.Field(name);
            if (labels != null) csv.Field(labelHeader);
            csv.EndRow();
            var span = values.Span;
            for (int r = 0; r < rows; r++)
            {
                foreach (float v in span.Slice(r * columns, columns)) csv.Field(v);
                if (labels != null) csv.Field(labels[r]);
                csv.EndRow();
            }
        });
    }

    public CsvWriter Field(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        // An empty first field is quoted: alone on its line it would otherwise read back as a blank line.
        bool quote = value.Length == 0 ? !rowStarted : (value.AsSpan().IndexOfAny(delimiter, '"', '\n') >= 0 || value.Contains('\r') || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]));
        Separate();
        if (!quote)
        {
            writer.Write(value);
            return this;
        }
        writer.Write('"');
        writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        writer.Write('"');
        return this;
    }

    // The default format of float and double is the shortest string that parses back to the same value.
    public CsvWriter Field(float value) => Formatted(value);

    public CsvWriter Field(double value) => Formatted(value);

    public CsvWriter Field(long value) => Formatted(value);

    private CsvWriter Formatted<T>(T value)
        where T : ISpanFormattable
    {
        Separate();
        Span<char> buffer = stackalloc char[32];
        value.TryFormat(buffer, out int n, default, CultureInfo.InvariantCulture);
        writer.Write(buffer[..n]);
        return this;
    }

    /// <summary>Writes a whole row of text fields.</summary>
    public void Row(params IEnumerable<string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        foreach (string f in fields) Field(f);
        EndRow();
    }

    public void EndRow()
    {
        writer.Write('\n');
        rowStarted = false;
    }

    private void Separate()
    {
        if (rowStarted) writer.Write(delimiter);
        rowStarted = true;
    }
}
