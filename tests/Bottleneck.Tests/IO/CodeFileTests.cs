using System.Buffers.Binary;
using System.Security.Cryptography;
using Bottleneck.Formats;
using FsCheck;
using FsCheck.Fluent;

namespace Bottleneck.Tests.IO;

public class CodeFileTests
{
    private static readonly byte[] ModelA = SHA256.HashData("model A"u8);
    private static readonly byte[] ModelB = SHA256.HashData("model B"u8);

    private static float[] RandomCodes(Random rng, int n, int d)
    {
        var codes = new float[n * d];
        for (int k = 0; k < codes.Length; k++) codes[k] = (float)(rng.NextDouble() * 8 - 3) * (1 + k % d);
        return codes;
    }

    private static byte[] Encode(float[] codes, int n, int d, int bits, int[]? labels = null, byte[]? model = null)
    {
        using var buffer = new MemoryStream();
        CodeFile.Write(buffer, codes, n, d, bits, model ?? ModelA, labels);
        return buffer.ToArray();
    }

    private static CodeFile Decode(byte[] bytes) => CodeFile.Read(new MemoryStream(bytes), "mem");

    /// <summary>The bound the format promises: half a quantisation step, plus the float32 rounding of the result.</summary>
    private static void AssertWithinHalfStep(float[] original, CodeFile read)
    {
        Assert.Equal(original.Length, read.Codes.Length);
        for (int k = 0; k < original.Length; k++)
        {
            int j = k % read.Dimension;
            double error = Math.Abs((double)original[k] - read.Codes[k]);
            double bound = read.Scales[j] / 2.0 + Math.Abs(original[k]) * 1e-7 + float.Epsilon;
            Assert.True(error <= bound, $"value {k}: wrote {original[k]}, read {read.Codes[k]}, error {error} > bound {bound} (step {read.Scales[j]})");
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    public void A_file_round_trips_within_half_a_step(int bits)
    {
        using var dir = new TempDir();
        string path = dir.File("codes.bnc");
        var rng = new Random(bits);
        const int n = 257, d = 20;
        var codes = RandomCodes(rng, n, d);
        var labels = Enumerable.Range(0, n).Select(i => i % 10 - 3).ToArray();
        CodeFile.Write(path, codes, n, d, bits, ModelA, labels);

        Assert.Equal(CodeFile.SizeFor(n, d, bits, labels: true), new FileInfo(path).Length);
        var read = CodeFile.Read(path);
        Assert.Equal((n, d, bits, CodeFile.CurrentVersion), (read.Count, read.Dimension, read.Bits, read.Version));
        Assert.Equal(ModelA, read.ModelId);
        Assert.Equal(labels, read.Labels);
        Assert.Equal(path, read.Source);
        AssertWithinHalfStep(codes, read);
        // The grid spans each dimension's range, so the step is range / (2^bits - 1) (rounded up to a float).
        for (int j = 0; j < d; j++)
        {
            var column = Enumerable.Range(0, n).Select(i => codes[i * d + j]).ToArray();
            Assert.Equal(column.Min(), read.Minimums[j]);
            double expected = ((double)column.Max() - column.Min()) / ((1 << bits) - 1);
            Assert.InRange(read.Scales[j], expected, expected * (1 + 1e-6));
        }
        Assert.Single(Directory.GetFiles(dir.Path)); // the atomic write left no temporary file
    }

    [Fact]
    public void Values_on_the_grid_come_back_exactly_and_constant_dimensions_exactly()
    {
        // Dimension 0 spans 0..255 in steps of 1, which 8 bits represent exactly; dimension 1 is constant.
        const int n = 256, d = 2;
        var codes = new float[n * d];
        for (int i = 0; i < n; i++)
        {
            codes[i * d] = i;
            codes[i * d + 1] = -1.25f;
        }
        var read = Decode(Encode(codes, n, d, 8));
        Assert.Equal(codes, read.Codes);
        Assert.Equal(new[] { 1f, 0f }, read.Scales);
        Assert.Null(read.Labels);
    }

    [Fact]
    public void Random_code_sets_round_trip_within_half_a_step()
    {
        var cases = from n in Gen.Choose(0, 40)
                    from d in Gen.Choose(1, 12)
                    from bits in Gen.Elements(4, 8, 16)
                    from withLabels in Gen.Elements(true, false)
                    from magnitude in Gen.Elements(1e-20, 1e-3, 1.0, 1e4, 1e30)
                    from seed in Gen.Choose(0, int.MaxValue)
                    select (n, d, bits, withLabels, magnitude, seed);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var rng = new Random(c.seed);
            var codes = new float[c.n * c.d];
            for (int k = 0; k < codes.Length; k++)
            {
                // Some dimensions constant, some with repeated values, most spread out.
                codes[k] = (k % c.d) switch
                {
                    0 => 0.5f,
                    1 => (float)(rng.Next(3) * c.magnitude),
                    _ => (float)((rng.NextDouble() * 2 - 1) * c.magnitude),
                };
            }
            int[]? labels = c.withLabels ? Enumerable.Range(0, c.n).Select(_ => rng.Next(int.MinValue, int.MaxValue)).ToArray() : null;
            var bytes = Encode(codes, c.n, c.d, c.bits, labels);
            Assert.Equal(CodeFile.SizeFor(c.n, c.d, c.bits, c.withLabels), bytes.Length);
            var read = Decode(bytes);
            Assert.Equal((c.n, c.d, c.bits), (read.Count, read.Dimension, read.Bits));
            Assert.Equal(labels, read.Labels);
            AssertWithinHalfStep(codes, read);
            // Deterministic: the same codes give the same bytes.
            Assert.Equal(bytes, Encode(codes, c.n, c.d, c.bits, labels));
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData(0, 1, 8, false, 52 + 8 + 0 + 4)]
    [InlineData(10000, 20, 8, false, 52 + 160 + 200000 + 4)]
    [InlineData(10000, 20, 16, true, 52 + 160 + 400000 + 40000 + 4)]
    [InlineData(3, 3, 4, false, 52 + 24 + 8 + 4)] // 9 nibbles: 5 bytes, padded to 8
    [InlineData(1, 1, 8, true, 52 + 8 + 4 + 4 + 4)]
    public void SizeFor_follows_the_documented_layout(int n, int d, int bits, bool labels, long expected)
    {
        Assert.Equal(expected, CodeFile.SizeFor(n, d, bits, labels));
    }

    [Fact]
    public void The_header_is_laid_out_as_documented()
    {
        var bytes = Encode([1f, 2f, 3f], 1, 3, 16, [7]);
        Assert.Equal("BNCODES\0"u8.ToArray(), bytes[..8]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(16, bytes[10]);
        Assert.Equal(1, bytes[11]); // labels present
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12)));
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)));
        Assert.Equal(ModelA, bytes[20..52]);
        Assert.Equal(1f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(52))); // min of dimension 0
        Assert.Equal(7, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(bytes.Length - 8)));
        Assert.Equal(System.IO.Hashing.Crc32.HashToUInt32(bytes.AsSpan(0, bytes.Length - 4)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)));
    }

    [Fact]
    public void Every_single_byte_change_is_detected()
    {
        // 4 bits with an odd value count, labels included: every section, the padding too.
        var original = Encode(RandomCodes(new Random(5), 5, 3), 5, 3, 4, [1, 2, 3, 4, 5]);
        int detected = 0;
        for (int position = 0; position < original.Length; position++)
        {
            for (int mask = 1; mask < 256; mask++)
            {
                var bytes = (byte[])original.Clone();
                bytes[position] ^= (byte)mask;
                var e = Assert.Throws<BottleneckException>(() => Decode(bytes));
                Assert.StartsWith("mem: ", e.Message);
                Assert.DoesNotContain('\n', e.Message);
                detected++;
            }
        }
        Assert.Equal(original.Length * 255, detected);
    }

    [Fact]
    public void Every_truncation_and_any_extra_byte_is_detected()
    {
        var original = Encode(RandomCodes(new Random(6), 4, 5), 4, 5, 8, [1, 2, 3, 4]);
        for (int length = 0; length < original.Length; length++)
        {
            var e = Assert.Throws<BottleneckException>(() => Decode(original[..length]));
            // Anything that starts like a code file is reported as cut short, not as another kind of file.
            Assert.True(e.Message.Contains("truncated", StringComparison.Ordinal) || e.Message.Contains("empty", StringComparison.Ordinal), $"length {length}: {e.Message}");
        }
        var longer = original.Append((byte)0).ToArray();
        Assert.Contains("corrupt", Assert.Throws<BottleneckException>(() => Decode(longer)).Message);
    }

    /// <summary>A valid file with one header byte replaced and the checksum recomputed, as a buggy or future writer would make it.</summary>
    private static byte[] Patched(byte[] file, Action<byte[]> patch)
    {
        var bytes = (byte[])file.Clone();
        patch(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), System.IO.Hashing.Crc32.HashToUInt32(bytes.AsSpan(0, bytes.Length - 4)));
        return bytes;
    }

    public static TheoryData<string, byte[], string> BrokenFiles()
    {
        var good = Encode([0f, 1f, 2f, 3f, 4f, 5f], 2, 3, 8);
        return new TheoryData<string, byte[], string>
        {
            { "empty", [], "empty" },
            { "a PNG file", [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0, 0, 13], "not a Bottleneck code file" },
            { "half a magic", "BNCO"u8.ToArray(), "truncated" },
            { "header only", good[..52], "truncated" },
            { "newer version", Patched(good, b => b[8] = 2), "version 2, newer than the version 1" },
            { "version 0", Patched(good, b => b[8] = 0), "version 0, which does not exist" },
            { "damaged version", WithByte(good, 9, 1), "checksum does not match" },
            { "12 bits", Patched(good, b => b[10] = 12), "12 bits per value" },
            { "unknown flag", Patched(good, b => b[11] = 2), "unknown flags 0x02" },
            { "zero dimensions", Patched(good, b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16), 0)), "0 dimensions" },
            { "giant counts", Patched(good, b => { BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), uint.MaxValue); BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16), uint.MaxValue); }), "more values than one array" },
            { "more items than the file holds", Patched(good, b => b[12] = 200), "which take" },
            { "labels flag without labels", Patched(good, b => b[11] = 1), "truncated" },
            { "damaged value", WithByte(good, 77, 0x10), "checksum does not match" },
            { "NaN step", Patched(good, b => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(52 + 12), float.NaN)), "dimension 0 has offset" },
            { "negative step", Patched(good, b => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(52 + 16), -1f)), "dimension 1 has offset" },
            { "non-zero padding", Patched(good, b => b[52 + 24 + 6] = 1), "padding" },
        };
    }

    private static byte[] WithByte(byte[] file, int position, byte xor)
    {
        var bytes = (byte[])file.Clone();
        bytes[position] ^= xor;
        return bytes;
    }

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void A_broken_file_is_one_clear_error_naming_it(string label, byte[] bytes, string expected)
    {
        using var dir = new TempDir();
        string path = dir.File("codes.bnc");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<BottleneckException>(() => CodeFile.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        _ = label;
    }

    [Fact]
    public void A_missing_file_is_a_clear_error()
    {
        var e = Assert.Throws<BottleneckException>(() => CodeFile.Read("/nonexistent/codes.bnc"));
        Assert.Contains("codes.bnc", e.Message);
        Assert.Contains("cannot open", e.Message);
    }

    [Fact]
    public void Codes_from_another_model_are_refused()
    {
        var read = Decode(Encode([1f, 2f], 1, 2, 8, model: ModelA));
        read.EnsureModel(ModelA); // the right model passes
        var e = Assert.Throws<BottleneckException>(() => read.EnsureModel(ModelB));
        Assert.StartsWith("mem: ", e.Message);
        Assert.Contains(Convert.ToHexStringLower(ModelA)[..16], e.Message);
        Assert.Contains("decompress with the model that compressed them", e.Message);
    }

    [Fact]
    public void The_model_id_is_the_sha256_of_the_weights_file()
    {
        using var dir = new TempDir();
        string weights = dir.File("model.safetensors");
        var content = new byte[100_000];
        new Random(3).NextBytes(content);
        File.WriteAllBytes(weights, content);
        Assert.Equal(SHA256.HashData(content), CodeFile.ModelIdOf(weights));
        Assert.Contains("cannot open", Assert.Throws<BottleneckException>(() => CodeFile.ModelIdOf(dir.File("missing.safetensors"))).Message);
    }

    [Fact]
    public void The_writer_refuses_what_it_cannot_represent()
    {
        var codes = new float[] { 1, 2, 3, 4, 5, 6 };
        Assert.Throws<ArgumentOutOfRangeException>(() => Encode(codes, 2, 3, 12));
        Assert.Throws<ArgumentException>(() => Encode(codes, 2, 2, 8));
        Assert.Throws<ArgumentException>(() => Encode(codes, 2, 3, 8, labels: [1]));
        Assert.Throws<ArgumentException>(() => Encode(codes, 2, 3, 8, model: new byte[16]));
        codes[4] = float.NaN;
        var e = Assert.Throws<BottleneckException>(() => Encode(codes, 2, 3, 8));
        Assert.Contains("item 1, dimension 1", e.Message);
        codes[4] = float.PositiveInfinity;
        Assert.Throws<BottleneckException>(() => Encode(codes, 2, 3, 8));
    }

    [Fact]
    public void Writing_replaces_an_existing_file_whole()
    {
        using var dir = new TempDir();
        string path = dir.File("codes.bnc");
        CodeFile.Write(path, new float[] { 1, 2, 3, 4 }, 2, 2, 16, ModelA);
        CodeFile.Write(path, new float[] { 9 }, 1, 1, 8, ModelB, [4]);
        var read = CodeFile.Read(path);
        Assert.Equal((1, 1), (read.Count, read.Dimension));
        Assert.Equal(new[] { 9f }, read.Codes);
        Assert.Equal(ModelB, read.ModelId);
        Assert.Single(Directory.GetFiles(dir.Path));
    }
}
