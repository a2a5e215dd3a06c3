using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using Bottleneck.Data;
using Bottleneck.Formats;
using Bottleneck.Tensors;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Data;

/// <summary>Loads the shared MNIST once for every test of the class (about a second).</summary>
public sealed class MnistFixture
{
    public MnistFixture() => (Train, Test) = Mnist.Load(SharedData.Mnist);

    public Dataset Train { get; }

    public Dataset Test { get; }
}

public class IdxAndMnistTests(MnistFixture mnist) : IClassFixture<MnistFixture>
{
    [Fact]
    public void LoadsTheSharedMnist()
    {
        Assert.Equal((60000, 784), (mnist.Train.Count, mnist.Train.FeatureCount));
        Assert.Equal((10000, 784), (mnist.Test.Count, mnist.Test.FeatureCount));
        Assert.Equal(new[] { 1, 28, 28 }, mnist.Train.SampleShape);
        Assert.Equal(5, mnist.Train.Labels![0]);
        Assert.Equal(7, mnist.Test.Labels![0]);
        Assert.All(mnist.Train.Features.Take(784 * 100), v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(1f, mnist.Train.Features.Take(784).Max());
        Assert.Equal(Enumerable.Range(0, 10), mnist.Train.Labels.Distinct().Order());
    }

    [Fact]
    public void RawTrainImagesMatchTheCanonicalChecksum()
    {
        var idx = IdxFile.Read(Path.Combine(SharedData.Mnist, "train-images-idx3-ubyte.gz"));
        Assert.Equal(new[] { 60000, 28, 28 }, idx.Dimensions);
        var header = new byte[16];
        header[2] = 8;
        header[3] = 3;
        for (int i = 0; i < 3; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + i * 4), idx.Dimensions[i]);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        md5.AppendData(header);
        md5.AppendData(idx.Data);
        Assert.Equal("6bbc9ace898e44ae57da46a324031adb", Convert.ToHexStringLower(md5.GetHashAndReset()));
    }

    [Fact]
    public void DatasetBatchesAndSlices()
    {
        var batch = new Tensor(4, 784);
        mnist.Train.GetBatch([3, 0], batch);
        Assert.Equal(new[] { 2, 784 }, batch.Shape.ToArray());
        Assert.True(batch.Span.Slice(784, 784).SequenceEqual(mnist.Train.Sample(0)));
        Assert.True(batch.Span[..784].SequenceEqual(mnist.Train.Sample(3)));
        var slice = mnist.Test.Slice(10, 5);
        Assert.Equal(5, slice.Count);
        Assert.Equal(mnist.Test.Labels![10], slice.Labels![0]);
        Assert.True(slice.Sample(4).SequenceEqual(mnist.Test.Sample(14)));
        Assert.Throws<BottleneckException>(() => mnist.Test.Slice(9999, 2));
        Assert.Throws<BottleneckException>(() => mnist.Test.GetBatch([0], new Tensor(1, 10)));
    }

