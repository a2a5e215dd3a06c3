using System.Buffers.Binary;
using System.Text;
using Bottleneck.Formats;
using Bottleneck.Tensors;
using FsCheck;
using FsCheck.Fluent;

namespace Bottleneck.Tests.IO;

public class SafeTensorsTests
{
    [Fact]
    public void ReadsTheTorchLinearFixture()
    {
        var file = SafeTensorsFile.Read(SharedData.Fixture("linear"));
        Assert.Equal(new[] { "x", "weight", "bias", "y", "dy", "dx", "dweight", "dbias" }, file.Names);
        Assert.Equal(new[] { 6, 7 }, file.Tensors["x"].Shape.ToArray());
        Assert.Equal(new[] { 5, 7 }, file.Tensors["weight"].Shape.ToArray());
        Assert.Equal(new[] { 5 }, file.Tensors["bias"].Shape.ToArray());
        Assert.Empty(file.Metadata);
        // y = x W^T + b, which the fixture was made with.
        var x = file.Tensors["x"].Span;
        var w = file.Tensors["weight"].Span;
        var b = file.Tensors["bias"].Span;
        var y = file.Tensors["y"].Span;
        for (int i = 0; i < 6; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                float s = b[j];
                for (int k = 0; k < 7; k++) s += x[i * 7 + k] * w[j * 7 + k];
                Assert.Equal(y[i * 5 + j], s, 1e-4f);
            }
        }
    }

    [Fact]
    public void ReadsFixtureMetadata()
    {
        var file = SafeTensorsFile.Read(SharedData.Fixture("conv2d"));
        Assert.Equal("2", file.Metadata["stride"]);
        Assert.Equal("1", file.Metadata["padding"]);
    }

    [Fact]
    public void RoundTripsRandomTensors()
    {
        // The seed drives a deterministic case builder; FsCheck reports the failing seed.
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            var tensors = RandomTensors(rng);
            var metadata = new Dictionary<string, string>();
            for (int i = rng.Next(3); i > 0; i--) metadata[RandomName(rng)] = RandomName(rng) + " \"quoted\" \\ é";
            using var buffer = new MemoryStream();
            SafeTensorsFile.Write(buffer, tensors, rng.Next(2) == 0 ? null : metadata);
            Assert.Equal(0, (int)(BinaryPrimitives.ReadUInt64LittleEndian(buffer.GetBuffer()) % 8));
            buffer.Position = 0;
            var read = SafeTensorsFile.Read(buffer, "mem");
            Assert.Equal(tensors.Select(t => t.Key), read.Names);
            foreach (var (name, t) in tensors)
            {
                var r = read.Tensors[name];
                Assert.Equal(t.Shape.ToArray(), r.Shape.ToArray());
                Assert.Equal(t.Span.ToArray().Select(BitConverter.SingleToInt32Bits), r.Span.ToArray().Select(BitConverter.SingleToInt32Bits));
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void WriteToPathIsAtomicAndReplaces()
    {
        using var dir = new TempDir();
        string path = dir.File("m.safetensors");
        var a = new[] { KeyValuePair.Create("a", Tensor.Wrap(new float[] { 1, 2, 3 }, 3)) };
        SafeTensorsFile.Write(path, a, new Dictionary<string, string> { ["k"] = "v" });
        var b = new[] { KeyValuePair.Create("b", Tensor.Wrap(new float[] { 4 }, 1, 1)) };
        SafeTensorsFile.Write(path, b);
        var read = SafeTensorsFile.Read(path);
        Assert.Equal(new[] { "b" }, read.Names);
        Assert.Empty(read.Metadata);
        Assert.Single(Directory.GetFiles(dir.Path)); // no temporary file left behind
    }

    [Fact]
    public void ConvertsOtherFloatTypes()
    {
        var f64 = new byte[16];
        BinaryPrimitives.WriteDoubleLittleEndian(f64, 1.5);
        BinaryPrimitives.WriteDoubleLittleEndian(f64.AsSpan(8), -2.25);
        var f16 = new byte[4];
        BinaryPrimitives.WriteHalfLittleEndian(f16, (Half)0.5f);
        BinaryPrimitives.WriteHalfLittleEndian(f16.AsSpan(2), (Half)(-3f));
        var bf16 = new byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(bf16, (ushort)(BitConverter.SingleToUInt32Bits(7f) >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(bf16.AsSpan(2), (ushort)(BitConverter.SingleToUInt32Bits(-0.125f) >> 16));
        var data = f64.Concat(f16).Concat(bf16).ToArray();
        var bytes = Build("""{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"h":{"dtype":"F16","shape":[2],"data_offsets":[16,20]},"b":{"dtype":"BF16","shape":[1,2],"data_offsets":[20,24]}}""", data);
        var read = SafeTensorsFile.Read(new MemoryStream(bytes), "mem");
        Assert.Equal(new[] { 1.5f, -2.25f }, read.Tensors["a"].Span.ToArray());
        Assert.Equal(new[] { 0.5f, -3f }, read.Tensors["h"].Span.ToArray());
        Assert.Equal(new[] { 7f, -0.125f }, read.Tensors["b"].Span.ToArray());
    }

    public static TheoryData<string, byte[], string> BrokenFiles()
    {
        var good = Build("""{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}""", new byte[16]);
        var data = new TheoryData<string, byte[], string>
        {
            { "empty", Array.Empty<byte>(), "too short" },
            { "truncated length", new byte[] { 1, 2, 3 }, "too short" },
            { "truncated data", good[..^4], "go past the end" },
            { "truncated header", good[..20], "header length field says" },
            { "header length beyond file", WithLength(good, 5000), "has only" },
            { "giant header length", WithLength(good, ulong.MaxValue), "more than the" },
            { "offsets out of range", Build("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,99999999]}}""", new byte[4]), "go past the end" },
            { "offsets reversed", Build("""{"w":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}""", new byte[4]), "end before they begin" },
            { "negative offset", Build("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}""", new byte[4]), "non-negative" },
            { "overlap", Build("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", new byte[12]), "overlap" },
            { "duplicate names", Build("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", new byte[8]), "twice" },
            { "shape/size mismatch", Build("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", new byte[8]), "need 12 bytes" },
            { "shape overflow", Build("""{"a":{"dtype":"F32","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,8]}}""", new byte[8]), "more than" },
            { "bad json", Build("""{"a":{"dtype":"F32",""", Array.Empty<byte>()), "JSON" },
            { "not an object", Build("""[1,2]""", Array.Empty<byte>()), "not a JSON object" },
            { "trailing junk", Build("""{} x""", Array.Empty<byte>()), "JSON" },
            { "unknown dtype", Build("""{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}""", new byte[8]), "'I64'" },
            { "missing shape", Build("""{"a":{"dtype":"F32","data_offsets":[0,4]}}""", new byte[4]), "lacks shape" },
            { "three offsets", Build("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}""", new byte[8]), "instead of 2" },
            { "metadata not strings", Build("""{"__metadata__":{"a":1}}""", Array.Empty<byte>()), "not a string" },
            { "entry not object", Build("""{"a":3}""", Array.Empty<byte>()), "not a JSON object" },
            { "invalid utf8", Build("{\"\u00e9\":1}", Array.Empty<byte>(), b => b[2] = 0xFF), "JSON" },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void BrokenFilesGiveAClearError(string label, byte[] bytes, string expected)
    {
        using var dir = new TempDir();
        string path = dir.File("model.safetensors");
        File.WriteAllBytes(path, bytes);
        RefusalAssert.FileRefused(path, () => SafeTensorsFile.Read(path), expected);
        _ = label;
    }

    [Fact]
    public void MissingFileIsAClearError()
    {
        var e = Assert.Throws<BottleneckException>(() => SafeTensorsFile.Read("/nonexistent/x.safetensors"));
        Assert.Contains("x.safetensors", e.Message);
    }

    [Fact]
    public void RandomCorruptionNeverEscapesAsAnotherException()
    {
        var tensors = new[] { KeyValuePair.Create("enc.w", Tensor.Wrap(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3)), KeyValuePair.Create("b", Tensor.Wrap(new float[] { 1 }, 1)) };
        using var buffer = new MemoryStream();
        SafeTensorsFile.Write(buffer, tensors, new Dictionary<string, string> { ["k"] = "v" });
        var original = buffer.ToArray();
        var rng = new Random(1234);
        for (int trial = 0; trial < 2000; trial++)
        {
            var bytes = (byte[])original.Clone();
            for (int flips = rng.Next(1, 4); flips > 0; flips--) bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
            if (rng.Next(4) == 0) bytes = bytes[..rng.Next(bytes.Length)];
            try
            {
                SafeTensorsFile.Read(new MemoryStream(bytes), "mem");
            }
            catch (BottleneckException)
            {
            }
        }
    }

    [Fact]
    public void WriterRejectsDuplicateNames()
    {
        var t = Tensor.Wrap(new float[] { 1 }, 1);
        var e = Assert.Throws<BottleneckException>(() => SafeTensorsFile.Write(new MemoryStream(), new[] { KeyValuePair.Create("a", t), KeyValuePair.Create("a", t) }));
        Assert.Contains("'a'", e.Message);
    }

    private static byte[] Build(string header, byte[] data, Action<byte[]>? patchHeader = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        patchHeader?.Invoke(h);
        var bytes = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + h.Length);
        return bytes;
    }

    private static byte[] WithLength(byte[] file, ulong length)
    {
        var copy = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(copy, length);
        return copy;
    }

    private static List<KeyValuePair<string, Tensor>> RandomTensors(Random rng)
    {
        var list = new List<KeyValuePair<string, Tensor>>();
        var names = new HashSet<string>();
        for (int i = rng.Next(5); i > 0; i--)
        {
            string name = RandomName(rng);
            if (!names.Add(name)) continue;
            var shape = new int[rng.Next(4)];
            for (int d = 0; d < shape.Length; d++) shape[d] = rng.Next(6);
            var t = new Tensor(shape);
            for (int j = 0; j < t.Length; j++) t[j] = BitConverter.Int32BitsToSingle(rng.Next(int.MinValue, int.MaxValue));
            list.Add(KeyValuePair.Create(name, t));
        }
        return list;
    }

    private static string RandomName(Random rng)
    {
        const string alphabet = "abcXYZ019._-/ é\"\\中";
        var chars = new char[rng.Next(1, 12)];
        for (int i = 0; i < chars.Length; i++) chars[i] = alphabet[rng.Next(alphabet.Length)];
        var s = new string(chars);
        return s == "__metadata__" ? "x" : s;
    }
}
