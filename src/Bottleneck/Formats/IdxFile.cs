using System.Buffers.Binary;
using System.IO.Compression;
using Bottleneck.IO;

namespace Bottleneck.Formats;

/// <summary>Element types of the IDX format (the third byte of the magic number).</summary>
public enum IdxType : byte
{
    UByte = 0x08,
    SByte = 0x09,
    Int16 = 0x0B,
    Int32 = 0x0C,
    Float32 = 0x0D,
    Float64 = 0x0E,
}

/// <summary>
/// An IDX file, the format of MNIST and Fashion-MNIST: magic bytes 0, 0, element type, number of
/// dimensions, then each dimension as a big-endian u32, then the values, big-endian, row-major.
/// Files may be gzip-compressed; that is detected from the content (1F 8B), not from the name,
/// because renamed and half-decompressed downloads are common.
/// </summary>
public sealed class IdxFile
{
    private IdxFile(IdxType type, int[] dimensions, byte[] data)
    {
        Type = type;
        Dimensions = dimensions;
        Data = data;
    }

    public IdxType Type { get; }

    public int[] Dimensions { get; }

    /// <summary>The raw values as stored (big-endian for multi-byte types); for <see cref="IdxType.UByte"/> simply the bytes.</summary>
    public byte[] Data { get; }

    /// <summary>Number of values: the product of the dimensions.</summary>
    public int Count => Data.Length / SizeOf(Type);

    public static int SizeOf(IdxType type) => type switch
    {
        IdxType.UByte or IdxType.SByte => 1,
        IdxType.Int16 => 2,
        IdxType.Int32 or IdxType.Float32 => 4,
        _ => 8,
    };

    /// <summary>Every value converted to float32 and multiplied by <paramref name="scale"/>.</summary>
    public float[] ToSingles(float scale = 1f)
    {
        var values = new float[Count];
        var d = Data.AsSpan();
        for (int i = 0; i < values.Length; i++)
        {
            double v = Type switch
            {
                IdxType.UByte => d[i],
                IdxType.SByte => (sbyte)d[i],
                IdxType.Int16 => BinaryPrimitives.ReadInt16BigEndian(d[(i * 2)..]),
                IdxType.Int32 => BinaryPrimitives.ReadInt32BigEndian(d[(i * 4)..]),
                IdxType.Float32 => BinaryPrimitives.ReadSingleBigEndian(d[(i * 4)..]),
                _ => BinaryPrimitives.ReadDoubleBigEndian(d[(i * 8)..]),
            };
            values[i] = (float)(v * scale);
        }
        return values;
    }

    /// <summary>Reads an IDX file, gzip-compressed or not.</summary>
    public static IdxFile Read(string path) => InputFile.Read(path, s => Read(s, path));

    /// <summary>Reads from a stream; <paramref name="name"/> names the source in error messages.</summary>
    public static IdxFile Read(Stream stream, string name)
    {
        long? begin = stream.CanSeek ? stream.Position : null;
        var start = new byte[2];
        int got = ReadUpTo(stream, start, name, false);
        bool gzip = got == 2 && start[0] == 0x1F && start[1] == 0x8B;
        // Put the two bytes back in front of the rest, then decompress if needed.
        Stream input = new PrefixedStream(start.AsSpan(0, got).ToArray(), stream);
        if (gzip) input = new GZipStream(input, CompressionMode.Decompress);
        IdxFile file;
        using (input)
        {
            file = ReadRaw(input, name, gzip, gzip || !stream.CanSeek ? null : stream.Length - stream.Position + got);
        }
        if (gzip && begin is long from) CheckGzipEnd(stream, from, file, name);
        return file;
    }

    /// <summary>
    /// The decompressor stops quietly at the end of the gzip data and ignores bytes after it that
    /// do not start another gzip member, so a file with junk appended would load. A gzip file
    /// ends with the length of what it holds (mod 2^32; the decompressor has checked it and the
    /// CRC-32 before it): when the file's last 4 bytes are not the length of the data just read,
    /// something follows the gzip data. (A file of several concatenated gzip members is refused
    /// too; IDX files are written as one.)
    /// </summary>
    private static void CheckGzipEnd(Stream stream, long begin, IdxFile file, string name)
    {
        if (stream.Length - begin < 18) return; // shorter than any gzip file: the decompressor already refused it
        var trailer = new byte[4];
        stream.Position = stream.Length - trailer.Length;
        stream.ReadExactly(trailer);
        uint length = (uint)(4 + 4L * file.Dimensions.Length + file.Data.Length);
        if (BinaryPrimitives.ReadUInt32LittleEndian(trailer) != length)
            throw new BottleneckException($"{name}: has bytes after the end of its gzip data; the file is corrupt (download it again)");
    }

