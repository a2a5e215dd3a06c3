using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using Bottleneck.IO;

namespace Bottleneck.Formats;

/// <summary>
/// The compressed code file written by <c>bottleneck compress</c>: the latent codes of N items,
/// uniformly quantised to 4, 8 or 16 bits per value with a per-dimension offset and step, tied to
/// the model that made them by the SHA-256 of its weights file, and closed by a CRC-32.
/// The byte layout is documented in docs/FORMATS.md.
/// </summary>
/// <remarks>
/// Code files travel (that is their point), so the reader trusts nothing: the magic, the version,
/// every header field and the length the header implies are checked before the values are
/// allocated, and the checksum before they are decoded. Any damage gives one
/// <see cref="BottleneckException"/> that names the file.
/// </remarks>
public sealed class CodeFile
{
    /// <summary>The format version this build writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Bytes before the per-dimension tables: magic, version, bits, flags, N, D, model id.</summary>
    public const int HeaderSize = 52;

    /// <summary>Length of the model identity: a SHA-256 digest.</summary>
    public const int ModelIdSize = 32;

    private const int CrcSize = 4;
    private const byte LabelsFlag = 1;

    /// <summary>The first 8 bytes of every code file.</summary>
    public static ReadOnlySpan<byte> Magic => "BNCODES\0"u8;

    private CodeFile(int version, int count, int dimension, int bits, float[] codes, float[] minimums, float[] scales, byte[] modelId, int[]? labels, string source)
    {
        Version = version;
        Count = count;
        Dimension = dimension;
        Bits = bits;
        Codes = codes;
        Minimums = minimums;
        Scales = scales;
        ModelId = modelId;
        Labels = labels;
        Source = source;
    }

    /// <summary>Format version of the file read.</summary>
    public int Version { get; }

    /// <summary>N, the number of items.</summary>
    public int Count { get; }

    /// <summary>D, the latent dimension (values per item).</summary>
    public int Dimension { get; }

    /// <summary>Bits per quantised value: 4, 8 or 16.</summary>
    public int Bits { get; }

    /// <summary>The dequantised codes, N × D row-major (item i, dimension j at i·D + j).</summary>
    public float[] Codes { get; }

    /// <summary>Per-dimension offset of the quantisation grid (the smallest code written).</summary>
    public float[] Minimums { get; }

    /// <summary>Per-dimension quantisation step; 0 for a dimension whose codes were all equal.</summary>
    public float[] Scales { get; }

    /// <summary>SHA-256 of the weights file of the model that made the codes.</summary>
    public byte[] ModelId { get; }

    /// <summary>One label per item, or null when the file has none.</summary>
    public int[]? Labels { get; }

    /// <summary>The file (or stream name) this was read from, for messages.</summary>
    public string Source { get; }

    /// <summary>
    /// Size in bytes of a code file holding <paramref name="n"/> items of <paramref name="d"/>
    /// values at <paramref name="bits"/> bits (with or without the label section).
    /// </summary>
    public static long SizeFor(int n, int d, int bits, bool labels = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfLessThan(d, 1);
        CheckBits(bits);
        return SizeFor((ulong)n, (ulong)d, bits, labels);
    }

    // In ulong so that the reader can size a header's claims (up to 2^32 - 1 each) without overflow.
    private static long SizeFor(ulong n, ulong d, int bits, bool labels)
    {
        ulong packed = PaddedPackedBytes(n * d, bits);
        ulong size = HeaderSize + 8 * d + packed + (labels ? 4 * n : 0) + CrcSize;
        return (long)size;
    }

    // Packed values are zero-padded to a multiple of 4 bytes so that the label section that may
    // follow starts aligned, as it would in memory.
    private static ulong PaddedPackedBytes(ulong values, int bits) => (values * (ulong)bits + 31) / 32 * 4;

    /// <summary>The model identity that <see cref="Write(string, ReadOnlySpan{float}, int, int, int, byte[], int[])"/> expects: the SHA-256 of a weights file's bytes.</summary>
    public static byte[] ModelIdOf(string weightsPath) => InputFile.Read(weightsPath, SHA256.HashData);

