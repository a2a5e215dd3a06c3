using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using Bottleneck.Formats;

namespace Bottleneck.Tests.IO;

/// <summary>An 8-bit image: <see cref="Pixels"/> holds rows top to bottom, <see cref="Channels"/> bytes per pixel.</summary>
public sealed record PngImage(int Width, int Height, int Channels, byte[] Pixels)
{
    /// <summary>The byte of channel <paramref name="c"/> at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public byte this[int x, int y, int c] => Pixels[((long)y * Width + x) * Channels + c];
}

/// <summary>
/// Reads back what <see cref="Png"/> writes, and PNG files in general (8-bit gray, gray+alpha,
/// RGB, RGBA, not interlaced): the tests check pictures pixel by pixel with it, and the benchmark
/// program times it. The library itself never reads a PNG, so the decoder is not part of it.
/// </summary>
internal static class PngDecoder
{
    /// <summary>Reads a PNG file (8-bit gray, gray+alpha, RGB or RGBA, not interlaced).</summary>
    public static PngImage Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BottleneckException($"{path}: cannot read the file ({e.Message})", e);
        }
        return Decode(bytes, path);
    }

    /// <summary>Decodes PNG bytes; <paramref name="name"/> names the source in error messages.</summary>
    public static PngImage Decode(ReadOnlySpan<byte> png, string name)
    {
        if (png.Length < 8 || !png[..8].SequenceEqual(Png.Signature))
            throw Bad(name, "is not a PNG file (the signature is missing)");
        int pos = 8;
        int width = 0, height = 0, channels = 0;
        bool sawHeader = false, sawEnd = false;
        using var idat = new MemoryStream();
        while (!sawEnd)
        {
            if (png.Length - pos < 12)
                throw Bad(name, "is truncated (a chunk is cut short)");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png[pos..]);
            if (length > png.Length - pos - 12)
                throw Bad(name, $"is truncated or corrupt (a chunk claims {length} bytes, {png.Length - pos - 12} remain)");
            var typeBytes = png.Slice(pos + 4, 4);
            var data = png.Slice(pos + 8, (int)length);
            uint expected = BinaryPrimitives.ReadUInt32BigEndian(png[(pos + 8 + (int)length)..]);
            // The chunk CRC covers the type and the data, which lie next to each other.
            if (Crc32.HashToUInt32(png.Slice(pos + 4, 4 + (int)length)) != expected)
                throw Bad(name, $"is corrupt (CRC mismatch in chunk '{Encoding.ASCII.GetString(typeBytes)}')");
            string type = Encoding.ASCII.GetString(typeBytes);
            pos += 12 + (int)length;
            if (!sawHeader && type != "IHDR")
                throw Bad(name, "is corrupt (the first chunk is not IHDR)");
            switch (type)
            {
                case "IHDR":
                    if (sawHeader) throw Bad(name, "is corrupt (two IHDR chunks)");
                    if (length != 13) throw Bad(name, "is corrupt (IHDR is not 13 bytes)");
                    sawHeader = true;
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    if (width <= 0 || height <= 0)
                        throw Bad(name, $"has an invalid size {width}x{height}");
                    if (data[8] != 8)
                        throw Bad(name, $"has bit depth {data[8]}; only 8-bit images are supported, re-save it as 8-bit");
                    channels = data[9] switch
                    {
                        0 => 1,
                        4 => 2,
                        2 => 3,
                        6 => 4,
                        3 => throw Bad(name, "uses a palette; only gray, RGB and RGBA images are supported, re-save it as RGB"),
                        _ => throw Bad(name, $"has an invalid color type {data[9]}"),
                    };
                    if (data[10] != 0 || data[11] != 0)
                        throw Bad(name, "uses an unknown compression or filter method");
                    if (data[12] != 0)
                        throw Bad(name, "is interlaced; only non-interlaced images are supported, re-save it without interlacing");
                    if ((long)width * height * channels > Png.MaxPixelBytes)
                        throw Bad(name, $"is {width}x{height}, too large");
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
                default:
                    // Bit 5 of the first letter clear (upper case) marks a chunk needed to show the image.
                    if ((typeBytes[0] & 0x20) == 0)
                        throw Bad(name, $"has a critical chunk '{type}' this reader does not understand");
                    break;
            }
        }
        if (idat.Length == 0) throw Bad(name, "has no image data (IDAT)");
        int rowBytes = width * channels;
        long rawLength = (long)(rowBytes + 1) * height;
        var raw = new byte[rawLength];
        idat.Position = 0;
        int got = 0;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            while (got < raw.Length)
            {
                int n = z.Read(raw, got, raw.Length - got);
                if (n == 0) break;
                got += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw Bad(name, $"has corrupt compressed data ({e.Message})");
        }
        if (got < raw.Length)
            throw Bad(name, $"has truncated image data ({got} of {raw.Length} bytes)");
        return new PngImage(width, height, channels, Unfilter(raw, width, height, channels, name));
    }

    private static byte[] Unfilter(byte[] raw, int width, int height, int channels, string name)
    {
        int n = width * channels;
        var pixels = new byte[(long)n * height];
        for (int y = 0; y < height; y++)
        {
            int filter = raw[(long)y * (n + 1)];
            if (filter > 4) throw Bad(name, $"is corrupt (row {y} has unknown filter type {filter})");
            var input = raw.AsSpan(y * (n + 1) + 1, n);
            var row = pixels.AsSpan(y * n, n);
            var previous = y > 0 ? pixels.AsSpan((y - 1) * n, n) : default;
            for (int i = 0; i < n; i++)
            {
                int a = i >= channels ? row[i - channels] : 0;
                int b = y > 0 ? previous[i] : 0;
                int c = y > 0 && i >= channels ? previous[i - channels] : 0;
                row[i] = (byte)(input[i] + Png.Predict(filter, a, b, c));
            }
        }
        return pixels;
    }

    private static BottleneckException Bad(string name, string what) => new($"{name}: {what}");
}
