namespace Bottleneck.IO;

/// <summary>Reading a stream that may be compressed, for the file readers.</summary>
internal static class StreamReading
{
    /// <summary>
    /// Reads until <paramref name="buffer"/> is full or the stream ends and returns the bytes read
    /// (short only at the end). Damaged compressed data, which the decompressors report as
    /// <see cref="InvalidDataException"/>, becomes the reader's own one-line error, made by
    /// <paramref name="corrupt"/> from the decompressor's message.
    /// </summary>
    public static int ReadUpTo(Stream input, Span<byte> buffer, Func<string, BottleneckException> corrupt)
    {
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int n = input.Read(buffer[total..]);
                if (n == 0) break;
                total += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw corrupt(e.Message);
        }
        return total;
    }
}