    /// <summary>
    /// Quantises <paramref name="codes"/> (N × D row-major) and writes them atomically to
    /// <paramref name="path"/>: an existing file is replaced only by a complete new one.
    /// </summary>
    /// <param name="modelId">32 bytes naming the model, normally <see cref="ModelIdOf"/> of its weights file.</param>
    /// <param name="labels">One label per item, or null.</param>
    public static void Write(string path, ReadOnlySpan<float> codes, int n, int d, int bits, byte[] modelId, int[]? labels = null)
    {
        var bytes = Encode(codes, n, d, bits, modelId, labels, path);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Writes to a stream (no atomicity); see <see cref="Write(string, ReadOnlySpan{float}, int, int, int, byte[], int[])"/>.</summary>
    public static void Write(Stream stream, ReadOnlySpan<float> codes, int n, int d, int bits, byte[] modelId, int[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(Encode(codes, n, d, bits, modelId, labels, "code file output"));
    }

    /// <summary>Reads and dequantises a code file.</summary>
    public static CodeFile Read(string path) => InputFile.Read(path, s => Read(s, path));

    /// <summary>Reads from a seekable stream positioned at the file's start; <paramref name="name"/> names it in error messages.</summary>
    public static CodeFile Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek) throw new ArgumentException("the stream must be seekable", nameof(stream));
        long start = stream.Position;
        long length = stream.Length - start;

        Span<byte> header = stackalloc byte[HeaderSize];
        int got = stream.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false);
        if (got == 0)
            throw new BottleneckException($"{name}: the file is empty; it is truncated or was never written completely");
        // A file shorter than the magic that starts like it is a truncated code file, not another kind.
        int magicBytes = Math.Min(got, Magic.Length);
        if (!header[..magicBytes].SequenceEqual(Magic[..magicBytes]))
            throw new BottleneckException($"{name}: not a Bottleneck code file (it does not start with \"BNCODES\"); give a file written by 'bottleneck compress'");
        if (length < HeaderSize + CrcSize)
            throw new BottleneckException($"{name}: the file is {length} bytes long, too short for a code file (the header alone takes {HeaderSize + CrcSize} bytes with its checksum); the file is truncated");

        int version = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        if (version != CurrentVersion)
        {
            // Every version ends with a CRC-32 of all that precedes it, so a checksum that holds
            // tells a genuinely newer file from a damaged version field.
            stream.Position = start;
            if (!StreamChecksumHolds(stream, length))
                throw new BottleneckException($"{name}: the checksum does not match the content; the file is corrupt (damaged in storage or transfer)");
            throw new BottleneckException(version > CurrentVersion
                ? $"{name}: the file is in code-file format version {version}, newer than the version {CurrentVersion} this Bottleneck reads; update Bottleneck"
                : $"{name}: the file declares code-file format version {version}, which does not exist; the file is corrupt");
        }

        int bits = header[10];
        byte flags = header[11];
        uint n = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        uint d = BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
        if (bits is not (4 or 8 or 16))
            throw new BottleneckException($"{name}: the header says {bits} bits per value, but only 4, 8 and 16 exist; the file is corrupt");
        if ((flags & ~LabelsFlag) != 0)
            throw new BottleneckException($"{name}: the header has unknown flags 0x{flags:x2}; the file is corrupt");
        if (d == 0)
            throw new BottleneckException($"{name}: the header says the codes have 0 dimensions; the file is corrupt");
        if (n > int.MaxValue || (ulong)n * d > (ulong)Array.MaxLength)
            throw new BottleneckException($"{name}: the header declares {n} items × {d} dimensions, more values than one array can hold; the file is corrupt");
        bool hasLabels = (flags & LabelsFlag) != 0;
        long expected = SizeFor(n, d, bits, hasLabels);
        if (expected != length)
            throw new BottleneckException($"{name}: the header declares {n} items × {d} dimensions at {bits} bits{(hasLabels ? " with labels" : "")}, which take {expected} bytes, but the file has {length}; the file is {(length < expected ? "truncated" : "corrupt")}");
        if (expected > Array.MaxLength)
            throw new BottleneckException($"{name}: the file is {length} bytes, more than can be read at once; split the item set into several code files");

