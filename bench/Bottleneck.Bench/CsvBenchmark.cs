using System.Diagnostics;
using System.Globalization;
using System.Text;
using Bottleneck.Data;
using nietras.SeparatedValues;

namespace Bottleneck.Bench;

/// <summary>
/// Parse speed of a large numeric CSV: the library's <see cref="CsvTable.Read(string, CsvOptions?)"/>
/// (header, validation, float32 features) against the Sep parser doing the least comparable work
/// (read every field, parse it as a float into one array), each from the same file, alternated.
/// </summary>
public static class CsvBenchmark
{
    public static int Run(string[] args)
    {
        int rows = int.Parse(Option(args, "--rows") ?? "200000", CultureInfo.InvariantCulture);
        int columns = int.Parse(Option(args, "--columns") ?? "30", CultureInfo.InvariantCulture);
        int reps = int.Parse(Option(args, "--reps") ?? "5", CultureInfo.InvariantCulture);
        string path = Option(args, "--file") ?? Path.Combine(Path.GetTempPath(), $"bottleneck-bench-{rows}x{columns}.csv");
        Write(path, rows, columns);
        Console.WriteLine($"{path}: {rows} rows x {columns} columns, {new FileInfo(path).Length / 1e6:F1} MB");

        var ours = new List<double>();
        var sep = new List<double>();
        float checkOurs = 0, checkSep = 0;
        for (int r = 0; r <= reps; r++)
        {
            long start = Stopwatch.GetTimestamp();
            var table = CsvTable.Read(path);
            double a = Stopwatch.GetElapsedTime(start).TotalSeconds;
            checkOurs = Sum(table.Features);

            start = Stopwatch.GetTimestamp();
            float[] values = ReadWithSep(path, rows, columns);
            double b = Stopwatch.GetElapsedTime(start).TotalSeconds;
            checkSep = Sum(values);
            if (r == 0) continue; // warm-up
            ours.Add(a);
            sep.Add(b);
        }
        if (checkOurs != checkSep)
        {
            Console.Error.WriteLine($"the parsers disagree: sum {checkOurs} against {checkSep}");
            return 1;
        }
        ours.Sort();
        sep.Sort();
        Console.WriteLine($"median of {reps} (after one warm-up), alternated:");
        Console.WriteLine($"  CsvTable.Read: {ours[reps / 2] * 1e3:F0} ms (min {ours[0] * 1e3:F0}, max {ours[^1] * 1e3:F0})");
        Console.WriteLine($"  Sep 0.18:      {sep[reps / 2] * 1e3:F0} ms (min {sep[0] * 1e3:F0}, max {sep[^1] * 1e3:F0})");
        return 0;
    }

    private static float[] ReadWithSep(string path, int rows, int columns)
    {
        var values = new float[rows * columns];
        int k = 0;
        using var reader = Sep.Reader().FromFile(path);
        foreach (var row in reader)
        {
            for (int i = 0; i < row.ColCount; i++) values[k++] = row[i].Parse<float>();
        }
        return values;
    }

    private static float Sum(ReadOnlySpan<float> values)
    {
        double s = 0;
        foreach (float v in values) s += v;
        return (float)s;
    }

    private static void Write(string path, int rows, int columns)
    {
        if (File.Exists(path)) return;
        var rng = new Random(3);
        var line = new StringBuilder();
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        for (int j = 0; j < columns; j++) line.Append(j == 0 ? "" : ",").Append('c').Append(j);
        writer.WriteLine(line);
        for (int i = 0; i < rows; i++)
        {
            line.Clear();
            for (int j = 0; j < columns; j++)
                line.Append(j == 0 ? "" : ",").Append((rng.NextDouble() * 200 - 100).ToString("G7", CultureInfo.InvariantCulture));
            writer.WriteLine(line);
        }
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
