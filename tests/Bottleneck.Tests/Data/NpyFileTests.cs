using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Bottleneck.Formats;
using Bottleneck.IO;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Data;

public class NpyFileTests
{
    private static NpyFile FromBytes(byte[] bytes) => NpyFile.Read(new MemoryStream(bytes), "mem.npy");

    // Values every dtype can hold exactly (bool only 0 and 1, unsigned ones no negatives).
    private static double[] ValuesFor(string descr) => descr[1..] switch
    {
        "b1" => [1, 0, 0, 1, 1, 0],
        "u1" or "u2" or "u4" or "u8" => [0, 1, 2, 200, 7, 255],
        _ => [0, -1, 2, -100, 7, 120],
    };

    public static TheoryData<string> Dtypes() =>
    [
        "|b1", "|u1", "|i1", "<i2", ">i2", "<u2", ">u2", "<i4", ">i4", "<u4", ">u4",
        "<i8", ">i8", "<u8", ">u8", "<f2", ">f2", "<f4", ">f4", "<f8", ">f8",
    ];

    [Theory]
    [MemberData(nameof(Dtypes))]
    public void ReadsEveryDtypeInBothOrders(string descr)
    {
        var values = ValuesFor(descr);
        foreach (bool fortran in new[] { false, true })
        {
            var array = FromBytes(NpyBytes.Array(descr, [2, 3], values, fortran));
            Assert.Equal(new[] { 2, 3 }, array.Shape);
            Assert.Equal((2, 3), (array.Rows, array.Columns));
            Assert.Equal(fortran, array.FortranOrder);
            Assert.Equal(values.Select(v => (float)v), array.ToSingles());
            Assert.Equal(values.Select(v => (int)v), array.ToInt32s());
        }
    }

    [Fact]
    public void FortranOrderOfThreeAndFourDimensionsIsFlattenedRowMajor()
    {
        foreach (var shape in new[] { new[] { 2, 3, 4 }, [3, 1, 2, 5], [4, 5] })
        {
            var values = Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(i => (double)i * 1.5).ToArray();
            var c = FromBytes(NpyBytes.Array("<f8", shape, values));
            var f = FromBytes(NpyBytes.Array("<f8", shape, values, fortran: true));
            Assert.Equal(shape[0], f.Rows);
            Assert.Equal(values.Length / shape[0], f.Columns);
            Assert.Equal(values.Select(v => (float)v), c.ToSingles());
            Assert.Equal(values.Select(v => (float)v), f.ToSingles());
        }
    }

    [Fact]
    public void LargeFortranArrayTransposesAcrossTiles()
    {
        // 70 × 45 crosses several 32 × 32 tiles with ragged edges.
        var values = Enumerable.Range(0, 70 * 45).Select(i => (double)i).ToArray();
        var f = FromBytes(NpyBytes.Array("<i4", [70, 45], values, fortran: true));
        Assert.Equal(values.Select(v => (float)v), f.ToSingles());
        Assert.Equal(values.Select(v => (int)v), f.ToInt32s());
    }

    [Fact]
    public void ReadsVersionsTwoAndThreeAndOtherShapes()
    {
        foreach (int version in new[] { 2, 3 })
        {
            var array = FromBytes(NpyBytes.Array("<f4", [3], [1.5, 2.5, -3], version: version));
            Assert.Equal((3, 1), (array.Rows, array.Columns));
            Assert.Equal(new[] { 1.5f, 2.5f, -3f }, array.ToSingles());
        }
        var scalar = FromBytes(NpyBytes.File("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", NpyBytes.Encode("<f8", [4.25])));
        Assert.Empty(scalar.Shape);
        Assert.Equal((1, 1), (scalar.Rows, scalar.Columns));
        Assert.Equal(new[] { 4.25f }, scalar.ToSingles());
        var empty = FromBytes(NpyBytes.Array("<f4", [0, 7], []));
        Assert.Equal((0, 7), (empty.Rows, empty.Columns));
        Assert.Empty(empty.ToSingles());
        // Python 2 wrote long integers with an L and double quotes are valid Python too.
        var old = FromBytes(NpyBytes.File("{\"descr\": \"<i2\", \"fortran_order\": False, \"shape\": (2L,)}", NpyBytes.Encode("<i2", [5, -6])));
        Assert.Equal(new[] { 5, -6 }, old.ToInt32s());
    }

