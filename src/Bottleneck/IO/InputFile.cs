namespace Bottleneck.IO;

/// <summary>Opening and reading a user's file, with failures turned into one clear line.</summary>
public static class InputFile
{
    /// <summary>
    /// Opens <paramref name="path"/> and hands the stream to <paramref name="read"/>; a file that
    /// cannot be opened or breaks off while reading becomes a <see cref="BottleneckException"/> naming it.
    /// </summary>
    public static T Read<T>(string path, Func<Stream, T> read)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BottleneckException($"{path}: cannot open the file ({e.Message})", e);
        }
        using (stream)
        {
            try
            {
                return read(stream);
            }
            catch (IOException e)
            {
                throw new BottleneckException($"{path}: error while reading the file ({e.Message})", e);
            }
        }
    }
}
