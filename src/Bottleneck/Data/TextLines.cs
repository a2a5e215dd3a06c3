using System.Text;
using Bottleneck.IO;

namespace Bottleneck.Data;

/// <summary>
/// A text file of one sequence per line (words, names, short strings), UTF-8, what the seq2seq
/// kind reads. Every line must hold a sequence: an empty line is an error naming its number, not
/// a sequence of length zero, since a blank line in a word list is almost always a mistake.
/// </summary>
public static class TextLines
{
    /// <summary>The longest line read, in characters: enough for words and short strings, and a bound on a batch's memory.</summary>
    public const int MaxLength = 256;

    /// <summary>The file's lines (without their line breaks, \n or \r\n), checked.</summary>
    public static string[] Read(string path)
    {
        if (!File.Exists(path)) throw new BottleneckException($"{path}: no such file");
        return InputFile.Read(path, stream => Parse(stream, path));
    }

    /// <summary>The lines of <paramref name="text"/>, checked as <see cref="Read"/> does; <paramref name="source"/> names it in errors.</summary>
    public static string[] Parse(string text, string source) => Parse(new MemoryStream(Encoding.UTF8.GetBytes(text)), source);

    private static string[] Parse(Stream stream, string source)
    {
        // Decoded line by line from the bytes, so that bad UTF-8 is reported at its own line.
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        var all = bytes.GetBuffer().AsSpan(0, (int)bytes.Length);
        if (all.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) all = all[3..];
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var lines = new List<string>();
        int number = 0;
        while (all.Length > 0)
        {
            number++;
            int end = all.IndexOf((byte)'\n');
            var bytesOfLine = end < 0 ? all : all[..end];
            all = end < 0 ? [] : all[(end + 1)..];
            if (bytesOfLine.EndsWith((ReadOnlySpan<byte>)[(byte)'\r'])) bytesOfLine = bytesOfLine[..^1];
            string line;
            try
            {
                line = utf8.GetString(bytesOfLine);
            }
            catch (DecoderFallbackException)
            {
                throw new BottleneckException($"{source}:{number}: not valid UTF-8 text");
            }
            if (line.Length == 0)
                throw new BottleneckException($"{source}:{number}: empty line; a text file for seq2seq holds one sequence per line, none empty");
            if (line.Contains('\0'))
                throw new BottleneckException($"{source}:{number}: holds a NUL character; this is not a text file of one sequence per line");
            if (line.Length > MaxLength && line.EnumerateRunes().Count() > MaxLength)
                throw new BottleneckException($"{source}:{number}: a line of more than {MaxLength} characters; seq2seq reads short sequences (words, names) one per line");
            lines.Add(line);
        }
        if (lines.Count == 0) throw new BottleneckException($"{source}: holds no lines");
        return [.. lines];
    }
}