    private static byte[] Idx(byte type, int[] dims, int dataBytes, int extra = 0)
    {
        var bytes = new byte[4 + dims.Length * 4 + dataBytes + extra];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + i * 4), dims[i]);
        for (int i = 0; i < dataBytes; i++) bytes[4 + dims.Length * 4 + i] = (byte)(i * 7);
        return bytes;
    }

    private static byte[] Labels(int count)
    {
        var bytes = Idx(8, [count], count);
        for (int i = 0; i < count; i++) bytes[8 + i] = (byte)(i % 10);
        return bytes;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var z = new GZipStream(buffer, CompressionLevel.Fastest)) z.Write(data);
        return buffer.ToArray();
    }

    [Fact]
    public void ReadsPlainAndGzipAndOtherTypes()
    {
        using var dir = new TempDir();
        var plain = Idx(8, [2, 3], 6);
        File.WriteAllBytes(dir.File("a.gz"), plain); // misleading name: content decides
        File.WriteAllBytes(dir.File("b"), Gzip(plain));
        var a = IdxFile.Read(dir.File("a.gz"));
        var b = IdxFile.Read(dir.File("b"));
        Assert.Equal(new[] { 2, 3 }, a.Dimensions);
        Assert.Equal(a.Data, b.Data);
        Assert.Equal(new[] { 0f, 7f, 14f, 21f, 28f, 35f }, a.ToSingles());

        var floats = Idx(0x0D, [2], 8);
        BinaryPrimitives.WriteSingleBigEndian(floats.AsSpan(8), 1.5f);
        BinaryPrimitives.WriteSingleBigEndian(floats.AsSpan(12), -2f);
        File.WriteAllBytes(dir.File("f"), floats);
        Assert.Equal(new[] { 1.5f, -2f }, IdxFile.Read(dir.File("f")).ToSingles());
        var shorts = Idx(0x0B, [1], 2);
        BinaryPrimitives.WriteInt16BigEndian(shorts.AsSpan(8), -300);
        File.WriteAllBytes(dir.File("s"), shorts);
        Assert.Equal(new[] { -300f }, IdxFile.Read(dir.File("s")).ToSingles());
    }

    public static TheoryData<string, byte[], string> BrokenIdx()
    {
        var good = Idx(8, [10, 4, 4], 160);
        var gz = Gzip(good);
        return new TheoryData<string, byte[], string>
        {
            { "empty", [], "too short" },
            { "bad magic", [1, 2, 8, 1, 0, 0, 0, 0], "not an IDX file" },
            { "unknown type", [0, 0, 7, 1, 0, 0, 0, 0], "not an IDX file" },
            { "rank 0", [0, 0, 8, 0], "0 dimensions" },
            { "rank 9", [0, 0, 8, 9], "9 dimensions" },
            { "header cut", good[..10], "truncated in its header" },
            { "truncated", good[..^5], "need 160 bytes" },
            { "trailing", Idx(8, [10, 4, 4], 160, extra: 3), "trailing data" },
            { "dims overflow", Idx(8, [65536, 65536, 65536], 0), "more data than can be loaded" },
            { "dim over int", Idx(8, [-1], 0), "too large" },
            { "truncated gzip", gz[..(gz.Length / 2)], "truncated" },
            { "gzip trailing", Gzip(Idx(8, [10, 4, 4], 160, extra: 1)), "trailing data" },
            // Bytes after the gzip data that do not start another member: the decompressor ignores them.
            { "junk after gzip", [.. gz, .. "a,b\n1,2\n"u8.ToArray()], "bytes after the end of its gzip data" },
            { "one byte after gzip", [.. gz, 0], "bytes after the end of its gzip data" },
            { "gzip bomb header", Gzip(Idx(8, [1 << 30], 10)), "need 1073741824 bytes" },
            { "corrupt gzip", [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF], "gzip" },
        };
    }

    [Theory]
    [MemberData(nameof(BrokenIdx))]
    public void BrokenIdxFilesGiveClearErrors(string label, byte[] bytes, string expected)
    {
        using var dir = new TempDir();
        string path = dir.File("x-idx3-ubyte");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<BottleneckException>(() => IdxFile.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
        _ = label;
    }

    [Fact]
    public void MismatchedImageAndLabelCountsNameBothFiles()
    {
        using var dir = new TempDir();
        foreach (var (name, count) in new[] { (Mnist.TrainImages, 3), (Mnist.TestImages, 2) })
            File.WriteAllBytes(dir.File(name), Idx(8, [count, 28, 28], count * 784));
        File.WriteAllBytes(dir.File(Mnist.TrainLabels + ".gz"), Gzip(Labels(4)));
        File.WriteAllBytes(dir.File(Mnist.TestLabels), Labels(2));
        var e = Assert.Throws<BottleneckException>(() => Mnist.Load(dir.Path));
        Assert.Contains(Mnist.TrainImages, e.Message);
        Assert.Contains(Mnist.TrainLabels + ".gz", e.Message);
        Assert.Contains("3 images", e.Message);
        Assert.Contains("4 labels", e.Message);

        File.WriteAllBytes(dir.File(Mnist.TrainLabels + ".gz"), Gzip(Labels(3)));
        var (train, test) = Mnist.Load(dir.Path);
        Assert.Equal((3, 2), (train.Count, test.Count));
        Assert.Equal(7 / 255f, train.Features[1]);

        File.WriteAllBytes(dir.File(Mnist.TestImages), Idx(8, [2, 32, 32], 2 * 1024));
        Assert.Contains("[2, 32, 32]", Assert.Throws<BottleneckException>(() => Mnist.Load(dir.Path)).Message);
        File.Delete(dir.File(Mnist.TestImages));
        Assert.Contains("missing", Assert.Throws<BottleneckException>(() => Mnist.Load(dir.Path)).Message);
    }

    [Fact]
    public void Pixels_become_exactly_torchvisions_division_by_255()
    {
        // Every byte value, in the vector loop and in the scalar tail (64 per vector step).
        var pixels = Enumerable.Range(0, 256 * 3 + 37).Select(i => (byte)(i * 7 % 256)).ToArray();
        var features = new float[pixels.Length];
        VectorMath.ToUnitRange(pixels, features);
        for (int i = 0; i < pixels.Length; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(pixels[i] / 255f), BitConverter.SingleToInt32Bits(features[i]));
    }
}
