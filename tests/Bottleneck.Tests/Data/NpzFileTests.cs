using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Bottleneck.Formats;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Data;

public class NpzFileTests
{
    public static string Adbench(string name) => Path.Combine(SharedData.Root, "datasets", "adbench", name + ".npz");

    /// <summary>
    /// Expected figures printed by numpy 1.24.2 (/usr/bin/python3) for the shared ADBench archives:
    ///   d = np.load(f); X = d['X']; y = d['y']
    ///   X.dtype.str, X.shape, y.dtype.str, int(y.sum())
    ///   hashlib.md5(np.ascontiguousarray(X.astype('&lt;f4')).tobytes()).hexdigest()   (row-major float32)
    ///   hashlib.md5(y.astype('&lt;i4').tobytes()).hexdigest()
    ///   repr(np.float32(X[1, 0])), repr(np.float32(X[r, c])) for the last row and column
    /// Every X member is stored in Fortran order (fortran_order True), so the digests also check the transpose.
    /// </summary>
    public static TheoryData<string, string, int, int, string, int, string, string, float, float> AdbenchFiles() => new()
    {
        { "1_ALOI", "<f8", 49534, 27, "<i4", 1508, "fd2447b5b54cd5f1b56cbc17be72d776", "2ef9b6015302a2207f80d74b7e9586d0", 0.975206f, 0.002654f },
        { "5_campaign", "<f8", 41188, 62, "<i8", 4640, "c027dc305cb0374650ebbcd3e2baf0c6", "0027ec7c99922e11947c43b0c5f65b25", 0.296296f, 0.859735f },
        { "32_shuttle", "<i2", 49097, 9, "<i8", 3511, "1c126e04a8e4f31a1e62537e4ca89661", "905ab7f58a2a1fdfab237e47cc8b9c6a", 53f, 20f },
        { "20_letter", "|u1", 1600, 32, "<i8", 100, "70e872a714fd7bc5811ec8c32240de09", "c6baa75f5c5a4c571ff92cea1d9cd84a", 0f, 7f },
        { "4_breastw", "|u1", 683, 9, "<i8", 239, "35291ab6604069f66cafdbf4ff1c2c47", "d78897c56e6ca377ab3bcb246306054c", 5f, 1f },
        { "12_fault", "<f8", 1941, 27, "<i4", 673, "60609c39959a7d8725ad10b8548280ce", "1991847c6f103d66f8e20785bcf2c71e", 0.14185771f, -0.16444294f },
    };

    [Theory]
    [MemberData(nameof(AdbenchFiles))]
    public void ReadsTheSharedAdbenchArchivesAsNumpyDoes(string file, string xType, int rows, int cols, string yType, int anomalies, string xMd5, string yMd5, float x10, float xLast)
    {
        using var npz = NpzFile.Open(Adbench(file));
        Assert.Equal(new[] { "X", "y" }, npz.Names);
        var x = npz.Read("X");
        var y = npz.Read("y.npy");
        Assert.Equal(xType, x.Descr);
        Assert.True(x.FortranOrder);
        Assert.Equal(new[] { rows, cols }, x.Shape);
        Assert.Equal(yType, y.Descr);
        Assert.Equal(new[] { rows }, y.Shape);
        var values = x.ToSingles();
        var labels = y.ToInt32s();
        Assert.Equal(xMd5, Convert.ToHexStringLower(MD5.HashData(MemoryMarshal.AsBytes(values.AsSpan()))));
        Assert.Equal(yMd5, Convert.ToHexStringLower(MD5.HashData(MemoryMarshal.AsBytes(labels.AsSpan()))));
        Assert.Equal(anomalies, labels.Sum());
        Assert.Equal(x10, values[cols]);
        Assert.Equal(xLast, values[^1]);
    }