    [Fact]
    public void WritesWhatNumpySaves()
    {
        // md5 of the bytes np.save writes for these arrays, from numpy 1.24.2 (/usr/bin/python3):
        //   np.save(b, np.array([[1.5,-2,3],[4,5,6.25]], dtype='<f4'))  -> a72321d9eef7a31eecefda352202d1ce (152 bytes)
        //   np.save(b, np.array([3,-1,7], dtype='<i4'))                  -> 7f85026f970c5fe2304f24548ae01a93 (140 bytes)
        using var dir = new TempDir();
        NpyFile.Write(dir.File("x.npy"), [1.5f, -2f, 3f, 4f, 5f, 6.25f], 2, 3);
        NpyFile.Write(dir.File("y.npy"), [3, -1, 7]);
        var x = File.ReadAllBytes(dir.File("x.npy"));
        var y = File.ReadAllBytes(dir.File("y.npy"));
        Assert.Equal("a72321d9eef7a31eecefda352202d1ce", Convert.ToHexStringLower(MD5.HashData(x)));
        Assert.Equal("7f85026f970c5fe2304f24548ae01a93", Convert.ToHexStringLower(MD5.HashData(y)));
        Assert.Equal(2, Directory.GetFiles(dir.Path).Length); // no temporary file left behind
        Assert.Equal(new[] { 1.5f, -2f, 3f, 4f, 5f, 6.25f }, NpyFile.Read(dir.File("x.npy")).ToSingles());
        Assert.Equal(new[] { 3, -1, 7 }, NpyFile.Read(dir.File("y.npy")).ToInt32s());
    }

