using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Bottleneck.IO;

namespace Bottleneck.Formats;

/// <summary>Element types of .npy arrays that can be read (numpy's <c>descr</c> without the byte order).</summary>
public enum NpyType
{
    Bool,
    UInt8,
    Int8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float16,
    Float32,
    Float64,
}

/// <summary>
/// A numpy .npy array (format versions 1, 2 and 3): the magic bytes <c>\x93NUMPY</c>, a major and a
/// minor version byte, the header length (u16 little-endian in version 1, u32 in 2 and 3), a Python
/// dict literal <c>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (3, 4), }</c>, then the raw values.
/// </summary>
/// <remarks>
/// Arrays come from outside (numpy, downloads, .npz archives), so everything the header claims is
/// checked before the data is allocated, and every failure is one <see cref="BottleneckException"/>
/// naming the file. The values are kept as read (converted to the machine's byte order) and converted
/// on demand: <see cref="ToSingles"/> for features, <see cref="ToInt32s"/> for labels, which must stay exact.
/// </remarks>
public sealed class NpyFile
{
    /// <summary>Headers longer than this are refused; numpy itself refuses more than 10,000 bytes by default.</summary>
    public const int MaxHeaderBytes = 1 << 16;

    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private readonly byte[] data;

    private NpyFile(string name, NpyType type, bool fortranOrder, int[] shape, byte[] data)
    {
        Name = name;
        Type = type;
        FortranOrder = fortranOrder;
        Shape = shape;
        this.data = data;
        Count = data.Length / SizeOf(type);
        long columns = 1;
        for (int i = 1; i < shape.Length; i++) columns *= shape[i];
        Columns = shape.Length == 0 ? 1 : (int)columns;
        Rows = shape.Length == 0 ? 1 : shape[0];
    }

    /// <summary>Where the array came from, as used in error messages.</summary>
    public string Name { get; }

    public NpyType Type { get; }

    /// <summary>True when the file stored the values column-major (numpy's <c>fortran_order</c>); the conversions return row-major values either way.</summary>
    public bool FortranOrder { get; }

    /// <summary>The array's shape; empty for a 0-d array.</summary>
    public int[] Shape { get; }

    /// <summary>Number of values, the product of the shape.</summary>
    public int Count { get; }

    /// <summary>The first dimension (1 for a 0-d array): samples, when the array is a table.</summary>
    public int Rows { get; }

    /// <summary>The product of every dimension after the first (1 for 0-d and 1-d arrays): an N-d array is read as a table [Rows, Columns].</summary>
    public int Columns { get; }

    /// <summary>The dtype in numpy's notation for this machine's byte order, e.g. <c>&lt;f8</c>.</summary>
    public string Descr => Descriptor(Type);

    public static int SizeOf(NpyType type) => type switch
    {
        NpyType.Bool or NpyType.UInt8 or NpyType.Int8 => 1,
        NpyType.Int16 or NpyType.UInt16 or NpyType.Float16 => 2,
        NpyType.Int32 or NpyType.UInt32 or NpyType.Float32 => 4,
        _ => 8,
    };

    private static bool IsInteger(NpyType type) => type is not (NpyType.Float16 or NpyType.Float32 or NpyType.Float64);

    // ----------------------------------------------------------------------------------------------
    // Reading

    /// <summary>Reads a .npy file.</summary>
    public static NpyFile Read(string path) => InputFile.Read(path, s => Read(s, path));

