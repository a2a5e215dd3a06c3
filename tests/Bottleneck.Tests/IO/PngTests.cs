using System.Buffers.Binary;
using Bottleneck.Formats;

namespace Bottleneck.Tests.IO;

public class PngTests
{
    private static byte[] RandomPixels(int length, int seed, bool smooth)
    {
        var rng = new Random(seed);
        var pixels = new byte[length];
        for (int i = 0; i < length; i++) pixels[i] = smooth ? (byte)(i * 7 / 5 + rng.Next(3)) : (byte)rng.Next(256);
        return pixels;
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(17, 5, 1)]
    [InlineData(3, 9, 3)]
    [InlineData(64, 40, 3)]
    [InlineData(203, 7, 3)]
    [InlineData(650, 3, 1)]
    public void EncodeDecodeRoundTrip(int width, int height, int channels)
    {
        foreach (bool smooth in new[] { false, true })
        {
            for (int filter = -1; filter <= 4; filter++)
            {
                var pixels = RandomPixels(width * height * channels, width * 31 + filter, smooth);
                using var buffer = new MemoryStream();
                Png.Encode(buffer, width, height, channels, pixels, filter);
                var image = PngDecoder.Decode(buffer.ToArray(), "mem");
                Assert.Equal((width, height, channels), (image.Width, image.Height, image.Channels));
                Assert.Equal(pixels, image.Pixels);
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 33)]
    [InlineData(3, 3)]
    [InlineData(3, 1920)]
    [InlineData(3, 100)]
    [InlineData(1, 650)]
    public void Vectorised_filters_match_the_scalar_definitions(int channels, int rowBytes)
    {
        var rng = new Random(rowBytes * 7 + channels);
        foreach (bool smooth in new[] { false, true })
        {
            var row = RandomPixels(rowBytes, rng.Next(), smooth);
            var previous = RandomPixels(rowBytes, rng.Next(), smooth);
            for (int filter = 0; filter <= 4; filter++)
            {
                var expected = new byte[rowBytes];
                long expectedScore = 0;
                for (int i = 0; i < rowBytes; i++)
                {
                    int a = i >= channels ? row[i - channels] : 0, b = previous[i], c = i >= channels ? previous[i - channels] : 0;
                    int prediction = filter switch
                    {
                        0 => 0,
                        1 => a,
                        2 => b,
                        3 => (a + b) / 2,
                        _ => Math.Abs(b - c) <= Math.Abs(a - c) && Math.Abs(b - c) <= Math.Abs(a + b - 2 * c) ? a : Math.Abs(a - c) <= Math.Abs(a + b - 2 * c) ? b : c,
                    };
                    expected[i] = (byte)(row[i] - prediction);
                    expectedScore += Math.Abs((int)(sbyte)expected[i]);
                }
                var output = new byte[rowBytes];
                long score = Png.FilterRow(filter, row, previous, output, channels);
                Assert.Equal(expected, output);
                Assert.Equal(expectedScore, score);
            }
        }
    }

    [Fact]
    public void WritesFilesAtomically()
    {
        using var dir = new TempDir();
        string path = dir.File("g.png");
        var gray = RandomPixels(20 * 10, 1, true);
        Png.WriteGray8(path, 20, 10, gray);
        Assert.Equal(gray, PngDecoder.Read(path).Pixels);
        var rgb = RandomPixels(4 * 3 * 3, 2, false);
        Png.WriteRgb8(path, 4, 3, rgb);
        var image = PngDecoder.Read(path);
        Assert.Equal(3, image.Channels);
        Assert.Equal(rgb, image.Pixels);
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void BrokenPngsGiveClearErrors()
    {
        using var buffer = new MemoryStream();
        Png.Encode(buffer, 8, 8, 3, RandomPixels(8 * 8 * 3, 3, false));
        var good = buffer.ToArray();

        var badCrc = (byte[])good.Clone();
        badCrc[20] ^= 1; // inside IHDR
        Expect(badCrc, "CRC");
        Expect(good[..7], "signature");
        Expect(good[..40], "truncated");
        Expect(good[..^12], "truncated"); // IEND removed
        var bigChunk = (byte[])good.Clone();
        BinaryPrimitives.WriteInt32BigEndian(bigChunk.AsSpan(8), 1 << 30);
        Expect(bigChunk, "claims");
        Expect(WithIhdr(good, data => data[12] = 1), "interlaced");
        Expect(WithIhdr(good, data => data[8] = 16), "bit depth 16");
        Expect(WithIhdr(good, data => data[9] = 3), "palette");
        Expect(WithIhdr(good, data => BinaryPrimitives.WriteInt32BigEndian(data, 0)), "invalid size");
        Expect(WithIhdr(good, data => BinaryPrimitives.WriteInt32BigEndian(data, 9)), "truncated image data");

        var rng = new Random(5);
        for (int trial = 0; trial < 1000; trial++)
        {
            var bytes = (byte[])good.Clone();
            bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
            try
            {
                PngDecoder.Decode(bytes, "x.png");
            }
            catch (BottleneckException)
            {
            }
        }
    }

    private static void Expect(byte[] png, string expected)
    {
        var e = Assert.Throws<BottleneckException>(() => PngDecoder.Decode(png, "x.png"));
        Assert.StartsWith("x.png: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    /// <summary>Changes the IHDR data and fixes its CRC, so that the decoder sees a consistent but odd header.</summary>
    private static byte[] WithIhdr(byte[] png, Action<byte[]> change)
    {
        var copy = (byte[])png.Clone();
        var data = copy.AsSpan(16, 13).ToArray();
        change(data);
        data.CopyTo(copy, 16);
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(29), System.IO.Hashing.Crc32.HashToUInt32(copy.AsSpan(12, 17)));
        return copy;
    }
}
