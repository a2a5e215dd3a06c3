using System.Buffers.Binary;
using System.IO.Compression;
using Bottleneck.Data;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Data;

public class TabularLoaderTests
{
    [Fact]
    public void LoadsAnAdbenchArchiveWithItsLabels()
    {
        var d = TabularLoader.Load(NpzFileTests.Adbench("4_breastw"));
        Assert.Equal(("4_breastw.npz", 683, 9), (d.Name, d.Count, d.FeatureCount));
        Assert.Equal(239, d.Labels!.Sum()); // numpy: int(np.load('4_breastw.npz')['y'].sum())
        Assert.Equal(5f, d.Features[0]);    // numpy: X[0, 0]
        Assert.Equal(4f, d.Features[9 + 2]); // numpy: X[1, 2]
    }

    [Fact]
    public void LoadsTheLargestAdbenchTablesUnderSixtyThousandRows()
    {
        // ALOI (49534 × 27 float64) and campaign (41188 × 62 float64), the largest under 60k rows;
        // both Fortran-ordered and deflated, so this covers decompression, conversion and transpose.
        // (How fast is measured by `bottleneck bench`, not asserted here.)
        foreach (var (file, rows, cols) in new[] { ("1_ALOI", 49534, 27), ("5_campaign", 41188, 62) })
        {
            var d = TabularLoader.Load(NpzFileTests.Adbench(file));
            Assert.Equal((rows, cols), (d.Count, d.FeatureCount));
            Assert.Equal(rows, d.Labels!.Length);
        }
    }

