using System.Buffers.Binary;

namespace Bottleneck.IO;

/// <summary>
/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of PNG chunks, zip members
/// and our code files. Our own because System.IO.Hashing is not among our packages; computed
/// eight bytes at a time ("slicing-by-8", eight 256-entry tables), since checking the members of
/// an .npz archive runs over tens of megabytes, where a one-byte table loop costs as much as the
/// decompression itself.
/// </summary>
public static class Crc32
{
    private static readonly uint[] Tables = BuildTables();

    private static uint[] BuildTables()
    {
        var t = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        // Table k gives the effect of a byte followed by k zero bytes.
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

    /// <summary>Continues a running CRC; start with 0.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var t = Tables.AsSpan();
        uint c = ~crc;
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

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);
}