    /// <summary>
    /// Reads an array from <paramref name="stream"/>, which must hold exactly one array; <paramref name="name"/>
    /// names the source in error messages. The length of a seekable stream is checked against the header before
    /// anything is allocated; other streams are read in growing chunks, so a forged header cannot claim gigabytes.
    /// </summary>
    public static NpyFile Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long? length = stream.CanSeek ? stream.Length - stream.Position : null;
        return Read(stream, name, length, lengthIsExact: length != null, plausibleBytes: 0);
    }

    /// <summary>
    /// Reads from a stream whose length is <paramref name="length"/> if known; with <paramref name="lengthIsExact"/>
    /// false the length is only a claim (a zip directory's), checked against the header but not trusted for
    /// allocation beyond <paramref name="plausibleBytes"/>: data claimed past that is read in growing chunks.
    /// </summary>
    internal static NpyFile Read(Stream stream, string name, long? length, bool lengthIsExact, long plausibleBytes)
    {
        Span<byte> prefix = stackalloc byte[12];
        int got = ReadUpTo(stream, prefix[..8], name);
        if (got < 8 || !prefix[..6].SequenceEqual(Magic))
        {
            if (got >= 2 && prefix[0] == (byte)'P' && prefix[1] == (byte)'K')
                throw Bad(name, "is a zip archive (an .npz), not a single .npy array");
            if (got < 6 || !prefix[..6].SequenceEqual(Magic))
                throw Bad(name, got == 0 ? "is empty, not a .npy array" : $"is not a .npy array (it does not start with the magic bytes \\x93NUMPY; found {Convert.ToHexString(prefix[..Math.Min(got, 6)])})");
            throw Bad(name, "is truncated in its header (no version bytes)");
        }
        int major = prefix[6];
        int minor = prefix[7];
        if (major is < 1 or > 3)
            throw Bad(name, $"is .npy format version {major}.{minor}; versions 1, 2 and 3 can be read");
        int lengthBytes = major == 1 ? 2 : 4;
        if (ReadUpTo(stream, prefix.Slice(8, lengthBytes), name) < lengthBytes)
            throw Bad(name, "is truncated in its header (no header length)");
        long headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        long preamble = 8 + lengthBytes;
        if (headerLength > MaxHeaderBytes)
            throw Bad(name, $"declares a header of {headerLength} bytes, more than the {MaxHeaderBytes} allowed; the file is corrupt");
        if (length is long l1 && preamble + headerLength > l1)
            throw Bad(name, $"is truncated: its header should be {headerLength} bytes but only {Math.Max(0, l1 - preamble)} follow");

        var headerBytes = new byte[headerLength];
        int headerGot = ReadUpTo(stream, headerBytes, name);
        if (headerGot < headerLength)
            throw Bad(name, $"is truncated: its header should be {headerLength} bytes but only {headerGot} follow");
        var header = NpyHeader.Parse(headerBytes, name);

        int itemSize = SizeOf(header.Type);
        long count = 1;
        foreach (int d in header.Shape)
        {
            count *= d; // each d < 2^31 and count is capped in the loop, so no overflow
            if (count * itemSize > Array.MaxLength)
                throw Bad(name, $"declares shape {ShapeText(header.Shape)} of {header.DescrText}, more data than can be loaded; the file is corrupt");
        }
        long rowLength = 1;
        for (int i = 1; i < header.Shape.Length; i++)
        {
            // With a zero first dimension the rows can be absurdly long while the array is empty.
            rowLength *= header.Shape[i];
            if (rowLength > Array.MaxLength)
                throw Bad(name, $"declares shape {ShapeText(header.Shape)}, whose rows are too long to load; the file is corrupt");
        }
        int size = (int)(count * itemSize);
        if (length is long l2)
        {
            long available = l2 - preamble - headerLength;
            if (available < size)
                throw Bad(name, $"is truncated: shape {ShapeText(header.Shape)} of {header.DescrText} needs {size} bytes of data but {(lengthIsExact ? "only" : "the archive says")} {available} {(available == 1 ? "is" : "are")} there");
            if (available > size)
                throw Bad(name, $"has {available - size} bytes of trailing data after the {size} bytes its shape {ShapeText(header.Shape)} of {header.DescrText} declares; the file is corrupt");
        }

        byte[] values;
        int filled;
        if (lengthIsExact || size <= plausibleBytes)
        {
            values = GC.AllocateUninitializedArray<byte>(size);
            filled = ReadUpTo(stream, values, name);
        }
        else
        {
            // The buffer grows with the data actually read, so a forged size in a small archive
            // cannot make us allocate gigabytes up front.
            values = GC.AllocateUninitializedArray<byte>(Math.Min(size, 1 << 20));
            filled = 0;
            while (filled < size)
            {
                if (filled == values.Length) Array.Resize(ref values, (int)Math.Min(size, 2L * values.Length));
                int n = ReadUpTo(stream, values.AsSpan(filled, values.Length - filled), name);
                filled += n;
                if (filled < values.Length) break; // end of stream
            }
        }
        if (filled < size)
            throw Bad(name, $"is truncated: shape {ShapeText(header.Shape)} of {header.DescrText} needs {size} bytes of data but only {filled} are there");
        Span<byte> probe = stackalloc byte[1];
        if (ReadUpTo(stream, probe, name) > 0)
            throw Bad(name, $"has trailing data after the {size} bytes its shape {ShapeText(header.Shape)} of {header.DescrText} declares; the file is corrupt");

        if (itemSize > 1 && header.BigEndian == BitConverter.IsLittleEndian) ReverseEndianness(values, itemSize);
        return new NpyFile(name, header.Type, header.FortranOrder && header.Shape.Length > 1, header.Shape, values);
    }

    private static void ReverseEndianness(byte[] values, int itemSize)
    {
        switch (itemSize)
        {
            case 2:
                var s = MemoryMarshal.Cast<byte, ushort>(values.AsSpan());
                BinaryPrimitives.ReverseEndianness(s, s);
                break;
            case 4:
                var i = MemoryMarshal.Cast<byte, uint>(values.AsSpan());
                BinaryPrimitives.ReverseEndianness(i, i);
                break;
            default:
                var l = MemoryMarshal.Cast<byte, ulong>(values.AsSpan());
                BinaryPrimitives.ReverseEndianness(l, l);
                break;
        }
    }

    private static int ReadUpTo(Stream input, Span<byte> buffer, string name) =>
        IO.StreamReading.ReadUpTo(input, buffer, detail => Bad(name, $"has corrupt compressed data ({detail})"));

    internal static BottleneckException Bad(string name, string what) => new($"{name}: {what}");

    internal static string ShapeText(int[] shape) => shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";

    // ----------------------------------------------------------------------------------------------
    // Conversions

    /// <summary>
    /// The values as float32, row-major [Rows, Columns] whatever the file's order. Unless
    /// <paramref name="allowNonFinite"/>, a NaN or infinite value (or a float64 too large for float32)
    /// is an error naming its row and column, because one NaN silently poisons a whole training run.
    /// </summary>
    public float[] ToSingles(bool allowNonFinite = false)
    {
        var stored = GC.AllocateUninitializedArray<float>(Count);
        DecodeSingles(stored);
        var values = FortranOrder ? ToRowMajor<float>(stored) : stored;
        if (!allowNonFinite)
        {
            int bad = FirstNonFinite(values);
            if (bad >= 0) throw NonFinite(bad);
        }
        return values;
    }

    /// <summary>
    /// The values as exact int32, row-major, for labels: integer and bool arrays, and float arrays whose values are
    /// all whole numbers. A value that is not an integer or does not fit in int32 is an error naming its position.
    /// </summary>
    public int[] ToInt32s()
    {
        var stored = GC.AllocateUninitializedArray<int>(Count);
        ReadOnlySpan<byte> d = data;
        int bad = -1;
        switch (Type)
        {
            case NpyType.Bool:
            case NpyType.UInt8:
                for (int i = 0; i < stored.Length; i++) stored[i] = d[i];
                break;
            case NpyType.Int8:
                var sb = MemoryMarshal.Cast<byte, sbyte>(d);
                for (int i = 0; i < stored.Length; i++) stored[i] = sb[i];
                break;
            case NpyType.Int16:
                var s16 = MemoryMarshal.Cast<byte, short>(d);
                for (int i = 0; i < stored.Length; i++) stored[i] = s16[i];
                break;
            case NpyType.UInt16:
                var u16 = MemoryMarshal.Cast<byte, ushort>(d);
                for (int i = 0; i < stored.Length; i++) stored[i] = u16[i];
                break;
            case NpyType.Int32:
                MemoryMarshal.Cast<byte, int>(d).CopyTo(stored);
                break;
            case NpyType.UInt32:
                var u32 = MemoryMarshal.Cast<byte, uint>(d);
                for (int i = 0; i < stored.Length && bad < 0; i++)
                {
                    if (u32[i] > int.MaxValue) bad = i;
                    stored[i] = (int)u32[i];
                }
                break;
            case NpyType.Int64:
                var s64 = MemoryMarshal.Cast<byte, long>(d);
                for (int i = 0; i < stored.Length && bad < 0; i++)
                {
                    if (s64[i] is < int.MinValue or > int.MaxValue) bad = i;
                    stored[i] = (int)s64[i];
                }
                break;
            case NpyType.UInt64:
                var u64 = MemoryMarshal.Cast<byte, ulong>(d);
                for (int i = 0; i < stored.Length && bad < 0; i++)
                {
                    if (u64[i] > int.MaxValue) bad = i;
                    stored[i] = (int)u64[i];
                }
                break;
            default:
                for (int i = 0; i < stored.Length && bad < 0; i++)
                {
                    double v = StoredValue(i);
                    if (!(v >= int.MinValue && v <= int.MaxValue && v == Math.Floor(v))) bad = i;
                    else stored[i] = (int)v;
                }
                break;
        }
        if (bad >= 0)
        {
            double v = StoredValue(bad);
            string what = IsInteger(Type) || double.IsFinite(v) && v == Math.Floor(v) ? "does not fit in a 32-bit integer" : "is not an integer";
            throw Bad(Name, $"value {Format(v)} at {Position(RowMajorIndex(bad))} {what}; labels must be integers");
        }
        return FortranOrder ? ToRowMajor<int>(stored) : stored;
    }

    private void DecodeSingles(Span<float> target)
    {
        ReadOnlySpan<byte> d = data;
        switch (Type)
        {
            case NpyType.Bool:
            case NpyType.UInt8:
                for (int i = 0; i < target.Length; i++) target[i] = d[i];
                break;
            case NpyType.Int8:
                var sb = MemoryMarshal.Cast<byte, sbyte>(d);
                for (int i = 0; i < target.Length; i++) target[i] = sb[i];
                break;
            case NpyType.Int16:
                var s16 = MemoryMarshal.Cast<byte, short>(d);
                for (int i = 0; i < target.Length; i++) target[i] = s16[i];
                break;
            case NpyType.UInt16:
                var u16 = MemoryMarshal.Cast<byte, ushort>(d);
                for (int i = 0; i < target.Length; i++) target[i] = u16[i];
                break;
            case NpyType.Int32:
                var s32 = MemoryMarshal.Cast<byte, int>(d);
                for (int i = 0; i < target.Length; i++) target[i] = s32[i];
                break;
            case NpyType.UInt32:
                var u32 = MemoryMarshal.Cast<byte, uint>(d);
                for (int i = 0; i < target.Length; i++) target[i] = u32[i];
                break;
            case NpyType.Int64:
                var s64 = MemoryMarshal.Cast<byte, long>(d);
                for (int i = 0; i < target.Length; i++) target[i] = s64[i];
                break;
            case NpyType.UInt64:
                var u64 = MemoryMarshal.Cast<byte, ulong>(d);
                for (int i = 0; i < target.Length; i++) target[i] = u64[i];
                break;
            case NpyType.Float16:
                var h = MemoryMarshal.Cast<byte, Half>(d);
                for (int i = 0; i < target.Length; i++) target[i] = (float)h[i];
                break;
            case NpyType.Float32:
                MemoryMarshal.Cast<byte, float>(d).CopyTo(target);
                break;
            default:
                var f64 = MemoryMarshal.Cast<byte, double>(d);
                for (int i = 0; i < target.Length; i++) target[i] = (float)f64[i];
                break;
        }
    }

    /// <summary>The value at storage position <paramref name="i"/>, exactly as stored (as a double), for messages.</summary>
    private double StoredValue(int i)
    {
        ReadOnlySpan<byte> d = data;
        return Type switch
        {
            NpyType.Bool or NpyType.UInt8 => d[i],
            NpyType.Int8 => (sbyte)d[i],
            NpyType.Int16 => MemoryMarshal.Cast<byte, short>(d)[i],
            NpyType.UInt16 => MemoryMarshal.Cast<byte, ushort>(d)[i],
            NpyType.Int32 => MemoryMarshal.Cast<byte, int>(d)[i],
            NpyType.UInt32 => MemoryMarshal.Cast<byte, uint>(d)[i],
            NpyType.Int64 => MemoryMarshal.Cast<byte, long>(d)[i],
            NpyType.UInt64 => MemoryMarshal.Cast<byte, ulong>(d)[i],
            NpyType.Float16 => (double)MemoryMarshal.Cast<byte, Half>(d)[i],
            NpyType.Float32 => MemoryMarshal.Cast<byte, float>(d)[i],
            _ => MemoryMarshal.Cast<byte, double>(d)[i],
        };
    }

    private static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i])) return i;
        }
        return -1;
    }

    private BottleneckException NonFinite(int rowMajorIndex)
    {
        double original = StoredValue(StorageIndex(rowMajorIndex));
        string what = double.IsNaN(original) ? "is NaN (a missing value?)"
            : double.IsInfinity(original) ? $"is {(original > 0 ? "+" : "-")}infinite"
            : $"is {Format(original)}, outside the float32 range";
        return Bad(Name, $"the value at {Position(rowMajorIndex)} {what}; remove or impute such values first");
    }

    private string Position(int rowMajorIndex) => Shape.Length <= 1
        ? $"index {rowMajorIndex}"
        : $"row {rowMajorIndex / Columns}, column {rowMajorIndex % Columns} (counting from 0)";

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The storage position of the value at row-major position <paramref name="index"/>.</summary>
    private int StorageIndex(int index)
    {
        if (!FortranOrder) return index;
        // Unravel in C order, ravel in Fortran order.
        long result = 0;
        long stride = 1;
        var coordinates = new int[Shape.Length];
        for (int k = Shape.Length - 1; k >= 0; k--)
        {
            coordinates[k] = index % Shape[k];
            index /= Shape[k];
        }
        for (int k = 0; k < Shape.Length; k++)
        {
            result += coordinates[k] * stride;
            stride *= Shape[k];
        }
        return (int)result;
    }

    /// <summary>The row-major position of the value at storage position <paramref name="index"/>.</summary>
    private int RowMajorIndex(int index)
    {
        if (!FortranOrder) return index;
        long result = 0;
        long stride = 1;
        var coordinates = new int[Shape.Length];
        for (int k = 0; k < Shape.Length; k++)
        {
            coordinates[k] = index % Shape[k];
            index /= Shape[k];
        }
        for (int k = Shape.Length - 1; k >= 0; k--)
        {
            result += coordinates[k] * stride;
            stride *= Shape[k];
        }
        return (int)result;
    }

    /// <summary>
    /// Reorders values stored column-major (Fortran order) into row-major order. A Fortran array of shape
    /// (d0, ..., dk) is laid out as a C array of shape (dk, ..., d0), so this reverses the axes.
    /// </summary>
    private T[] ToRowMajor<T>(T[] stored) where T : unmanaged
    {
        var result = GC.AllocateUninitializedArray<T>(stored.Length);
        if (stored.Length == 0) return result;
        if (Shape.Length == 2)
        {
            int rows = Shape[0];
            int cols = Shape[1];
            // Blocked transpose: stored is [cols, rows]; tiles keep both sides in cache.
            const int tile = 32;
            for (int r0 = 0; r0 < rows; r0 += tile)
            {
                int r1 = Math.Min(rows, r0 + tile);
                for (int c0 = 0; c0 < cols; c0 += tile)
                {
                    int c1 = Math.Min(cols, c0 + tile);
                    for (int c = c0; c < c1; c++)
                    {
                        int source = c * rows;
                        for (int r = r0; r < r1; r++) result[r * cols + c] = stored[source + r];
                    }
                }
            }
            return result;
        }
        // Rank 3 and more (rare): walk the row-major positions with an odometer over the Fortran strides.
        int rank = Shape.Length;
        var strides = new long[rank];
        long s = 1;
        for (int k = 0; k < rank; k++)
        {
            strides[k] = s;
            s *= Shape[k];
        }
        var index = new int[rank];
        long offset = 0;
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = stored[offset];
            for (int k = rank - 1; k >= 0; k--)
            {
                index[k]++;
                offset += strides[k];
                if (index[k] < Shape[k]) break;
                offset -= strides[k] * Shape[k];
                index[k] = 0;
            }
        }
        return result;
    }

    // ----------------------------------------------------------------------------------------------
    // Writing

    /// <summary>A float32 array of the given shape (row-major; the values are copied).</summary>
    public static NpyFile FromSingles(ReadOnlySpan<float> values, params int[] shape)
    {
        CheckShape(values.Length, shape);
        return new NpyFile("array", NpyType.Float32, false, (int[])shape.Clone(), MemoryMarshal.AsBytes(values).ToArray());
    }

    /// <summary>A 1-d int32 array (the values are copied), e.g. labels.</summary>
    public static NpyFile FromInt32s(ReadOnlySpan<int> values) =>
        new("array", NpyType.Int32, false, [values.Length], MemoryMarshal.AsBytes(values).ToArray());

    private static void CheckShape(int length, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (int d in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(shape));
            count *= d;
            if (count > length) break;
        }
        if (count != length)
            throw new ArgumentException($"shape {ShapeText(shape)} does not hold {length} values", nameof(shape));
    }

    /// <summary>
    /// Writes <paramref name="data"/> as a row-major float32 ('&lt;f4') array of shape (rows, cols), format version 1,
    /// atomically: an existing file is replaced only once the new one is complete.
    /// </summary>
    public static void Write(string path, float[] data, int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        var array = FromSingles(data, rows, cols);
        AtomicFile.Write(path, array.Write);
    }

    /// <summary>Writes a 1-d int32 ('&lt;i4') array, e.g. labels, atomically.</summary>
    public static void Write(string path, int[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var array = FromInt32s(values);
        AtomicFile.Write(path, array.Write);
    }

    /// <summary>Writes this array to a stream (format version 1, or 2 when the header needs it), in its own order and this machine's byte order.</summary>
    public void Write(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        string dict = $"{{'descr': '{Descr}', 'fortran_order': {(FortranOrder ? "True" : "False")}, 'shape': {ShapeText(Shape)}, }}";
        // Laid out as np.save does, byte for byte: spare spaces so that the growing axis can reach 21
        // digits without moving the data, then padding to a 64-byte boundary (which lets readers map
        // the file and use aligned loads) and a final newline.
        if (Shape.Length > 0)
            dict += new string(' ', 21 - Shape[FortranOrder ? ^1 : 0].ToString(CultureInfo.InvariantCulture).Length);
        int major = dict.Length + 1 + 64 > ushort.MaxValue ? 2 : 1;
        int preamble = major == 1 ? 10 : 12;
        int padding = 64 - (preamble + dict.Length + 1) % 64;
        int headerLength = dict.Length + padding + 1;
        var header = new byte[preamble + headerLength];
        Magic.CopyTo(header);
        header[6] = (byte)major;
        header[7] = 0;
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)headerLength);
        else BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)headerLength);
        Encoding.ASCII.GetBytes(dict, header.AsSpan(preamble));
        header.AsSpan(preamble + dict.Length, padding).Fill((byte)' ');
        header[^1] = (byte)'\n';
        stream.Write(header);
        stream.Write(data);
    }

    private static string Descriptor(NpyType type)
    {
        char order = SizeOf(type) == 1 ? '|' : BitConverter.IsLittleEndian ? '<' : '>';
        string code = type switch
        {
            NpyType.Bool => "b1",
            NpyType.UInt8 => "u1",
            NpyType.Int8 => "i1",
            NpyType.Int16 => "i2",
            NpyType.UInt16 => "u2",
            NpyType.Int32 => "i4",
            NpyType.UInt32 => "u4",
            NpyType.Int64 => "i8",
            NpyType.UInt64 => "u8",
            NpyType.Float16 => "f2",
            NpyType.Float32 => "f4",
            _ => "f8",
        };
        return order + code;
    }

    // ----------------------------------------------------------------------------------------------
    // Header

    /// <summary>The parsed header dict: only the three keys numpy writes are accepted, as numpy itself does.</summary>
    private sealed record NpyHeader(NpyType Type, bool BigEndian, string DescrText, bool FortranOrder, int[] Shape)
    {
        public static NpyHeader Parse(byte[] bytes, string name)
        {
            // Versions 1 and 2 are latin-1 and version 3 UTF-8; every accepted header is plain ASCII,
            // so the bytes are parsed directly and anything else is reported as unsupported.
            var p = new Parser(bytes, name);
            p.SkipSpace();
            p.Expect((byte)'{', "the header is not a Python dict");
            string? descr = null;
            bool? fortran = null;
            int[]? shape = null;
            while (true)
            {
                p.SkipSpace();
                if (p.TryTake((byte)'}')) break;
                string key = p.String("a dict key");
                p.SkipSpace();
                p.Expect((byte)':', $"':' is missing after '{Sanitize(key)}' in the header");
                p.SkipSpace();
                switch (key)
                {
                    case "descr":
                        if (descr != null) throw p.Error("the header has 'descr' twice");
                        if (p.Peek() == (byte)'[')
                            throw p.Error("the array has a structured dtype (named fields), which cannot be read; save a plain numeric array");
                        descr = p.String("the 'descr' value");
                        break;
                    case "fortran_order":
                        if (fortran != null) throw p.Error("the header has 'fortran_order' twice");
                        fortran = p.Boolean();
                        break;
                    case "shape":
                        if (shape != null) throw p.Error("the header has 'shape' twice");
                        shape = p.Tuple();
                        break;
                    default:
                        throw p.Error($"the header has an unknown key '{Sanitize(key)}' (a .npy header has exactly 'descr', 'fortran_order' and 'shape')");
                }
                p.SkipSpace();
                if (p.TryTake((byte)',')) continue;
                p.SkipSpace();
                p.Expect((byte)'}', "the header dict is malformed (expected ',' or '}')");
                break;
            }
            p.SkipSpace();
            if (!p.AtEnd)
                throw p.Error("the header has extra content after the dict");
            if (descr == null || fortran == null || shape == null)
                throw p.Error($"the header lacks {string.Join(" and ", new[] { descr == null ? "'descr'" : null, fortran == null ? "'fortran_order'" : null, shape == null ? "'shape'" : null }.Where(s => s != null))}");
            var (type, bigEndian) = ParseDescr(descr, name);
            return new NpyHeader(type, bigEndian, Sanitize(descr), fortran.Value, shape);
        }

        private static (NpyType, bool) ParseDescr(string descr, string name)
        {
            if (descr.Length >= 2)
            {
                char order = descr[0];
                string code = order is '<' or '>' or '|' or '=' ? descr[1..] : descr;
                bool big = order == '>' || order == '=' && !BitConverter.IsLittleEndian;
                NpyType? type = code switch
                {
                    "b1" or "?" => NpyType.Bool,
                    "u1" => NpyType.UInt8,
                    "i1" => NpyType.Int8,
                    "i2" => NpyType.Int16,
                    "u2" => NpyType.UInt16,
                    "i4" => NpyType.Int32,
                    "u4" => NpyType.UInt32,
                    "i8" => NpyType.Int64,
                    "u8" => NpyType.UInt64,
                    "f2" => NpyType.Float16,
                    "f4" => NpyType.Float32,
                    "f8" => NpyType.Float64,
                    _ => null,
                };
                if (type is NpyType t) return (t, big);
                if (code.StartsWith('O'))
                    throw Bad(name, "holds Python objects (dtype 'O', pickled), which cannot be read; save a numeric array");
            }
            throw Bad(name, $"has dtype '{Sanitize(descr)}', which cannot be read (supported: bool, int8/16/32/64, uint8/16/32/64, float16/32/64)");
        }
    }

    /// <summary>Replaces control and non-ASCII characters so that a message stays one readable line.</summary>
    internal static string Sanitize(string text, int max = 40)
    {
        var sb = new StringBuilder(Math.Min(text.Length, max + 3));
        foreach (char c in text)
        {
            if (sb.Length >= max)
            {
                sb.Append("...");
                break;
            }
            sb.Append(c is >= ' ' and <= '~' ? c : '?');
        }
        return sb.ToString();
    }

    /// <summary>A minimal reader for the Python literals numpy writes: strings, True/False and tuples of integers.</summary>
    private ref struct Parser(ReadOnlySpan<byte> text, string name)
    {
        private readonly ReadOnlySpan<byte> text = text;
        private int pos;

        public readonly bool AtEnd => pos >= text.Length;

        public readonly int Peek() => pos < text.Length ? text[pos] : -1;

        public void SkipSpace()
        {
            while (pos < text.Length && text[pos] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0) pos++;
        }

        public bool TryTake(byte c)
        {
            if (pos < text.Length && text[pos] == c)
            {
                pos++;
                return true;
            }
            return false;
        }

        public void Expect(byte c, string message)
        {
            if (!TryTake(c)) throw Error(message);
        }

        public readonly BottleneckException Error(string message) => Bad(name, $"{message}; the file is corrupt or not written by numpy");

        public string String(string what)
        {
            int quote = Peek();
            if (quote is not ((byte)'\'' or (byte)'"'))
                throw Error($"the header has no string where {what} should be");
            int start = ++pos;
            while (pos < text.Length && text[pos] != quote)
            {
                if (text[pos] == (byte)'\\') throw Error($"{what} has an escape sequence");
                pos++;
            }
            if (pos >= text.Length) throw Error($"{what} is an unterminated string");
            var value = Encoding.Latin1.GetString(text[start..pos]);
            pos++;
            return value;
        }

        public bool Boolean()
        {
            if (text[pos..].StartsWith("True"u8))
            {
                pos += 4;
                return true;
            }
            if (text[pos..].StartsWith("False"u8))
            {
                pos += 5;
                return false;
            }
            throw Error("'fortran_order' is not True or False");
        }

        public int[] Tuple()
        {
            Expect((byte)'(', "'shape' is not a tuple");
            var dims = new List<int>();
            while (true)
            {
                SkipSpace();
                if (TryTake((byte)')')) break;
                if (dims.Count >= 32) throw Error("'shape' has more than 32 dimensions");
                int start = pos;
                long value = 0;
                while (pos < text.Length && text[pos] is >= (byte)'0' and <= (byte)'9')
                {
                    value = value * 10 + (text[pos] - '0');
                    if (value > int.MaxValue)
                        throw Bad(name, $"declares a dimension larger than {int.MaxValue}; the file is corrupt or too large to load");
                    pos++;
                }
                if (pos == start) throw Error("'shape' holds something other than non-negative integers");
                TryTake((byte)'L'); // Python 2 wrote long integers as 3L
                dims.Add((int)value);
                SkipSpace();
                if (TryTake((byte)',')) continue;
                Expect((byte)')', "'shape' is not a tuple of integers");
                break;
            }
            return [.. dims];
        }
    }
}