    [Fact]
    public void ReadsStoredAndDeflatedMembersAndListsThem()
    {
        var x = NpyBytes.Array("<f4", [2, 2], [1, 2, 3, 4]);
        var y = NpyBytes.Array("|b1", [2], [1, 0]);
        var bytes = NpyBytes.Zip(("X.npy", x, false), ("labels.npy", y, true), ("notes/", [], false));
        using var npz = NpzFile.Open(new MemoryStream(bytes), "mem.npz");
        Assert.Equal(new[] { "X", "labels" }, npz.Names);
        Assert.True(npz.Contains("labels.npy"));
        Assert.False(npz.Contains("y"));
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, npz.Read("X").ToSingles());
        Assert.Equal(new[] { 1, 0 }, npz.Read("labels").ToInt32s());
        var e = Assert.Throws<BottleneckException>(() => npz.Read("y"));
        Assert.Equal("mem.npz: the archive has no member 'y' (it has 'X', 'labels')", e.Message);
    }

    [Fact]
    public void WritesArchivesThatReadBack()
    {
        using var dir = new TempDir();
        string path = dir.File("codes.npz");
        foreach (bool compress in new[] { false, true })
        {
            var codes = Enumerable.Range(0, 60).Select(i => i * 0.5f - 3).ToArray();
            NpzFile.Write(path, [KeyValuePair.Create("codes", NpyFile.FromSingles(codes, 20, 3)), KeyValuePair.Create("labels", NpyFile.FromInt32s([.. Enumerable.Range(0, 20)]))], compress);
            using (var zip = ZipFile.OpenRead(path))
            {
                Assert.Equal(new[] { "codes.npy", "labels.npy" }, zip.Entries.Select(e => e.FullName));
                Assert.Equal(compress, zip.Entries[0].CompressedLength < zip.Entries[0].Length);
            }
            using var npz = NpzFile.Open(path);
            Assert.Equal(codes, npz.Read("codes").ToSingles());
            Assert.Equal(Enumerable.Range(0, 20), npz.Read("labels").ToInt32s());
        }
        Assert.Single(Directory.GetFiles(dir.Path));
        var dup = Assert.Throws<BottleneckException>(() => NpzFile.Write(dir.File("d.npz"), [KeyValuePair.Create("a", NpyFile.FromInt32s([1])), KeyValuePair.Create("a", NpyFile.FromInt32s([2]))]));
        Assert.Contains("two arrays are named 'a'", dup.Message);
    }

    public static TheoryData<string, byte[], string> BrokenNpz()
    {
        var x = NpyBytes.Array("<f8", [3, 2], [1, 2, 3, 4, 5, 6]);
        var good = NpyBytes.Zip(("X.npy", x, true), ("y.npy", NpyBytes.Array("<i8", [3], [0, 1, 0]), false));
        var stored = NpyBytes.Zip(("X.npy", x, false));
        int dataAt = stored.AsSpan().IndexOf("NUMPY"u8) - 1; // where the member starts inside the stored archive
        return new TheoryData<string, byte[], string>
        {
            { "empty", [], "too short" },
            { "not a zip", x, "not a readable .npz (zip) archive" },
            { "truncated", good[..(good.Length * 2 / 3)], "not a readable .npz (zip) archive" },
            { "member truncated npy", NpyBytes.Zip(("X.npy", x[..^3], false)), "(member X.npy): is truncated" },
            { "member not npy", NpyBytes.Zip(("X.npy", "hello"u8.ToArray(), true)), "(member X.npy): is not a .npy array" },
            { "member trailing data", NpyBytes.Zip(("X.npy", [.. x, 0], true)), "(member X.npy): has 1 bytes of trailing data" },
            { "duplicate member", NpyBytes.Zip(("X.npy", x, false), ("X.npy", x, false)), "lists member 'X.npy' twice" },
            { "corrupt deflate", CorruptDeflate(x), "member X.npy" },
            { "stored data changed", Patch(stored, b => b[dataAt + 130] ^= 0xFF), "member X.npy" },
        };
    }

    private static byte[] Patch(byte[] bytes, Action<byte[]> patch)
    {
        var copy = (byte[])bytes.Clone();
        patch(copy);
        return copy;
    }

    /// <summary>A deflated member whose compressed stream is garbage (local header and directory intact).</summary>
    private static byte[] CorruptDeflate(byte[] member)
    {
        var bytes = NpyBytes.Zip(("X.npy", member, true));
        // The local header is 30 bytes plus the name; the compressed data follows.
        for (int i = 30 + 5; i < 30 + 5 + 12; i++) bytes[i] = 0xFF;
        return bytes;
    }

    [Theory]
    [MemberData(nameof(BrokenNpz))]
    public void BrokenArchivesGiveOneClearLine(string label, byte[] bytes, string expected)
    {
        using var dir = new TempDir();
        string path = dir.File("data.npz");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<BottleneckException>(() =>
        {
            using var npz = NpzFile.Open(path);
            foreach (string name in npz.Names) npz.Read(name).ToSingles();
        });
        Assert.StartsWith(path, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        _ = label;
    }

    [Fact]
    public void RandomCorruptionNeverEscapesAsAnotherException()
    {
        var x = NpyBytes.Array("<f8", [6, 3], Enumerable.Range(0, 18).Select(i => i * 1.25).ToArray(), fortran: true);
        var y = NpyBytes.Array("<i8", [6], [0, 0, 1, 0, 1, 0]);
        var originals = new[] { NpyBytes.Zip(("X.npy", x, false), ("y.npy", y, false)), NpyBytes.Zip(("X.npy", x, true), ("y.npy", y, true)) };
        var rng = new Random(99);
        int errors = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var bytes = (byte[])originals[trial % 2].Clone();
            for (int flips = rng.Next(1, 4); flips > 0; flips--) bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
            if (rng.Next(4) == 0) bytes = bytes[..rng.Next(bytes.Length)];
            try
            {
                using var npz = NpzFile.Open(new MemoryStream(bytes), "mem.npz");
                foreach (string name in npz.Names)
                {
                    var array = npz.Read(name);
                    array.ToSingles();
                    array.ToInt32s();
                }
            }
            catch (BottleneckException e)
            {
                Assert.DoesNotContain('\n', e.Message);
                errors++;
            }
        }
        Assert.InRange(errors, 300, 3000);
    }
}
