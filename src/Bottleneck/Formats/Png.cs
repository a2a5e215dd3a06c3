using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using Bottleneck.IO;

namespace Bottleneck.Formats;

/// <summary>
/// A minimal PNG encoder (8-bit gray and RGB): enough for sample grids and charts, without an
/// imaging dependency. Only the tests and benchmarks read PNG files back, so the decoder lives
/// with them (tests/Bottleneck.Tests/IO/PngDecoder.cs).
/// </summary>
public static class Png
{
    internal static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Refuses images above this many bytes of pixels, so a forged header cannot exhaust memory.</summary>
    public const long MaxPixelBytes = 1L << 30;

    public static void WriteGray8(string path, int width, int height, ReadOnlySpan<byte> pixels) => Write(path, width, height, 1, pixels);

    public static void WriteRgb8(string path, int width, int height, ReadOnlySpan<byte> pixels) => Write(path, width, height, 3, pixels);

    public static void EncodeGray8(Stream stream, int width, int height, ReadOnlySpan<byte> pixels) => Encode(stream, width, height, 1, pixels);

    public static void EncodeRgb8(Stream stream, int width, int height, ReadOnlySpan<byte> pixels) => Encode(stream, width, height, 3, pixels);

    private static void Write(string path, int width, int height, int channels, ReadOnlySpan<byte> pixels)
    {
        // The span cannot be captured by the lambda, so encode to memory first (images are small).
        using var buffer = new MemoryStream();
        Encode(buffer, width, height, channels, pixels);
        AtomicFile.Write(path, s => buffer.WriteTo(s));
    }

    /// <summary>
    /// Encodes with a per-row adaptive filter (the usual "smallest sum of absolute values" rule).
    /// <paramref name="filter"/> forces one filter type (0-4) for every row; tests use it to cover the decoder.
    /// </summary>
    internal static void Encode(Stream stream, int width, int height, int channels, ReadOnlySpan<byte> pixels, int filter = -1)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive");
        long rowBytes = (long)width * channels;
        if (rowBytes * height > MaxPixelBytes)
            throw new ArgumentOutOfRangeException(nameof(width), $"image {width}x{height} is too large");
        if (pixels.Length != rowBytes * height)
            throw new ArgumentException($"a {width}x{height} image with {channels} channels needs {rowBytes * height} bytes, got {pixels.Length}", nameof(pixels));

