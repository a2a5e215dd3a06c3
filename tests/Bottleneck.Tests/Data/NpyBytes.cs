using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Bottleneck.Tests.Data;

/// <summary>
/// Builds .npy and .npz bytes for tests, independently of the reader and writer under test: any dtype,
/// byte order, memory order and format version, and headers edited by hand to make broken files.
/// </summary>
public static class NpyBytes
{
    /// <summary>The raw bytes of <paramref name="values"/> (given in storage order) in the dtype <paramref name="descr"/>, e.g. "&gt;i2".</summary>
    public static byte[] Encode(string descr, IReadOnlyList<double> values)
    {
        bool big = descr[0] == '>';
        string code = descr[1..];
        int size = int.Parse(code[1..]);
        var bytes = new byte[values.Count * size];
        for (int i = 0; i < values.Count; i++)
        {
            var at = bytes.AsSpan(i * size, size);
            double v = values[i];
            switch (code)
            {
                case "b1": at[0] = v != 0 ? (byte)1 : (byte)0; break;
                case "u1": at[0] = (byte)v; break;
                case "i1": at[0] = (byte)(sbyte)v; break;
                case "i2": if (big) BinaryPrimitives.WriteInt16BigEndian(at, (short)v); else BinaryPrimitives.WriteInt16LittleEndian(at, (short)v); break;
                case "u2": if (big) BinaryPrimitives.WriteUInt16BigEndian(at, (ushort)v); else BinaryPrimitives.WriteUInt16LittleEndian(at, (ushort)v); break;
                case "i4": if (big) BinaryPrimitives.WriteInt32BigEndian(at, (int)v); else BinaryPrimitives.WriteInt32LittleEndian(at, (int)v); break;
                case "u4": if (big) BinaryPrimitives.WriteUInt32BigEndian(at, (uint)v); else BinaryPrimitives.WriteUInt32LittleEndian(at, (uint)v); break;
                case "i8": if (big) BinaryPrimitives.WriteInt64BigEndian(at, (long)v); else BinaryPrimitives.WriteInt64LittleEndian(at, (long)v); break;
                case "u8": if (big) BinaryPrimitives.WriteUInt64BigEndian(at, (ulong)v); else BinaryPrimitives.WriteUInt64LittleEndian(at, (ulong)v); break;
                case "f2": if (big) BinaryPrimitives.WriteHalfBigEndian(at, (Half)v); else BinaryPrimitives.WriteHalfLittleEndian(at, (Half)v); break;
                case "f4": if (big) BinaryPrimitives.WriteSingleBigEndian(at, (float)v); else BinaryPrimitives.WriteSingleLittleEndian(at, (float)v); break;
                case "f8": if (big) BinaryPrimitives.WriteDoubleBigEndian(at, v); else BinaryPrimitives.WriteDoubleLittleEndian(at, v); break;
                default: throw new ArgumentException($"no encoder for {descr}");
            }
        }
        return bytes;
    }

    /// <summary>A .npy file of <paramref name="rowMajor"/> values, laid out in Fortran order when asked.</summary>
    public static byte[] Array(string descr, int[] shape, IReadOnlyList<double> rowMajor, bool fortran = false, int version = 1)
    {
        var stored = fortran ? ToFortran(rowMajor, shape) : rowMajor;
        return File(Header(descr, fortran, shape), Encode(descr, stored), version);
    }

    public static string Header(string descr, bool fortran, int[] shape)
    {
        string tuple = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        return $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {tuple}, }}";
    }

    /// <summary>Magic, version, header length, the header padded to 64 bytes with a newline, then the data.</summary>
    public static byte[] File(string header, byte[] data, int version = 1)
    {
        int preamble = version == 1 ? 10 : 12;
        var text = Encoding.UTF8.GetBytes(header);
        int total = (preamble + text.Length + 1 + 63) / 64 * 64;
        var bytes = new byte[total + data.Length];
        bytes[0] = 0x93;
        "NUMPY"u8.CopyTo(bytes.AsSpan(1));
        bytes[6] = (byte)version;
        if (version == 1) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)(total - preamble));
        else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)(total - preamble));
        text.CopyTo(bytes, preamble);
        bytes.AsSpan(preamble + text.Length, total - preamble - text.Length - 1).Fill((byte)' ');
        bytes[total - 1] = (byte)'\n';
        data.CopyTo(bytes, total);
        return bytes;
    }

    /// <summary>Row-major values reordered into Fortran (column-major) storage order.</summary>
    public static double[] ToFortran(IReadOnlyList<double> rowMajor, int[] shape)
    {
        var result = new double[rowMajor.Count];
        var index = new int[shape.Length];
        for (int c = 0; c < rowMajor.Count; c++)
        {
            // c is the row-major position of index[]; its Fortran position has the first axis fastest.
            long f = 0, stride = 1;
            for (int k = 0; k < shape.Length; k++)
            {
                f += index[k] * stride;
                stride *= shape[k];
            }
            result[f] = rowMajor[c];
            for (int k = shape.Length - 1; k >= 0; k--)
            {
                if (++index[k] < shape[k]) break;
                index[k] = 0;
            }
        }
        return result;
    }

    /// <summary>A zip of named members, each stored or deflated.</summary>
    public static byte[] Zip(params (string Name, byte[] Data, bool Deflate)[] members)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data, deflate) in members)
            {
                var entry = zip.CreateEntry(name, deflate ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
                using var s = entry.Open();
                s.Write(data);
            }
        }
        return buffer.ToArray();
    }
}
