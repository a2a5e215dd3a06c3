namespace Bottleneck.Formats;

/// <summary>
/// Splits CSV text into records (RFC 4180: fields separated by a delimiter, optionally enclosed in double
/// quotes, "" for a quote inside quotes, line breaks allowed inside quotes; CRLF, LF or CR line ends).
/// The fields of the current record are kept in one reused character buffer, so that reading a large
/// table allocates no string per value.
/// </summary>
internal sealed class CsvRecordReader(TextReader reader, string name)
{
    private char[] buffer = new char[1 << 16];
    private int pos;
    private int end;
    private bool eof;
    private char[] chars = new char[1024];
    private int charCount;
    private readonly List<int> ends = [];
    private readonly List<bool> quoted = [];
    private int line = 1;

    public char Delimiter { get; set; } = ',';

    /// <summary>The line (counting from 1) on which the current record starts.</summary>
    public int RecordLine { get; private set; }

    public int FieldCount => ends.Count;

    public ReadOnlySpan<char> Field(int i)
    {
        int start = i == 0 ? 0 : ends[i - 1];
        return chars.AsSpan(start, ends[i] - start);
    }

    public bool IsQuoted(int i) => quoted[i];

    /// <summary>A record with one empty, unquoted field: a blank line, which readers skip as pandas does.</summary>
    public bool IsBlank => ends.Count == 1 && !quoted[0] && Field(0).IsWhiteSpace();

    /// <summary>
    /// Picks the delimiter from the first line (outside quotes): the most frequent of ',', ';' and tab,
    /// preferring them in that order on a tie and ',' when none occurs (a single column).
    /// </summary>
    public char DetectDelimiter()
    {
        int commas = 0, semicolons = 0, tabs = 0;
        bool inQuotes = false;
        int i = pos;
        while (true)
        {
            for (; i < end; i++)
            {
                char c = buffer[i];
                if (c == '"') inQuotes = !inQuotes;
                else if (inQuotes) continue;
                else if (c is '\n' or '\r') goto done;
                else if (c == ',') commas++;
                else if (c == ';') semicolons++;
                else if (c == '\t') tabs++;
            }
            if (!ReadMore()) break;
        }
    done:
        if (commas >= semicolons && commas >= tabs && commas > 0) return ',';
        if (semicolons >= tabs && semicolons > 0) return ';';
        return tabs > 0 ? '\t' : ',';
    }

    /// <summary>Reads the next record; false at the end of the text.</summary>
    public bool Read()
    {
        ends.Clear();
        quoted.Clear();
        charCount = 0;
        if (Peek() < 0) return false;
        RecordLine = line;
        while (true)
        {
            int c = Peek();
            if (c == '"')
            {
                pos++;
                ReadQuoted();
                ends.Add(charCount);
                quoted.Add(true);
                // Spaces between a closing quote and the delimiter are tolerated; anything else is not.
                while (Peek() == ' ' && Delimiter != ' ') pos++;
                c = Next();
                if (c == Delimiter) continue;
                if (c is '\n' or '\r' or -1)
                {
                    EndLine(c);
                    return true;
                }
                throw new BottleneckException($"{name}: line {line}: unexpected '{Printable((char)c)}' after the closing quote of field {ends.Count}; a quoted field must end at a delimiter or a line end");
            }
            ReadUnquoted();
            ends.Add(charCount);
            quoted.Add(false);
            c = Next();
            if (c == Delimiter) continue;
            EndLine(c);
            return true;
        }
    }

    private void EndLine(int c)
    {
        if (c == '\r' && Peek() == '\n') pos++;
        if (c >= 0) line++;
    }

    private void ReadUnquoted()
    {
        while (true)
        {
            if (pos >= end && !Fill()) return;
            var rest = buffer.AsSpan(pos, end - pos);
            int stop = rest.IndexOfAny(Delimiter, '\n', '\r');
            if (stop >= 0)
            {
                Append(rest[..stop]);
                pos += stop;
                return;
            }
            Append(rest);
            pos = end;
        }
    }

    private void ReadQuoted()
    {
        int openedOn = line;
        while (true)
        {
            if (pos >= end && !Fill())
                throw new BottleneckException($"{name}: line {openedOn}: a quoted field opened there is never closed");
            var rest = buffer.AsSpan(pos, end - pos);
            int quote = rest.IndexOf('"');
            var text = quote >= 0 ? rest[..quote] : rest;
            line += text.Count('\n');
            Append(text);
            pos += text.Length;
            if (quote < 0) continue;
            pos++; // the quote
            if (Peek() == '"')
            {
                Append("\"");
                pos++;
                continue;
            }
            return;
        }
    }

    private void Append(ReadOnlySpan<char> text)
    {
        if (charCount + text.Length > chars.Length)
        {
            long size = Math.Max(2L * chars.Length, (long)charCount + text.Length);
            if (size > Array.MaxLength)
                throw new BottleneckException($"{name}: line {RecordLine}: the record is too long to read");
            Array.Resize(ref chars, (int)size);
        }
        text.CopyTo(chars.AsSpan(charCount));
        charCount += text.Length;
    }

    private int Peek() => pos < end || Fill() ? buffer[pos] : -1;

    private int Next() => pos < end || Fill() ? buffer[pos++] : -1;

    /// <summary>Replaces the consumed buffer with the next block of text.</summary>
    private bool Fill()
    {
        if (eof) return false;
        pos = 0;
        end = reader.Read(buffer, 0, buffer.Length);
        if (end > 0) return true;
        eof = true;
        end = 0;
        return false;
    }

    /// <summary>Appends the next block of text to the buffer, keeping what is there (to look ahead at the first line).</summary>
    private bool ReadMore()
    {
        if (eof) return false;
        if (end == buffer.Length)
        {
            if (buffer.Length >= 1 << 28)
                throw new BottleneckException($"{name}: the first line is too long to be a CSV header");
            Array.Resize(ref buffer, buffer.Length * 2);
        }
        int n = reader.Read(buffer, end, buffer.Length - end);
        if (n == 0)
        {
            eof = true;
            return false;
        }
        end += n;
        return true;
    }

    private static string Printable(char c) => c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:X4}";
}
