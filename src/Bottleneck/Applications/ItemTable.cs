using System.Globalization;
using Bottleneck.Formats;

namespace Bottleneck.Applications;

/// <summary>
/// Items (decoded codes, reconstructions) written as a table that the table loaders read back:
/// CSV with columns x0..x(n−1) and a label column when there are labels; .npy float32 [N, n] with
/// labels in a sibling &lt;stem&gt;.labels.npy; .npz with members "X" and "y", as `train --data` reads them.
/// </summary>
public static class ItemTable
{
    public static string[] ColumnNames(int features) => Enumerable.Range(0, features).Select(i => "x" + i.ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Saves [rows, columns] values atomically in the format the extension names; returns the paths written.</summary>
    public static IReadOnlyList<string> Save(string path, float[] values, int rows, int columns, int[]? labels)
    {
        ArgumentNullException.ThrowIfNull(values);
        switch (LatentCodes.FormatOf(path, "table file"))
        {
            case ".csv":
                CsvWriter.WriteTable(path, ColumnNames(columns), values, rows, columns, labels);
                return [path];
            case ".npy":
                string labelsPath = LatentCodes.LabelsPathFor(path);
                NpyFile.Write(path, values, rows, columns);
                if (labels is null)
                {
                    if (File.Exists(labelsPath)) File.Delete(labelsPath);
                    return [path];
                }
                NpyFile.Write(labelsPath, labels);
                return [path, labelsPath];
            default:
                var members = new List<KeyValuePair<string, NpyFile>> { new("X", NpyFile.FromSingles(values, rows, columns)) };
                if (labels is not null) members.Add(new("y", NpyFile.FromInt32s(labels)));
                NpzFile.Write(path, members);
                return [path];
        }
    }
}
