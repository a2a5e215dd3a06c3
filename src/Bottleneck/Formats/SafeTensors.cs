using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Bottleneck.IO;
using Bottleneck.Tensors;

namespace Bottleneck.Formats;

/// <summary>
/// Reads and writes the safetensors format (the one PyTorch and Hugging Face use), so that models
/// and test fixtures move between this toolkit and Python without conversion.
/// Layout: u64 little-endian header length, a JSON header
/// <c>{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}</c>
/// padded with spaces to a multiple of 8 bytes, then the raw little-endian tensor data.
/// </summary>
/// <remarks>
/// Files come from outside (downloads, other tools, half-finished copies), so everything the header
/// claims is checked against the file before any tensor memory is allocated: a corrupt file must give
/// one clear <see cref="BottleneckException"/>, never an out-of-memory or an index error.
/// </remarks>
public sealed class SafeTensorsFile
{
    /// <summary>Headers larger than this are refused; real headers are a few kilobytes.</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    private const string MetadataKey = "__metadata__";

    private SafeTensorsFile(IReadOnlyList<string> names, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Names = names;
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>Tensor names in the order the header lists them.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Every tensor, converted to float32.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    /// <summary>The <c>__metadata__</c> string map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Reads every tensor of a file. F32, F64, F16 and BF16 are accepted and converted to float32.</summary>
    public static SafeTensorsFile Read(string path) => InputFile.Read(path, s => Read(s, path));

    /// <summary>Reads from a seekable stream; <paramref name="name"/> names the source in error messages.</summary>
    public static SafeTensorsFile Read(Stream stream, string name)
    {
        if (!stream.CanSeek) throw new ArgumentException("the stream must be seekable", nameof(stream));
        long fileLength = stream.Length - stream.Position;
        long start = stream.Position;
        if (fileLength < 8)
            throw new BottleneckException($"{name}: the file is {fileLength} bytes long, too short for a safetensors file (it needs at least an 8-byte header length); the file is truncated or not a safetensors file");

        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)MaxHeaderBytes)
            throw new BottleneckException($"{name}: the header length field says {headerLength} bytes, more than the {MaxHeaderBytes} allowed; the file is corrupt or not a safetensors file");
        if ((long)headerLength > fileLength - 8)
            throw new BottleneckException($"{name}: the header length field says {headerLength} bytes but the file has only {fileLength - 8} bytes after it; the file is truncated or not a safetensors file");

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataLength = fileLength - 8 - (long)headerLength;
        var (entries, metadata) = ParseHeader(header, name);
        Validate(entries, dataLength, name);

