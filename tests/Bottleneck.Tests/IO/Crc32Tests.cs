using Bottleneck.IO;

namespace Bottleneck.Tests.IO;

public class Crc32Tests
{
    /// <summary>The textbook one-byte-at-a-time CRC-32, as the reference for the sliced one.</summary>
    private static uint Bytewise(ReadOnlySpan<byte> data)
    {
        uint c = ~0u;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }

    [Fact]
    public void MatchesTheByteWiseCrcForEveryLengthAndSplit()
    {
        // "123456789" is the standard check input for CRC-32/IEEE.
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        var rng = new Random(17);
        var data = new byte[1000];
        rng.NextBytes(data);
        for (int length = 0; length <= 40; length++)
            Assert.Equal(Bytewise(data.AsSpan(0, length)), Crc32.Compute(data.AsSpan(0, length)));
        // Appending in pieces, as a stream does, gives the CRC of the whole.
        for (int trial = 0; trial < 20; trial++)
        {
            int cut = rng.Next(data.Length);
            Assert.Equal(Bytewise(data), Crc32.Append(Crc32.Append(0, data.AsSpan(0, cut)), data.AsSpan(cut)));
        }
    }
}