    [Fact]
    public void LoadsNpyWithASeparateLabelsFile()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("x.npy"), NpyBytes.Array("<f8", [3, 2, 2], [.. Enumerable.Range(0, 12).Select(i => (double)i)], fortran: true));
        File.WriteAllBytes(dir.File("y.npy"), NpyBytes.Array("<i8", [3], [0, 1, 0]));
        var d = TabularLoader.Load(dir.File("x.npy"), new TabularOptions { LabelsPath = dir.File("y.npy") });
        Assert.Equal((3, 4), (d.Count, d.FeatureCount));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (float)i), d.Features);
        Assert.Equal(new[] { 0, 1, 0 }, d.Labels);
        Assert.Null(TabularLoader.Load(dir.File("x.npy")).Labels);

        File.WriteAllBytes(dir.File("y4.npy"), NpyBytes.Array("<i8", [4], [0, 1, 0, 1]));
        var e = Assert.Throws<BottleneckException>(() => TabularLoader.Load(dir.File("x.npy"), new TabularOptions { LabelsPath = dir.File("y4.npy") }));
        Assert.Equal($"{dir.File("y4.npy")}: 4 labels for the 3 samples of {dir.File("x.npy")}", e.Message);
        File.WriteAllBytes(dir.File("y2d.npy"), NpyBytes.Array("<i8", [3, 2], [0, 1, 0, 1, 0, 1]));
        Assert.Contains("labels must be a 1-d array", Assert.Throws<BottleneckException>(() => TabularLoader.Load(dir.File("x.npy"), new TabularOptions { LabelsPath = dir.File("y2d.npy") })).Message);
    }

    [Fact]
    public void LoadsNpzWithChosenMemberNamesAndWithoutLabels()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("a.npz"), NpyBytes.Zip(("data.npy", NpyBytes.Array("<f4", [2, 2], [1, 2, 3, 4]), true), ("target.npy", NpyBytes.Array("|b1", [2], [1, 0]), false)));
        var d = TabularLoader.Load(dir.File("a.npz"), new TabularOptions { XName = "data", YName = "target" });
        Assert.Equal(new[] { 1, 0 }, d.Labels);
        Assert.Null(TabularLoader.Load(dir.File("a.npz"), new TabularOptions { XName = "data" }).Labels);
        var e = Assert.Throws<BottleneckException>(() => TabularLoader.Load(dir.File("a.npz")));
        Assert.Equal($"{dir.File("a.npz")}: the archive has no member 'X' (it has 'data', 'target')", e.Message);
        File.WriteAllBytes(dir.File("nan.npz"), NpyBytes.Zip(("X.npy", NpyBytes.Array("<f8", [2, 2], [1, 2, double.NaN, 4]), true)));
        var nan = Assert.Throws<BottleneckException>(() => TabularLoader.Load(dir.File("nan.npz")));
        Assert.Equal($"{dir.File("nan.npz")} (member X.npy): the value at row 1, column 0 (counting from 0) is NaN (a missing value?); remove or impute such values first", nan.Message);
    }

    [Fact]
    public void LoadsCsvWithStringLabels()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("t.csv"), "id,a,b,kind\nr1,1,2,normal\nr2,3,4,fraud\n");
        var d = TabularLoader.Load(dir.File("t.csv"), new TabularOptions { LabelColumn = "kind" });
        Assert.Equal((2, 2), (d.Count, d.FeatureCount));
        Assert.Equal(new[] { 1, 0 }, d.Labels); // fraud=0, normal=1
        var only = TabularLoader.Load(dir.File("t.csv"), new TabularOptions { FeatureColumns = ["b"] });
        Assert.Equal(new[] { 2f, 4f }, only.Features);
    }

    [Fact]
    public void LoadsIdxFilesRecognisedByTheirContent()
    {
        using var dir = new TempDir();
        // 3 images of 2 × 2 bytes, gzip-compressed, named as MNIST's files are; labels in a plain IDX file.
        var images = new byte[16 + 12];
        images[2] = 0x08;
        images[3] = 3;
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), 3);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), 2);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), 2);
        for (int i = 0; i < 12; i++) images[16 + i] = (byte)(i * 20);
        using (var file = File.Create(dir.File("x-images-idx3-ubyte.gz")))
        using (var gz = new GZipStream(file, CompressionLevel.Fastest))
            gz.Write(images);
        var labels = new byte[8 + 3];
        labels[2] = 0x08;
        labels[3] = 1;
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), 3);
        labels[8] = 2;
        labels[10] = 9;
        File.WriteAllBytes(dir.File("x-labels-idx1-ubyte"), labels);
        var d = TabularLoader.Load(dir.File("x-images-idx3-ubyte.gz"), new TabularOptions { LabelsPath = dir.File("x-labels-idx1-ubyte") });
        Assert.Equal((3, 4), (d.Count, d.FeatureCount));
        Assert.Equal(new[] { 1, 2, 2 }, d.SampleShape);
        Assert.Equal(220f, d.Features[11]); // raw values: scaling is a separate step
        Assert.Equal(new[] { 2, 0, 9 }, d.Labels);
        // A .npy under another name is recognised by its magic bytes.
        File.WriteAllBytes(dir.File("features.bin"), NpyBytes.Array("<f4", [2], [1, 2]));
        Assert.Equal((2, 1), (TabularLoader.Load(dir.File("features.bin")).Count, TabularLoader.Load(dir.File("features.bin")).FeatureCount));
    }

    [Fact]
    public void UnsupportedInputsAreClearErrors()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("notes.bin"), "hello");
        Assert.Equal($"{dir.File("notes.bin")}: cannot tell the file type (expected .npy, .npz, .csv, .tsv or an IDX file)",
            Assert.Throws<BottleneckException>(() => TabularLoader.Load(dir.File("notes.bin"))).Message);
        File.WriteAllBytes(dir.File("x.npy"), NpyBytes.Array("<f4", [2], [1, 2]));
        Assert.Contains("can only be chosen by name in a CSV file",
            Assert.Throws<BottleneckException>(() => TabularLoader.Load(dir.File("x.npy"), new TabularOptions { LabelColumn = "y" })).Message);
        File.WriteAllBytes(dir.File("zero.npy"), NpyBytes.Array("<f4", [2, 0], []));
        Assert.Contains("0 features", Assert.Throws<BottleneckException>(() => TabularLoader.Load(dir.File("zero.npy"))).Message);
        Assert.StartsWith($"{dir.File("missing.npz")}: cannot open the file",
            Assert.Throws<BottleneckException>(() => TabularLoader.Load(dir.File("missing.npz"))).Message);
        Assert.StartsWith($"{dir.File("missing")}: cannot open the file",
            Assert.Throws<BottleneckException>(() => TabularLoader.Load(dir.File("missing"))).Message);
    }
}