        long dataStart = start + 8 + (long)headerLength;
        var tensors = new Dictionary<string, Tensor>(entries.Count, StringComparer.Ordinal);
        var names = new List<string>(entries.Count);
        foreach (var entry in entries)
        {
            stream.Position = dataStart + entry.Begin;
            tensors.Add(entry.Name, ReadTensor(stream, entry));
            names.Add(entry.Name);
        }
        return new SafeTensorsFile(names, tensors, metadata);
    }

    /// <summary>
    /// Writes float32 tensors (in the given order, packed back to back) and optional metadata,
    /// atomically: an existing file is replaced only once the new one is complete.
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = CheckNames(tensors, path);
        AtomicFile.Write(path, stream => Write(stream, list, metadata));
    }

    /// <summary>Writes to a stream (no atomicity); see <see cref="Write(string, IEnumerable{KeyValuePair{string, Tensor}}, IReadOnlyDictionary{string, string}?)"/>.</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = CheckNames(tensors, "safetensors output");
        var header = BuildHeader(list, metadata);
        Span<byte> lengthBytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)header.Length);
        stream.Write(lengthBytes);
        stream.Write(header);
        foreach (var (_, tensor) in list)
        {
            ReadOnlySpan<float> values = tensor.Span;
            if (BitConverter.IsLittleEndian)
            {
                stream.Write(MemoryMarshal.AsBytes(values));
            }
            else
            {
                var buffer = new byte[4];
                foreach (float v in values)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(buffer, v);
                    stream.Write(buffer);
                }
            }
        }
    }

    private static List<KeyValuePair<string, Tensor>> CheckNames(IEnumerable<KeyValuePair<string, Tensor>> tensors, string path)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in list)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            if (string.IsNullOrEmpty(name))
                throw new BottleneckException($"{path}: cannot save a tensor with an empty name");
            if (name == MetadataKey)
                throw new BottleneckException($"{path}: cannot save a tensor named '{MetadataKey}', the name is reserved for metadata");
            if (!seen.Add(name))
                throw new BottleneckException($"{path}: two tensors are named '{name}'; names must be unique");
        }
        return list;
    }

    private static byte[] BuildHeader(List<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata != null)
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in tensor.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                long end = offset + (long)tensor.Length * sizeof(float);
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }
            json.WriteEndObject();
        }
        // The data that follows should start 8-byte aligned so that readers can map it directly;
        // the format pads the header with spaces for that.
        int length = (int)buffer.Length;
        int padded = (length + 7) / 8 * 8;
        for (int i = length; i < padded; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private enum DType
    {
        F32,
        F64,
        F16,
        BF16,
    }

    private static int SizeOf(DType t) => t switch
    {
        DType.F64 => 8,
        DType.F32 => 4,
        _ => 2,
    };

    private sealed record Entry(string Name, DType DType, int[] Shape, long Begin, long End);

    private static (List<Entry>, IReadOnlyDictionary<string, string>) ParseHeader(byte[] header, string file)
    {
        var entries = new List<Entry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        bool sawMetadata = false;
        try
        {
            // Utf8JsonReader rather than JsonSerializer: the serializer silently keeps the last of two
            // entries with the same name, and a duplicated tensor name means a corrupt or forged file.
            // The format pads with spaces, which JSON allows; some writers pad with NUL bytes, which it does not.
            int used = header.Length;
            while (used > 0 && header[used - 1] == 0) used--;
            var reader = new Utf8JsonReader(header.AsSpan(0, used), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw Bad(file, "the header is not a JSON object");
            while (true)
            {
                Next(ref reader, file);
                if (reader.TokenType == JsonTokenType.EndObject) break;
                string name = reader.GetString()!;
                Next(ref reader, file);
                if (name == MetadataKey)
                {
                    if (sawMetadata) throw Bad(file, $"the header has two '{MetadataKey}' entries");
                    sawMetadata = true;
                    ParseMetadata(ref reader, metadata, file);
                    continue;
                }
                if (!names.Add(name))
                    throw Bad(file, $"the header lists tensor '{name}' twice");
                entries.Add(ParseEntry(ref reader, name, file));
            }
            // Only whitespace may follow the object.
            if (reader.Read())
                throw Bad(file, "the header has extra content after the JSON object");
        }
        catch (JsonException e)
        {
            throw Bad(file, $"the header is not valid JSON ({e.Message})");
        }
        catch (InvalidOperationException e)
        {
            throw Bad(file, $"the header has an unexpected JSON value ({e.Message})");
        }
        return (entries, metadata);
    }

    private static void ParseMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata, string file)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Bad(file, $"'{MetadataKey}' is not a JSON object of strings");
        while (true)
        {
            Next(ref reader, file);
            if (reader.TokenType == JsonTokenType.EndObject) return;
            string key = reader.GetString()!;
            Next(ref reader, file);
            if (reader.TokenType != JsonTokenType.String)
                throw Bad(file, $"metadata '{key}' is not a string");
            if (!metadata.TryAdd(key, reader.GetString()!))
                throw Bad(file, $"metadata '{key}' appears twice");
        }
    }

    private static Entry ParseEntry(ref Utf8JsonReader reader, string name, string file)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Bad(file, $"tensor '{name}' is not a JSON object with dtype, shape and data_offsets");
        string? dtype = null;
        List<long>? shape = null;
        List<long>? offsets = null;
        while (true)
        {
            Next(ref reader, file);
            if (reader.TokenType == JsonTokenType.EndObject) break;
            string key = reader.GetString()!;
            Next(ref reader, file);
            switch (key)
            {
                case "dtype":
                    if (dtype != null) throw Bad(file, $"tensor '{name}' has two dtype fields");
                    if (reader.TokenType != JsonTokenType.String) throw Bad(file, $"tensor '{name}' has a dtype that is not a string");
                    dtype = reader.GetString()!;
                    break;
                case "shape":
                    if (shape != null) throw Bad(file, $"tensor '{name}' has two shape fields");
                    shape = ReadIntegers(ref reader, name, key, file);
                    break;
                case "data_offsets":
                    if (offsets != null) throw Bad(file, $"tensor '{name}' has two data_offsets fields");
                    offsets = ReadIntegers(ref reader, name, key, file);
                    break;
                default:
                    reader.Skip(); // unknown fields are tolerated for forward compatibility
                    break;
            }
        }
        if (dtype == null || shape == null || offsets == null)
            throw Bad(file, $"tensor '{name}' lacks {(dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets")}");
        DType type = dtype switch
        {
            "F32" => DType.F32,
            "F64" => DType.F64,
            "F16" => DType.F16,
            "BF16" => DType.BF16,
            _ => throw Bad(file, $"tensor '{name}' has dtype '{dtype}', which is not supported (F32, F64, F16 and BF16 are); convert it to float32"),
        };
        if (offsets.Count != 2)
            throw Bad(file, $"tensor '{name}' has {offsets.Count} data_offsets instead of 2 ([begin, end])");
        var dims = new int[shape.Count];
        for (int i = 0; i < dims.Length; i++)
        {
            if (shape[i] > int.MaxValue)
                throw Bad(file, $"tensor '{name}' has shape [{string.Join(", ", shape)}], too large");
            dims[i] = (int)shape[i];
        }
        return new Entry(name, type, dims, offsets[0], offsets[1]);
    }

    private static List<long> ReadIntegers(ref Utf8JsonReader reader, string name, string field, string file)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw Bad(file, $"tensor '{name}' has a {field} that is not an array of integers");
        var values = new List<long>();
        while (true)
        {
            Next(ref reader, file);
            if (reader.TokenType == JsonTokenType.EndArray) return values;
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long v) || v < 0)
                throw Bad(file, $"tensor '{name}' has a {field} that is not an array of non-negative integers");
            if (values.Count >= 64)
                throw Bad(file, $"tensor '{name}' has a {field} with more than 64 entries");
            values.Add(v);
        }
    }

    private static void Next(ref Utf8JsonReader reader, string file)
    {
        if (!reader.Read()) throw Bad(file, "the header JSON ends too early");
    }

    private static void Validate(List<Entry> entries, long dataLength, string file)
    {
        foreach (var e in entries)
        {
            if (e.End < e.Begin)
                throw Bad(file, $"tensor '{e.Name}' data_offsets [{e.Begin}, {e.End}] end before they begin");
            if (e.End > dataLength)
                throw Bad(file, $"tensor '{e.Name}' data_offsets [{e.Begin}, {e.End}] go past the end of the data ({dataLength} bytes); the file is truncated or corrupt");
            long count = 1;
            foreach (int d in e.Shape)
            {
                count *= d; // d < 2^31 and count stays <= 2^31 below, so this cannot overflow a long
                if (count > int.MaxValue)
                    throw Bad(file, $"tensor '{e.Name}' has shape [{string.Join(", ", e.Shape)}], more than {int.MaxValue} values");
            }
            long bytes = count * SizeOf(e.DType);
            if (bytes != e.End - e.Begin)
                throw Bad(file, $"tensor '{e.Name}' has shape [{string.Join(", ", e.Shape)}] and dtype {e.DType}, which need {bytes} bytes, but its data_offsets [{e.Begin}, {e.End}] hold {e.End - e.Begin}; the file is corrupt");
        }
        var sorted = entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin).ToList();
        for (int i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].Begin < sorted[i - 1].End)
                throw Bad(file, $"tensors '{sorted[i - 1].Name}' [{sorted[i - 1].Begin}, {sorted[i - 1].End}] and '{sorted[i].Name}' [{sorted[i].Begin}, {sorted[i].End}] overlap; the file is corrupt");
        }
    }

    private static Tensor ReadTensor(Stream stream, Entry e)
    {
        int count = (int)((e.End - e.Begin) / SizeOf(e.DType));
        var values = new float[count];
        if (e.DType == DType.F32 && BitConverter.IsLittleEndian)
        {
            stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
            return Tensor.Wrap(values, e.Shape);
        }
        // Other types go through a bounded buffer, converting chunk by chunk.
        int size = SizeOf(e.DType);
        var buffer = new byte[Math.Min((long)count * size, 1 << 16)];
        int done = 0;
        while (done < count)
        {
            int n = Math.Min(count - done, buffer.Length / size);
            var chunk = buffer.AsSpan(0, n * size);
            stream.ReadExactly(chunk);
            for (int i = 0; i < n; i++)
            {
                var b = chunk.Slice(i * size, size);
                values[done + i] = e.DType switch
                {
                    DType.F32 => BinaryPrimitives.ReadSingleLittleEndian(b),
                    DType.F64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(b),
                    DType.F16 => (float)BinaryPrimitives.ReadHalfLittleEndian(b),
                    // bfloat16 is the top half of a float32.
                    _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b) << 16),
                };
            }
            done += n;
        }
        return Tensor.Wrap(values, e.Shape);
    }

    private static BottleneckException Bad(string file, string what) => new($"{file}: {what}");

    /// <summary>Header text of a file, for diagnostics and tests.</summary>
    internal static string HeaderText(byte[] file) =>
        Encoding.UTF8.GetString(file, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(file));
}