    private static IdxFile ReadRaw(Stream input, string name, bool gzip, long? knownLength)
    {
        var header = new byte[4];
        if (ReadUpTo(input, header, name, gzip) < 4)
            throw Bad(name, gzip, "is too short to be an IDX file");
        if (header[0] != 0 || header[1] != 0 || !Enum.IsDefined((IdxType)header[2]))
            throw Bad(name, gzip, $"is not an IDX file (magic bytes {header[0]:X2} {header[1]:X2} {header[2]:X2} {header[3]:X2}; expected 00 00 then a type 08/09/0B/0C/0D/0E)");
        var type = (IdxType)header[2];
        int rank = header[3];
        if (rank is < 1 or > 4)
            throw Bad(name, gzip, $"declares {rank} dimensions; IDX files here have 1 to 4");
        var dimBytes = new byte[rank * 4];
        if (ReadUpTo(input, dimBytes, name, gzip) < dimBytes.Length)
            throw Bad(name, gzip, "is truncated in its header");
        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(dimBytes.AsSpan(i * 4));
            if (d > int.MaxValue)
                throw Bad(name, gzip, $"declares dimension {i} as {d}, which is too large; the file is corrupt");
            dims[i] = (int)d;
            count *= d; // each factor < 2^31 and count is capped below, so no overflow
            if (count * SizeOf(type) > int.MaxValue - 64)
                throw Bad(name, gzip, $"declares dimensions [{string.Join(", ", dims.Take(i + 1))}...], more data than can be loaded; the file is corrupt");
        }
        int size = (int)(count * SizeOf(type));
        long headerLength = 4 + dimBytes.Length;
        if (knownLength is long length)
        {
            // Uncompressed: compare the declared size with the file before allocating anything.
            if (length - headerLength < size)
                throw Bad(name, gzip, $"is truncated: dimensions [{string.Join(", ", dims)}] need {size} bytes of data but the file has {length - headerLength}");
            if (length - headerLength > size)
                throw Bad(name, gzip, $"has {length - headerLength - size} bytes of trailing data after the {size} bytes its dimensions [{string.Join(", ", dims)}] declare; the file is corrupt");
        }

        // The buffer grows with the data actually read, so a forged header in a small gzip file
        // cannot make us allocate gigabytes up front.
        var data = new byte[Math.Min(size, 1 << 20)];
        int filled = 0;
        while (filled < size)
        {
            if (filled == data.Length) Array.Resize(ref data, (int)Math.Min(size, 2L * data.Length));
            int n = ReadUpTo(input, data.AsSpan(filled, data.Length - filled), name, gzip);
            filled += n;
            if (filled < data.Length) break; // end of stream
        }
        if (filled < size)
            throw Bad(name, gzip, $"is truncated{(gzip ? " (truncated gzip)" : "")}: dimensions [{string.Join(", ", dims)}] need {size} bytes of data but only {filled} are there");
        if (ReadUpTo(input, new byte[1], name, gzip) > 0)
            throw Bad(name, gzip, $"has trailing data after the {size} bytes its dimensions [{string.Join(", ", dims)}] declare; the file is corrupt");
        return new IdxFile(type, dims, data);
    }

    /// <summary>
    /// Writes unsigned bytes as an uncompressed IDX file of <paramref name="dimensions"/> (the
    /// layout <see cref="Read(string)"/> reads, and MNIST's once decompressed).
    /// </summary>
    public static void WriteUBytes(Stream stream, ReadOnlySpan<int> dimensions, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (dimensions.Length is < 1 or > 4) throw new ArgumentException($"IDX files here have 1 to 4 dimensions, not {dimensions.Length}", nameof(dimensions));
        long count = 1;
        foreach (int d in dimensions)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(dimensions));
            count *= d;
        }
        if (count != data.Length) throw new ArgumentException($"dimensions [{string.Join(", ", dimensions.ToArray())}] hold {count} values, not {data.Length}", nameof(data));
        var header = new byte[4 + 4 * dimensions.Length];
        header[2] = (byte)IdxType.UByte;
        header[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dimensions[i]);
        stream.Write(header);
        stream.Write(data);
    }

    private static int ReadUpTo(Stream input, Span<byte> buffer, string name, bool gzip) =>
        IO.StreamReading.ReadUpTo(input, buffer, detail => Bad(name, gzip, $"has corrupt gzip data ({detail}); download it again"));

    private static BottleneckException Bad(string name, bool gzip, string what) =>
        new($"{name}: {(gzip ? "the gzip-compressed data " : "")}{what}");

    /// <summary>A read-only stream that yields a few bytes already read, then the rest of another stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream rest) : IO.ForwardOnlyStream
    {
        private int used;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (used < prefix.Length)
            {
                int n = Math.Min(buffer.Length, prefix.Length - used);
                prefix.AsSpan(used, n).CopyTo(buffer);
                used += n;
                return n;
            }
            return rest.Read(buffer);
        }
    }
}
