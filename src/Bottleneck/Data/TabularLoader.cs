using System.Buffers.Binary;
using Bottleneck.Formats;
using Bottleneck.IO;

namespace Bottleneck.Data;

/// <summary>Which parts of a tabular file are features and labels.</summary>
public sealed class TabularOptions
{
    /// <summary>CSV: the feature columns by name; null takes every numeric column but the label.</summary>
    public IReadOnlyList<string>? FeatureColumns { get; init; }

    /// <summary>CSV: the label column by name; null for no labels.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>CSV: the delimiter; null detects it.</summary>
    public char? Delimiter { get; init; }

    /// <summary>.npz: the features member.</summary>
    public string XName { get; init; } = "X";

    /// <summary>.npz: the labels member, read when the archive has it.</summary>
    public string YName { get; init; } = "y";

    /// <summary>.npy and IDX: a separate labels file (.npy or IDX), one integer per sample.</summary>
    public string? LabelsPath { get; init; }
}

/// <summary>
/// Loads a table of samples (rows) × features for training or scoring, whatever the file type:
/// .npy (features, with labels optionally in a second file), .npz (members X and y by default), CSV
/// (.csv, .tsv, .txt) and IDX files (gzip-compressed or not). Anything else is recognised by its first bytes.
/// Values come back as they are in the file: scaling is a separate, fitted step (<see cref="FeatureScaler"/>).
/// </summary>
public static class TabularLoader
{
    public static Dataset Load(string path, TabularOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new TabularOptions();
        var format = Detect(path);
        if (format != Format.Csv && (options.FeatureColumns != null || options.LabelColumn != null))
            throw new BottleneckException($"{path}: feature and label columns can only be chosen by name in a CSV file");
        if (options.LabelsPath != null && format is Format.Csv or Format.Npz)
            throw new BottleneckException($"{path}: a separate labels file is only used with .npy and IDX features ({(format == Format.Csv ? "name the label column instead" : "the labels are the archive's '" + options.YName + "' member")})");
        string name = Path.GetFileName(path);
        switch (format)
        {
            case Format.Csv:
                return CsvTable.Read(path, new CsvOptions { Delimiter = options.Delimiter, FeatureColumns = options.FeatureColumns, LabelColumn = options.LabelColumn }).ToDataset();
            case Format.Npz:
                {
                    using var npz = NpzFile.Open(path);
                    var x = npz.Read(options.XName);
                    var y = npz.Contains(options.YName) ? npz.Read(options.YName) : null;
                    return Build(name, x, y?.Name, y == null ? null : Labels(y));
                }
            case Format.Npy:
                {
                    var x = NpyFile.Read(path);
                    return WithLabelsFile(name, x.ToSingles(), x.Rows, x.Columns, null, x.Name, options.LabelsPath);
                }
            default:
                {
                    var idx = IdxFile.Read(path);
                    int rows = idx.Dimensions[0];
                    long rowLength = 1;
                    foreach (int d in idx.Dimensions.Skip(1))
                    {
                        rowLength *= d;
                        if (rowLength > int.MaxValue)
                            throw new BottleneckException($"{path}: dimensions [{string.Join(", ", idx.Dimensions)}] make rows too long to load");
                    }
                    int columns = (int)rowLength;
                    // Rank-3 IDX files are images: keep their shape so that samples can be drawn.
                    int[]? shape = idx.Dimensions.Length == 3 ? [1, idx.Dimensions[1], idx.Dimensions[2]] : null;
                    var values = idx.ToSingles();
                    int bad = Array.FindIndex(values, v => !float.IsFinite(v));
                    if (bad >= 0)
                        throw new BottleneckException($"{path}: the value at row {bad / columns}, column {bad % columns} (counting from 0) is not finite; remove or impute such values first");
                    return WithLabelsFile(name, values, rows, columns, shape, path, options.LabelsPath);
                }
        }
    }

    private static Dataset WithLabelsFile(string name, float[] values, int rows, int columns, int[]? shape, string source, string? labelsPath)
    {
        int[]? labels = null;
        string? labelSource = null;
        if (labelsPath != null)
        {
            labelSource = labelsPath;
            labels = Detect(labelsPath) switch
            {
                Format.Npy => Labels(NpyFile.Read(labelsPath)),
                Format.Idx => IdxLabels(IdxFile.Read(labelsPath), labelsPath),
                _ => throw new BottleneckException($"{labelsPath}: a labels file must be .npy or IDX"),
            };
        }
        return Build(name, values, rows, columns, shape, source, labelSource, labels);
    }

    private static Dataset Build(string name, NpyFile x, string? labelSource, int[]? labels) =>
        Build(name, x.ToSingles(), x.Rows, x.Columns, null, x.Name, labelSource, labels);

    private static Dataset Build(string name, float[] values, int rows, int columns, int[]? shape, string source, string? labelSource, int[]? labels)
    {
        if (columns == 0)
            throw new BottleneckException($"{source}: the array has {rows} rows of 0 features; there is nothing to learn from");
        if (labels != null && labels.Length != rows)
            throw new BottleneckException($"{labelSource}: {labels.Length} labels for the {rows} samples of {source}");
        return new Dataset(name, values, rows, columns, labels, shape);
    }

    /// <summary>Labels from an array: one integer per sample, so 1-d or a single column.</summary>
    private static int[] Labels(NpyFile y)
    {
        if (y.Shape.Length > 2 || y.Shape.Length == 2 && y.Columns != 1)
            throw new BottleneckException($"{y.Name}: labels must be a 1-d array (one per sample), not shape {NpyFile.ShapeText(y.Shape)}");
        return y.ToInt32s();
    }

    private static int[] IdxLabels(IdxFile idx, string path)
    {
        if (idx.Dimensions.Length != 1)
            throw new BottleneckException($"{path}: labels must be a 1-d IDX file, not [{string.Join(", ", idx.Dimensions)}]");
        if (idx.Type is IdxType.Float32 or IdxType.Float64)
            throw new BottleneckException($"{path}: labels must be integers, not {idx.Type}");
        if (idx.Type == IdxType.Int32)
        {
            var result = new int[idx.Count];
            for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt32BigEndian(idx.Data.AsSpan(i * 4));
            return result;
        }
        // The other integer IDX types (8 and 16 bits) are exact in float32.
        return Array.ConvertAll(idx.ToSingles(), v => (int)v);
    }

    private enum Format
    {
        Npy,
        Npz,
        Csv,
        Idx,
    }

    private static Format Detect(string path)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        switch (ext)
        {
            case ".npy":
                return Format.Npy;
            case ".npz":
                return Format.Npz;
            case ".csv" or ".tsv" or ".txt":
                return Format.Csv;
        }
        // No telling extension (IDX files are named like train-images-idx3-ubyte, often .gz): the first bytes decide.
        var head = InputFile.Read(path, stream =>
        {
            var buffer = new byte[6];
            int got = 0;
            while (got < buffer.Length)
            {
                int n = stream.Read(buffer, got, buffer.Length - got);
                if (n == 0) break;
                got += n;
            }
            return buffer[..got];
        });
        if (head.Length >= 6 && head[0] == 0x93 && head.AsSpan(1, 5).SequenceEqual("NUMPY"u8)) return Format.Npy;
        if (head.Length >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] is 3 or 5) return Format.Npz;
        if (head.Length >= 2 && head[0] == 0x1F && head[1] == 0x8B) return Format.Idx;
        if (head.Length >= 4 && head[0] == 0 && head[1] == 0 && Enum.IsDefined((IdxType)head[2])) return Format.Idx;
        if (head.Length == 0)
            throw new BottleneckException($"{path}: the file is empty");
        throw new BottleneckException($"{path}: cannot tell the file type (expected .npy, .npz, .csv, .tsv or an IDX file)");
    }
}