    [Fact]
    public void WriteRoundTripsRandomTables()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 50; trial++)
        {
            int rows = rng.Next(0, 40), cols = rng.Next(1, 30);
            var values = new float[rows * cols];
            for (int i = 0; i < values.Length; i++) values[i] = (float)(rng.NextDouble() * 2e6 - 1e6) / (1 + rng.Next(1000));
            using var buffer = new MemoryStream();
            NpyFile.FromSingles(values, rows, cols).Write(buffer);
            Assert.Equal(0, (int)(buffer.Length - rows * cols * 4) % 64); // data starts 64-byte aligned
            var read = NpyFile.Read(new MemoryStream(buffer.ToArray()), "mem");
            Assert.Equal(new[] { rows, cols }, read.Shape);
            Assert.Equal(values, read.ToSingles());
        }
    }

    [Fact]
    public void NonFiniteValuesNameTheirRowAndColumn()
    {
        var values = Enumerable.Range(0, 12).Select(i => (double)i).ToArray();
        values[7] = double.NaN; // row 1, column 3 of a 3 × 4 table
        foreach (bool fortran in new[] { false, true })
        {
            var array = FromBytes(NpyBytes.Array("<f8", [3, 4], values, fortran));
            var e = Assert.Throws<BottleneckException>(() => array.ToSingles());
            Assert.Equal("mem.npy: the value at row 1, column 3 (counting from 0) is NaN (a missing value?); remove or impute such values first", e.Message);
            Assert.True(float.IsNaN(array.ToSingles(allowNonFinite: true)[7]));
        }
        values[7] = 1e300; // finite in float64, infinite in float32
        var big = Assert.Throws<BottleneckException>(() => FromBytes(NpyBytes.Array("<f8", [3, 4], values, fortran: true)).ToSingles());
        Assert.Contains("row 1, column 3", big.Message);
        Assert.Contains("1E+300, outside the float32 range", big.Message);
        var inf = Assert.Throws<BottleneckException>(() => FromBytes(NpyBytes.Array("<f4", [5], [0, 1, double.NegativeInfinity, 3, 4])).ToSingles());
        Assert.Contains("index 2 is -infinite", inf.Message);
    }

    [Fact]
    public void LabelsMustBeExactIntegers()
    {
        Assert.Equal(new[] { 0, 1, 1 }, FromBytes(NpyBytes.Array("<f8", [3], [0, 1, 1])).ToInt32s());
        var half = Assert.Throws<BottleneckException>(() => FromBytes(NpyBytes.Array("<f4", [3], [0, 0.5, 1])).ToInt32s());
        Assert.Contains("value 0.5 at index 1 is not an integer", half.Message);
        var large = Assert.Throws<BottleneckException>(() => FromBytes(NpyBytes.Array("<i8", [2, 2], [0, 1, 1, 5e9], fortran: true)).ToInt32s());
        Assert.Contains("value 5000000000 at row 1, column 1 (counting from 0) does not fit in a 32-bit integer", large.Message);
        Assert.Throws<BottleneckException>(() => FromBytes(NpyBytes.Array("<u4", [1], [3e9])).ToInt32s());
        Assert.Throws<BottleneckException>(() => FromBytes(NpyBytes.Array("<f8", [1], [double.NaN])).ToInt32s());
    }

    private static byte[] WithHeader(string header, int dataBytes, int version = 1) => NpyBytes.File(header, new byte[dataBytes], version);

    private static byte[] Patch(byte[] bytes, Action<byte[]> patch)
    {
        var copy = (byte[])bytes.Clone();
        patch(copy);
        return copy;
    }

    public static TheoryData<string, byte[], string> BrokenNpy()
    {
        var good = NpyBytes.Array("<f8", [4, 3], Enumerable.Range(0, 12).Select(i => (double)i).ToArray());
        return new TheoryData<string, byte[], string>
        {
            { "empty", [], "is empty" },
            { "not npy", Encoding.ASCII.GetBytes("a,b,c\n1,2,3\n"), "does not start with the magic bytes" },
            { "npz given", NpyBytes.Zip(("X.npy", good, false)), "is a zip archive" },
            { "magic only", good[..6], "truncated in its header" },
            { "version 4", Patch(good, b => b[6] = 4), "version 4.0" },
            { "no header length", good[..9], "no header length" },
            { "header cut", good[..40], "its header should be 118 bytes but only 30 follow" },
            { "giant header", Patch(NpyBytes.File("{}", [], version: 2), b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), 0x7FFFFFFF)), "more than the 65536 allowed" },
            { "truncated data", good[..^5], "needs 96 bytes of data but only 91 are there" },
            { "trailing data", [.. good, 1, 2], "2 bytes of trailing data" },
            { "not a dict", WithHeader("['descr']", 0), "not a Python dict" },
            { "unknown key", WithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", 8), "unknown key 'x'" },
            { "missing shape", WithHeader("{'descr': '<f8', 'fortran_order': False}", 8), "lacks 'shape'" },
            { "duplicate key", WithHeader("{'descr': '<f8', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", 8), "'descr' twice" },
            { "bad bool", WithHeader("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}", 8), "not True or False" },
            { "negative dim", WithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}", 8), "non-negative integers" },
            { "shape not tuple", WithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': [1]}", 8), "not a tuple" },
            { "unterminated", WithHeader("{'descr': '<f8", 8), "unterminated string" },
            { "junk after dict", WithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} x", 8), "extra content" },
            { "huge dim", WithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999,)}", 8), "larger than 2147483647" },
            { "overflowing shape", WithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (65536, 65536, 65536)}", 8), "more data than can be loaded" },
            { "long empty rows", WithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 65536, 65536)}", 0), "rows are too long" },
            { "size mismatch", WithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}", 16), "needs 24 bytes of data but only 16 are there" },
            { "string dtype", WithHeader("{'descr': '<U5', 'fortran_order': False, 'shape': (1,)}", 20), "dtype '<U5'" },
            { "complex dtype", WithHeader("{'descr': '<c16', 'fortran_order': False, 'shape': (1,)}", 16), "dtype '<c16'" },
            { "object dtype", WithHeader("{'descr': '|O', 'fortran_order': False, 'shape': (1,)}", 8), "Python objects" },
            { "structured dtype", WithHeader("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,)}", 8), "structured dtype" },
            { "control chars", WithHeader("{'descr': '<x\n\u0001', 'fortran_order': False, 'shape': (1,)}", 8), "dtype '<x??'" },
        };
    }

    [Theory]
    [MemberData(nameof(BrokenNpy))]
    public void BrokenFilesGiveOneClearLine(string label, byte[] bytes, string expected)
    {
        using var dir = new TempDir();
        string path = dir.File("x.npy");
        File.WriteAllBytes(path, bytes);
        RefusalAssert.FileRefused(path, () => NpyFile.Read(path), expected);
        _ = label;
    }

    [Fact]
    public void MissingFileIsAClearError()
    {
        var e = Assert.Throws<BottleneckException>(() => NpyFile.Read("/nonexistent/x.npy"));
        Assert.StartsWith("/nonexistent/x.npy: cannot open the file", e.Message);
    }

    [Fact]
    public void RandomCorruptionNeverEscapesAsAnotherException()
    {
        var originals = new[]
        {
            NpyBytes.Array("<f8", [5, 3], Enumerable.Range(0, 15).Select(i => i * 0.25).ToArray(), fortran: true),
            NpyBytes.Array(">i2", [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8], version: 2),
            NpyBytes.Array("|u1", [7], [1, 2, 3, 4, 5, 6, 7], version: 3),
        };
        var rng = new Random(4321);
        int errors = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var bytes = (byte[])originals[trial % originals.Length].Clone();
            // Mostly damage the header, where the parsing is.
            for (int flips = rng.Next(1, 4); flips > 0; flips--)
                bytes[rng.Next(rng.Next(2) == 0 ? Math.Min(bytes.Length, 80) : bytes.Length)] = (byte)rng.Next(256);
            if (rng.Next(4) == 0) bytes = bytes[..rng.Next(bytes.Length)];
            try
            {
                var array = NpyFile.Read(new MemoryStream(bytes), "mem");
                array.ToSingles(allowNonFinite: rng.Next(2) == 0);
                array.ToInt32s();
            }
            catch (BottleneckException e)
            {
                Assert.DoesNotContain('\n', e.Message);
                errors++;
            }
        }
        Assert.InRange(errors, 500, 3000); // the corruption did reach the checks
    }

    [Fact]
    public void NonSeekableStreamsAreReadInGrowingChunks()
    {
        // A header claiming 1 GiB over a pipe-like stream: refused on reading, not allocated up front.
        var bytes = NpyBytes.File("{'descr': '<f8', 'fortran_order': False, 'shape': (134217728,), }", new byte[100]);
        var e = Assert.Throws<BottleneckException>(() => NpyFile.Read(new ForwardOnlyStream(bytes), "pipe"));
        Assert.Contains("needs 1073741824 bytes of data but only 100 are there", e.Message);
        var good = NpyBytes.Array("<i4", [3], [1, 2, 3]);
        Assert.Equal(new[] { 1, 2, 3 }, NpyFile.Read(new ForwardOnlyStream(good), "pipe").ToInt32s());
    }

    /// <summary>Hands out at most 7 bytes per read and cannot seek, like a decompressing stream.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : Bottleneck.IO.ForwardOnlyStream
    {
        private readonly MemoryStream inner = new(data);

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 7));
    }
}
