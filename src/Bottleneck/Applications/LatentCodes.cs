using System.Globalization;
using Bottleneck.Data;
using Bottleneck.Formats;
using Bottleneck.Models;
using Bottleneck.Tensors;

namespace Bottleneck.Applications;

/// <summary>Latent codes, row-major [Count, Latent], with one label per row when the data had labels.</summary>
public sealed record CodeSet
{
    public CodeSet(float[] codes, int count, int latent, int[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(codes);
        if (count < 0 || latent < 1 || (long)count * latent != codes.Length)
            throw new BottleneckException($"codes: {codes.Length} values are not {count} codes of {latent} values");
        if (labels is not null && labels.Length != count)
            throw new BottleneckException($"codes: {labels.Length} labels for {count} codes");
        Codes = codes;
        Count = count;
        Latent = latent;
        Labels = labels;
    }

    public float[] Codes { get; }

    public int Count { get; }

    public int Latent { get; }

    public int[]? Labels { get; }

    /// <summary>The codes as a [Count, Latent] tensor (sharing the array).</summary>
    public Tensor ToTensor() => Tensor.Wrap(Codes, Count, Latent);
}

/// <summary>
/// Encoding a data set to latent codes (a VAE's μ), and code files: CSV (columns z0..z(k−1) and a
/// label column when there are labels), .npy (float32 [N, k], labels in a sibling
/// &lt;stem&gt;.labels.npy) and .npz (members "codes" and "labels").
/// </summary>
public static class LatentCodes
{
    public static readonly string[] Extensions = [".csv", ".npy", ".npz"];
    public const string CodesMember = "codes";
    public const string LabelsMember = "labels";
    private const int Chunk = 4096;

    /// <summary>The codes of every item of <paramref name="data"/>, labels kept.</summary>
    public static CodeSet Encode(Autoencoder model, Dataset data, Action<WorkProgress>? progress = null, string stage = "encoding")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        CheckInput(model, data);
        int latent = model.Config.Latent;
        var codes = new float[(long)data.Count * latent];
        var batch = new Tensor(Math.Max(1, Math.Min(Chunk, data.Count)), data.FeatureCount);
        for (int start = 0; start < data.Count; start += Chunk)
        {
            int rows = Math.Min(Chunk, data.Count - start);
            data.CopyRows(start, rows, batch);
            model.Encode(batch).Span.CopyTo(codes.AsSpan(start * latent, rows * latent));
            progress?.Invoke(new WorkProgress(stage, start + rows, data.Count));
        }
        return new CodeSet(codes, data.Count, latent, (int[]?)data.Labels?.Clone());
    }

    /// <summary>Decodes codes to items [Count, InputSize] in the model's units (e.g. pixels in [0, 1]).</summary>
    public static Tensor Decode(Autoencoder model, CodeSet codes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(codes);
        if (codes.Latent != model.Config.Latent)
            throw new BottleneckException($"the codes have {codes.Latent} values each but the model's code has {model.Config.Latent}");
        if (codes.Count == 0) throw new BottleneckException("there are no codes to decode");
        CheckFinite(codes);
        return model.Decode(codes.ToTensor());
    }