        stream.Write(Signature);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = channels == 1 ? (byte)0 : (byte)2; // gray or RGB
        WriteChunk(stream, "IHDR", ihdr);

        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, Compression, leaveOpen: true))
        {
            int n = (int)rowBytes;
            var previous = new byte[n];
            var candidates = new byte[5][];
            for (int f = 0; f < 5; f++) candidates[f] = new byte[n + 1];
            for (int y = 0; y < height; y++)
            {
                var row = pixels.Slice(y * n, n);
                byte[] best = candidates[0];
                long bestScore = long.MaxValue;
                for (int f = 0; f < 5; f++)
                {
                    if (filter >= 0 && f != filter) continue;
                    var output = candidates[f];
                    output[0] = (byte)f;
                    long score = FilterRow(f, row, previous, output.AsSpan(1), channels);
                    if (score < bestScore)
                    {
                        bestScore = score;
                        best = output;
                    }
                }
                z.Write(best);
                row.CopyTo(previous);
            }
        }
        WriteChunk(stream, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(stream, "IEND", []);
    }

    // Deflate is the small part of the encoding once the filters are vectorised (about 2 ms for a
    // 640×400 chart at this level, under 1 ms at Fastest, which makes files 2–3× larger).
    private const CompressionLevel Compression = CompressionLevel.Optimal;

    /// <summary>
    /// Writes row − prediction (mod 256) for one filter type into <paramref name="output"/> and
    /// returns the row's score: the sum of the residuals read as signed bytes, in absolute value
    /// (residuals near 0 mod 256 compress best). Each filter has its own loop, 32 bytes at a time
    /// where the hardware allows, with the same arithmetic as the decoder's scalar one.
    /// </summary>
    internal static long FilterRow(int filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> previous, Span<byte> output, int channels)
    {
        int n = row.Length;
        output = output[..n];
        previous = previous[..n];
        // The first pixel has no left neighbour (a = c = 0); the vector loops start after it.
        int i = Math.Min(channels, n);
        for (int j = 0; j < i; j++) output[j] = (byte)(row[j] - Predict(filter, 0, previous[j], 0));
        if (Vector256.IsHardwareAccelerated)
        {
            ref byte r = ref MemoryMarshal.GetReference(row);
            ref byte u = ref MemoryMarshal.GetReference(previous);
            ref byte o = ref MemoryMarshal.GetReference(output);
            for (; i + Vector256<byte>.Count <= n; i += Vector256<byte>.Count)
            {
                var x = Vector256.LoadUnsafe(ref r, (nuint)i);
                Vector256<byte> residual;
                switch (filter)
                {
                    case 0:
                        residual = x;
                        break;
                    case 1:
                        residual = x - Vector256.LoadUnsafe(ref r, (nuint)(i - channels));
                        break;
                    case 2:
                        residual = x - Vector256.LoadUnsafe(ref u, (nuint)i);
                        break;
                    case 3:
                        {
                            var a = Vector256.LoadUnsafe(ref r, (nuint)(i - channels));
                            var b = Vector256.LoadUnsafe(ref u, (nuint)i);
                            // ⌊(a + b) / 2⌋ without leaving bytes.
                            residual = x - ((a & b) + Vector256.ShiftRightLogical(a ^ b, 1));
                            break;
                        }
                    default:
                        {
                            var a = Vector256.Widen(Vector256.LoadUnsafe(ref r, (nuint)(i - channels)));
                            var b = Vector256.Widen(Vector256.LoadUnsafe(ref u, (nuint)i));
                            var c = Vector256.Widen(Vector256.LoadUnsafe(ref u, (nuint)(i - channels)));
                            residual = x - Vector256.Narrow(Paeth(a.Lower.AsInt16(), b.Lower.AsInt16(), c.Lower.AsInt16()).AsUInt16(),
                                Paeth(a.Upper.AsInt16(), b.Upper.AsInt16(), c.Upper.AsInt16()).AsUInt16());
                            break;
                        }
                }
                residual.StoreUnsafe(ref o, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            int a = row[i - channels], b = previous[i], c = previous[i - channels];
            output[i] = (byte)(row[i] - Predict(filter, a, b, c));
        }
        return Score(output);
    }

    /// <summary>The Paeth predictor on 16 lanes of byte values held in shorts.</summary>
    private static Vector256<short> Paeth(Vector256<short> a, Vector256<short> b, Vector256<short> c)
    {
        // p = a + b − c; |p − a| = |b − c|, |p − b| = |a − c|, |p − c| = |a + b − 2c|.
        var pa = Vector256.Abs(b - c);
        var pb = Vector256.Abs(a - c);
        var pc = Vector256.Abs(b - c + (a - c));
        var takeA = Vector256.LessThanOrEqual(pa, pb) & Vector256.LessThanOrEqual(pa, pc);
        var takeB = Vector256.LessThanOrEqual(pb, pc);
        return Vector256.ConditionalSelect(takeA, a, Vector256.ConditionalSelect(takeB, b, c));
    }

    /// <summary>Σ |residual as a signed byte|.</summary>
    private static long Score(ReadOnlySpan<byte> residuals)
    {
        long score = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref byte r = ref MemoryMarshal.GetReference(residuals);
            while (i + Vector256<byte>.Count <= residuals.Length)
            {
                // Each step adds at most 2 · 128 per 16-bit lane: flush before it could overflow.
                var sums = Vector256<ushort>.Zero;
                for (int steps = 0; steps < 200 && i + Vector256<byte>.Count <= residuals.Length; steps++, i += Vector256<byte>.Count)
                {
                    var magnitude = Vector256.Abs(Vector256.LoadUnsafe(ref r, (nuint)i).AsSByte()).AsByte(); // −128 gives 128
                    var (low, high) = Vector256.Widen(magnitude);
                    sums += low + high;
                }
                var (lo, hi) = Vector256.Widen(sums);
                score += Vector256.Sum(lo + hi);
            }
        }
        for (; i < residuals.Length; i++) score += (sbyte)residuals[i] < 0 ? -(sbyte)residuals[i] : residuals[i];
        return score;
    }

    internal static int Predict(int filter, int a, int b, int c) => filter switch
    {
        0 => 0,
        1 => a,
        2 => b,
        3 => (a + b) >> 1,
        _ => Paeth(a, b, c),
    };

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream stream, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        Encoding.ASCII.GetBytes(type, header[4..]);
        stream.Write(header);
        stream.Write(data);
        var hash = new Crc32();
        hash.Append(header[4..]);
        hash.Append(data);
        uint crc = hash.GetCurrentHashAsUInt32();
        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc);
        stream.Write(crcBytes);
    }
}
