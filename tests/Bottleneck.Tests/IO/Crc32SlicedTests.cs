using Bottleneck.IO;

namespace Bottleneck.Tests.IO;

public class Crc32SlicedTests
{
    [Fact]
    public void MatchesTheByteWiseCrcForEveryLengthAndSplit()
    {
        // "123456789" is the standard check input for CRC-32/IEEE.
        Assert.Equal(0xCBF43926u, Crc32Sliced.Append(0, "123456789"u8));
        var rng = new Random(17);
        var data = new byte[1000];
        rng.NextBytes(data);
        for (int length = 0; length <= 40; length++)
            Assert.Equal(Crc32.Compute(data.AsSpan(0, length)), Crc32Sliced.Append(0, data.AsSpan(0, length)));
        // Appending in pieces, as a stream does, gives the CRC of the whole.
        for (int trial = 0; trial < 20; trial++)
        {
            int cut = rng.Next(data.Length);
            Assert.Equal(Crc32.Compute(data), Crc32Sliced.Append(Crc32Sliced.Append(0, data.AsSpan(0, cut)), data.AsSpan(cut)));
        }
    }
}