    /// <summary>The header of a code CSV: z0, z1, ...</summary>
    public static string[] ColumnNames(int latent) => Enumerable.Range(0, latent).Select(i => "z" + i.ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Where the labels of codes saved as <paramref name="npyPath"/> go: &lt;stem&gt;.labels.npy beside it.</summary>
    public static string LabelsPathFor(string npyPath)
    {
        ArgumentNullException.ThrowIfNull(npyPath);
        string stem = Path.GetFileNameWithoutExtension(npyPath);
        return Path.Combine(Path.GetDirectoryName(npyPath) ?? "", stem + ".labels.npy");
    }

    /// <summary>Checks that a path names a code file this class writes and reads (by its extension).</summary>
    public static string FormatOf(string path, string what = "codes file")
    {
        ArgumentNullException.ThrowIfNull(path);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (!Extensions.Contains(ext))
            throw new BottleneckException($"{path}: a {what} must end in .csv, .npy or .npz");
        return ext;
    }

    /// <summary>Saves codes atomically in the format the extension names; returns the paths written.</summary>
    public static IReadOnlyList<string> Save(string path, CodeSet codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        switch (FormatOf(path))
        {
            case ".csv":
                CsvWriter.WriteTable(path, ColumnNames(codes.Latent), codes.Codes, codes.Count, codes.Latent, codes.Labels);
                return [path];
            case ".npy":
                string labelsPath = LabelsPathFor(path);
                NpyFile.Write(path, codes.Codes, codes.Count, codes.Latent);
                if (codes.Labels is null)
                {
                    // A labels file left from earlier codes of that name would no longer match them.
                    if (File.Exists(labelsPath)) File.Delete(labelsPath);
                    return [path];
                }
                NpyFile.Write(labelsPath, codes.Labels);
                return [path, labelsPath];
            default:
                var members = new List<KeyValuePair<string, NpyFile>> { new(CodesMember, NpyFile.FromSingles(codes.Codes, codes.Count, codes.Latent)) };
                if (codes.Labels is not null) members.Add(new(LabelsMember, NpyFile.FromInt32s(codes.Labels)));
                NpzFile.Write(path, members);
                return [path];
        }
    }

    /// <summary>Reads a code file written by <see cref="Save"/> (or by numpy / another tool in the same layout).</summary>
    public static CodeSet Load(string path)
    {
        string ext = FormatOf(path);
        if (!File.Exists(path)) throw new BottleneckException($"{path}: no such codes file");
        CodeSet codes;
        switch (ext)
        {
            case ".csv":
                string? header = File.ReadLines(path).FirstOrDefault(l => l.Trim().Length > 0);
                bool hasLabel = header is not null && header.Split(',').Any(f => f.Trim().Trim('"') == "label");
                var table = CsvTable.Read(path, new CsvOptions { Delimiter = ',', LabelColumn = hasLabel ? "label" : null });
                if (table.FeatureCount == 0) throw new BottleneckException($"{path}: no code columns (expected z0, z1, ...)");
                codes = new CodeSet(table.Features, table.RowCount, table.FeatureCount, table.Labels);
                break;
            case ".npy":
                codes = FromArrays(path, NpyFile.Read(path), File.Exists(LabelsPathFor(path)) ? NpyFile.Read(LabelsPathFor(path)) : null);
                break;
            default:
                using (var npz = NpzFile.Open(path))
                {
                    if (!npz.Contains(CodesMember))
                        throw new BottleneckException($"{path}: the archive has no member '{CodesMember}' (it has {string.Join(", ", npz.Names)})");
                    codes = FromArrays(path, npz.Read(CodesMember), npz.Contains(LabelsMember) ? npz.Read(LabelsMember) : null);
                }
                break;
        }
        CheckFinite(codes, path);
        return codes;
    }

    private static CodeSet FromArrays(string path, NpyFile values, NpyFile? labels)
    {
        if (values.Shape.Length != 2)
            throw new BottleneckException($"{path}: codes must be a 2-d array [items, code size], got shape ({string.Join(", ", values.Shape)})");
        int[]? labelValues = null;
        if (labels is not null)
        {
            if (labels.Shape.Length != 1 || labels.Shape[0] != values.Shape[0])
                throw new BottleneckException($"{path}: {values.Shape[0]} codes but labels of shape ({string.Join(", ", labels.Shape)}); give one label per code");
            labelValues = labels.ToInt32s();
        }
        if (values.Shape[1] < 1) throw new BottleneckException($"{path}: codes of size 0");
        return new CodeSet(values.ToSingles(), values.Shape[0], values.Shape[1], labelValues);
    }

    private static void CheckFinite(CodeSet codes, string? path = null)
    {
        int bad = Array.FindIndex(codes.Codes, v => !float.IsFinite(v));
        if (bad >= 0)
            throw new BottleneckException($"{path ?? "codes"}: code {bad / codes.Latent} has a non-finite value ({codes.Codes[bad].ToString(CultureInfo.InvariantCulture)}) in column z{bad % codes.Latent}");
    }

    internal static void CheckInput(Autoencoder model, Dataset data)
    {
        if (data.FeatureCount != model.Config.InputSize)
            throw new BottleneckException($"{data.Name}: items have {data.FeatureCount} values but the model expects {model.Config.InputSize}");
    }
}