        // The length is now known to match the header, so this allocation is what the file really holds.
        var bytes = new byte[length];
        stream.Position = start;
        stream.ReadExactly(bytes);
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)length - CrcSize));
        uint computed = Crc32.HashToUInt32(bytes.AsSpan(0, (int)length - CrcSize));
        if (stored != computed)
            throw new BottleneckException($"{name}: the checksum does not match the content (stored 0x{stored:x8}, computed 0x{computed:x8}); the file is corrupt (damaged in storage or transfer)");

        return Decode(bytes, (int)n, (int)d, bits, hasLabels, name);
    }

    /// <summary>
    /// Refuses codes made by another model: decoding them with the wrong decoder gives plausible
    /// looking garbage, so a mismatch must stop the work with a message that says why.
    /// </summary>
    public void EnsureModel(byte[] modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        if (!modelId.AsSpan().SequenceEqual(ModelId))
            throw new BottleneckException($"{Source}: the codes were made by the model with weights SHA-256 {Convert.ToHexStringLower(ModelId)[..16]}…, not by this one ({Convert.ToHexStringLower(modelId)[..Math.Min(16, modelId.Length * 2)]}…); decompress with the model that compressed them");
    }

    private static void CheckBits(int bits)
    {
        if (bits is not (4 or 8 or 16))
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "bits per value must be 4, 8 or 16");
    }

    private static byte[] Encode(ReadOnlySpan<float> codes, int n, int d, int bits, byte[] modelId, int[]? labels, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfLessThan(d, 1);
        CheckBits(bits);
        ArgumentNullException.ThrowIfNull(modelId);
        if (modelId.Length != ModelIdSize)
            throw new ArgumentException($"the model id must be {ModelIdSize} bytes (a SHA-256 digest), not {modelId.Length}", nameof(modelId));
        if ((long)n * d != codes.Length)
            throw new ArgumentException($"{n} items × {d} dimensions need {(long)n * d} values, but {codes.Length} were given", nameof(codes));
        if (labels != null && labels.Length != n)
            throw new ArgumentException($"{n} items need {n} labels, but {labels.Length} were given", nameof(labels));
        long size = SizeFor(n, d, bits, labels != null);
        if (size > Array.MaxLength)
            throw new BottleneckException($"{name}: {n} items × {d} dimensions at {bits} bits make a {size}-byte file, more than can be written at once; split the item set");

        var (minimums, scales) = FitGrid(codes, n, d, bits, name);
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], CurrentVersion);
        span[10] = (byte)bits;
        span[11] = labels != null ? LabelsFlag : (byte)0;
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)n);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)d);
        modelId.CopyTo(span[20..]);
        int offset = HeaderSize;
        for (int j = 0; j < d; j++, offset += 4) BinaryPrimitives.WriteSingleLittleEndian(span[offset..], minimums[j]);
        for (int j = 0; j < d; j++, offset += 4) BinaryPrimitives.WriteSingleLittleEndian(span[offset..], scales[j]);

        var packed = span.Slice(offset, (int)PaddedPackedBytes((ulong)codes.Length, bits));
        int max = (1 << bits) - 1;
        for (int k = 0; k < codes.Length; k++)
        {
            int j = k % d;
            int q = Quantise(codes[k], minimums[j], scales[j], max);
            switch (bits)
            {
                case 4:
                    // Two values a byte, the earlier one in the low nibble.
                    packed[k >> 1] |= (byte)((k & 1) == 0 ? q : q << 4);
                    break;
                case 8:
                    packed[k] = (byte)q;
                    break;
                default:
                    BinaryPrimitives.WriteUInt16LittleEndian(packed[(2 * k)..], (ushort)q);
                    break;
            }
        }
        offset += packed.Length;
        if (labels != null)
        {
            foreach (int label in labels)
            {
                BinaryPrimitives.WriteInt32LittleEndian(span[offset..], label);
                offset += 4;
            }
        }
        BinaryPrimitives.WriteUInt32LittleEndian(span[offset..], Crc32.HashToUInt32(span[..offset]));
        return bytes;
    }

    /// <summary>
    /// Per dimension, the grid min + q·scale (q = 0 … 2^bits − 1) that spans the codes' range, so
    /// that every code lies within half a step of a grid point.
    /// </summary>
    private static (float[] Minimums, float[] Scales) FitGrid(ReadOnlySpan<float> codes, int n, int d, int bits, string name)
    {
        var lo = new float[d];
        var hi = new float[d];
        Array.Fill(lo, float.PositiveInfinity);
        Array.Fill(hi, float.NegativeInfinity);
        for (int k = 0; k < codes.Length; k++)
        {
            float v = codes[k];
            if (!float.IsFinite(v))
                throw new BottleneckException($"{name}: the code of item {k / d}, dimension {k % d} is {v}; only finite codes can be quantised");
            int j = k % d;
            if (v < lo[j]) lo[j] = v;
            if (v > hi[j]) hi[j] = v;
        }
        var scales = new float[d];
        double levels = (1 << bits) - 1;
        for (int j = 0; j < d; j++)
        {
            if (n == 0)
            {
                lo[j] = 0;
                continue;
            }
            double range = (double)hi[j] - lo[j];
            if (range == 0) continue;
            double exact = range / levels;
            float scale = (float)exact;
            // Rounded up, never down: a step a hair too small would leave the top of the range
            // beyond the last grid point, and the largest code more than half a step away from it.
            if (scale < exact) scale = MathF.BitIncrement(scale);
            scales[j] = scale;
        }
        return (lo, scales);
    }

    private static int Quantise(float value, float min, float scale, int max)
    {
        if (scale == 0) return 0;
        double q = Math.Round((value - (double)min) / scale, MidpointRounding.ToEven);
        return (int)Math.Clamp(q, 0, max);
    }

    /// <summary>The value of grid point q, as the format defines it: min + q·scale in double precision, rounded to float32.</summary>
    private static float Dequantise(int q, float min, float scale) =>
        (float)Math.Clamp(min + q * (double)scale, -float.MaxValue, float.MaxValue);

    private static CodeFile Decode(byte[] bytes, int n, int d, int bits, bool hasLabels, string name)
    {
        var span = bytes.AsSpan();
        var modelId = span.Slice(20, ModelIdSize).ToArray();
        var minimums = new float[d];
        var scales = new float[d];
        int offset = HeaderSize;
        for (int j = 0; j < d; j++, offset += 4) minimums[j] = BinaryPrimitives.ReadSingleLittleEndian(span[offset..]);
        for (int j = 0; j < d; j++, offset += 4) scales[j] = BinaryPrimitives.ReadSingleLittleEndian(span[offset..]);
        // The checksum only proves the bytes are the ones written; these checks refuse what no
        // correct writer produces, so that a bad file never turns into NaN or infinite codes.
        for (int j = 0; j < d; j++)
        {
            if (!float.IsFinite(minimums[j]) || !float.IsFinite(scales[j]) || scales[j] < 0)
                throw new BottleneckException($"{name}: dimension {j} has offset {minimums[j]} and step {scales[j]}; the offset must be finite and the step finite and not negative, so the file is corrupt");
        }

        long values = (long)n * d;
        int packedLength = (int)PaddedPackedBytes((ulong)values, bits);
        var packed = span.Slice(offset, packedLength);
        int used = (int)((values * bits + 7) / 8);
        bool oddNibble = bits == 4 && (values & 1) == 1;
        if (packed[used..].ContainsAnyExcept((byte)0) || (oddNibble && (packed[used - 1] & 0xF0) != 0))
            throw new BottleneckException($"{name}: the padding after the packed values is not zero; the file is corrupt");

        var codes = new float[values];
        for (int k = 0; k < codes.Length; k++)
        {
            int q = bits switch
            {
                4 => (k & 1) == 0 ? packed[k >> 1] & 0x0F : packed[k >> 1] >> 4,
                8 => packed[k],
                _ => BinaryPrimitives.ReadUInt16LittleEndian(packed[(2 * k)..]),
            };
            int j = k % d;
            codes[k] = Dequantise(q, minimums[j], scales[j]);
        }
        offset += packedLength;

        int[]? labels = null;
        if (hasLabels)
        {
            labels = new int[n];
            for (int i = 0; i < n; i++, offset += 4) labels[i] = BinaryPrimitives.ReadInt32LittleEndian(span[offset..]);
        }
        return new CodeFile(CurrentVersion, n, d, bits, codes, minimums, scales, modelId, labels, name);
    }

    private static bool StreamChecksumHolds(Stream stream, long length)
    {
        // Streamed, so that a large file with an unknown version is checked in bounded memory.
        var buffer = new byte[1 << 16];
        long remaining = length - CrcSize;
        var crc = new Crc32();
        while (remaining > 0)
        {
            int chunk = (int)Math.Min(buffer.Length, remaining);
            stream.ReadExactly(buffer, 0, chunk);
            crc.Append(buffer.AsSpan(0, chunk));
            remaining -= chunk;
        }
        stream.ReadExactly(buffer, 0, CrcSize);
        return BinaryPrimitives.ReadUInt32LittleEndian(buffer) == crc.GetCurrentHashAsUInt32();
    }
}
