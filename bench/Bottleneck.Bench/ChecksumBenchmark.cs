using System.Buffers.Binary;
using System.Diagnostics;
using Bottleneck.Formats;
using Bottleneck.Tests.IO;

namespace Bottleneck.Bench;

/// <summary>
/// CRC-32 throughput of System.IO.Hashing (what the library uses since the dependency update)
/// against the slicing-by-8 table loop the library had before (kept here only as the yardstick),
/// and the time to encode and decode a PNG, whose chunks are checksummed.
/// </summary>
public static class ChecksumBenchmark
{
    public static int Run(string[] args)
    {
        int megabytes = int.Parse(Option(args, "--mb") ?? "64", System.Globalization.CultureInfo.InvariantCulture);
        int reps = int.Parse(Option(args, "--reps") ?? "9", System.Globalization.CultureInfo.InvariantCulture);
        var data = new byte[megabytes << 20];
        new Random(1).NextBytes(data);
        if (SlicedBy8.Compute(data) != System.IO.Hashing.Crc32.HashToUInt32(data))
        {
            Console.Error.WriteLine("the two CRC-32 implementations disagree");
            return 1;
        }
        double sliced = MedianSeconds(reps, () => SlicedBy8.Compute(data));
        double hashing = MedianSeconds(reps, () => System.IO.Hashing.Crc32.HashToUInt32(data));
        Console.WriteLine($"crc32 over {megabytes} MiB, median of {reps}:");
        Console.WriteLine($"  previous slicing-by-8 loop: {sliced * 1e3:F2} ms ({megabytes / 1024.0 / sliced:F2} GiB/s)");
        Console.WriteLine($"  System.IO.Hashing.Crc32:    {hashing * 1e3:F2} ms ({megabytes / 1024.0 / hashing:F2} GiB/s)");

        // A 1024x1024 RGB picture with some structure (deflate neither trivial nor hopeless).
        const int Side = 1024;
        var pixels = new byte[Side * Side * 3];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)((i / 3 % Side) ^ (i / (3 * Side)) ^ (data[i] & 7));
        using var buffer = new MemoryStream();
        Png.EncodeRgb8(buffer, Side, Side, pixels);
        byte[] png = buffer.ToArray();
        double encode = MedianSeconds(reps, () =>
        {
            buffer.SetLength(0);
            Png.EncodeRgb8(buffer, Side, Side, pixels);
            return (uint)buffer.Length;
        });
        double decode = MedianSeconds(reps, () => (uint)PngDecoder.Decode(png, "bench").Pixels.Length);
        Console.WriteLine($"png {Side}x{Side} RGB ({png.Length} bytes), median of {reps}: encode {encode * 1e3:F2} ms, decode {decode * 1e3:F2} ms");
        return 0;
    }

    private static double MedianSeconds(int reps, Func<uint> work)
    {
        work();
        var times = new double[reps];
        uint sink = 0;
        for (int r = 0; r < reps; r++)
        {
            long start = Stopwatch.GetTimestamp();
            sink ^= work();
            times[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        GC.KeepAlive(sink);
        Array.Sort(times);
        return times[reps / 2];
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>The library's CRC-32 before System.IO.Hashing: eight 256-entry tables, eight bytes a step.</summary>
    private static class SlicedBy8
    {
        private static readonly uint[] Tables = Build();

        private static uint[] Build()
        {
            var t = new uint[8 * 256];
            for (uint n = 0; n < 256; n++)
            {
                uint c = n;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                t[n] = c;
            }
            for (int k = 1; k < 8; k++)
            {
                for (int n = 0; n < 256; n++)
                {
                    uint previous = t[(k - 1) * 256 + n];
                    t[k * 256 + n] = t[previous & 0xFF] ^ (previous >> 8);
                }
            }
            return t;
        }

        public static uint Compute(ReadOnlySpan<byte> data)
        {
            var t = Tables.AsSpan();
            uint c = ~0u;
            while (data.Length >= 8)
            {
                uint low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ c;
                uint high = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
                c = t[7 * 256 + (int)(low & 0xFF)] ^ t[6 * 256 + (int)((low >> 8) & 0xFF)]
                    ^ t[5 * 256 + (int)((low >> 16) & 0xFF)] ^ t[4 * 256 + (int)(low >> 24)]
                    ^ t[3 * 256 + (int)(high & 0xFF)] ^ t[2 * 256 + (int)((high >> 8) & 0xFF)]
                    ^ t[256 + (int)((high >> 16) & 0xFF)] ^ t[(int)(high >> 24)];
                data = data[8..];
            }
            foreach (byte b in data) c = t[(int)((c ^ b) & 0xFF)] ^ (c >> 8);
            return ~c;
        }
    }
}
