using System.Buffers.Binary;
using System.Text;

namespace Bottleneck.Export;

/// <summary>
/// The protocol buffers wire format, as much of it as an ONNX file needs: varints, 32-bit floats
/// and length-delimited fields (strings, bytes, nested messages). Writing it directly keeps the
/// library free of a protobuf runtime and of generated code.
/// </summary>
internal sealed class ProtoWriter
{
    private const int Varint = 0;
    private const int Fixed32 = 5;
    private const int LengthDelimited = 2;

    private byte[] buffer = new byte[256];
    private int length;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> Written => buffer.AsSpan(0, length);

    /// <summary>An int32, int64 or enum field (negative values take ten bytes, as protobuf's two's complement varint).</summary>
    public void Int(int field, long value)
    {
        Tag(field, Varint);
        WriteVarint((ulong)value);
    }

    public void Float(int field, float value)
    {
        Tag(field, Fixed32);
        BinaryPrimitives.WriteSingleLittleEndian(Reserve(4), value);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimited);
        WriteVarint((ulong)value.Length);
        value.CopyTo(Reserve(value.Length));
    }

    /// <summary>A nested message: written on its own first, since its length comes before it.</summary>
    public void Message(int field, Action<ProtoWriter> body)
    {
        var inner = new ProtoWriter();
        body(inner);
        Bytes(field, inner.Written);
    }

    private void Tag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            Reserve(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }
        Reserve(1)[0] = (byte)value;
    }

    private Span<byte> Reserve(int count)
    {
        if (length + count > buffer.Length)
            Array.Resize(ref buffer, (int)Math.Min(Array.MaxLength, Math.Max((long)buffer.Length * 2, (long)length + count)));
        var span = buffer.AsSpan(length, count);
        length += count;
        return span;
    }
}
