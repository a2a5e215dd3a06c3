using System.IO.Compression;
using System.IO.Hashing;
using Bottleneck.IO;

namespace Bottleneck.Formats;

/// <summary>
/// A numpy .npz archive: a zip file whose members are .npy arrays (<c>np.savez</c> stores them,
/// <c>np.savez_compressed</c> deflates them). Members are read on demand, so an archive with a large
/// member that is not needed costs nothing. Member names are given without the ".npy" suffix, as numpy does.
/// </summary>
public sealed class NpzFile : IDisposable
{
    private readonly ZipArchive archive;
    private readonly long archiveLength;
    private readonly Dictionary<string, ZipArchiveEntry> members;

    private NpzFile(string name, ZipArchive archive, long archiveLength, List<string> names, Dictionary<string, ZipArchiveEntry> members)
    {
        this.archiveLength = archiveLength;
        Name = name;
        this.archive = archive;
        Names = names;
        this.members = members;
    }

    /// <summary>The archive as named in error messages.</summary>
    public string Name { get; }

    /// <summary>Member names in archive order, without ".npy".</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Opens an archive; its members are read by <see cref="Read(string)"/>. Dispose it to close the file.</summary>
    public static NpzFile Open(string path)
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
        try
        {
            return Open(stream, path, leaveOpen: false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Opens an archive held in a seekable stream; <paramref name="name"/> names it in error messages.</summary>
    public static NpzFile Open(Stream stream, string name, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek) throw new ArgumentException("the stream must be seekable", nameof(stream));
        if (stream.Length - stream.Position < 22)
            throw new BottleneckException($"{name}: the file is {stream.Length - stream.Position} bytes long, too short for a .npz (zip) archive; it is truncated or not an archive");
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen);
        }
        catch (Exception e) when (IsZipFailure(e))
        {
            throw new BottleneckException($"{name}: is not a readable .npz (zip) archive ({OneLine(e.Message)}); it is truncated, corrupt or another kind of file", e);
        }
        try
        {
            var names = new List<string>();
            var byName = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/')) continue; // a folder entry
                string member = MemberName(entry.FullName);
                if (!byName.TryAdd(member, entry))
                    throw new BottleneckException($"{name}: the archive lists member '{NpyFile.Sanitize(entry.FullName)}' twice; it is corrupt");
                names.Add(member);
            }
            return new NpzFile(name, zip, stream.Length, names, byName);
        }
        catch (Exception e) when (IsZipFailure(e))
        {
            zip.Dispose();
            throw new BottleneckException($"{name}: is not a readable .npz (zip) archive ({OneLine(e.Message)}); it is truncated or corrupt", e);
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    /// <summary>Whether the archive has the member (given with or without ".npy").</summary>
    public bool Contains(string member) => members.ContainsKey(MemberName(member));

    /// <summary>Reads one member (given with or without ".npy"); a missing member is an error listing the ones there are.</summary>
    public NpyFile Read(string member)
    {
        ArgumentNullException.ThrowIfNull(member);
        string key = MemberName(member);
        if (!members.TryGetValue(key, out var entry))
        {
            string list = Names.Count == 0 ? "it has no members" : $"it has {string.Join(", ", Names.Select(n => $"'{NpyFile.Sanitize(n)}'"))}";
            throw new BottleneckException($"{Name}: the archive has no member '{NpyFile.Sanitize(key)}' ({list})");
        }
        string where = $"{Name} (member {NpyFile.Sanitize(entry.FullName)})";
        try
        {
            using var stream = new CrcStream(entry.Open());
            // The zip directory's sizes are only claims: the uncompressed one is checked against the
            // header, but memory is allocated up front only for what the archive can really hold (deflate
            // expands at most 1032 times, and the compressed data lies within the archive's real length);
            // beyond that, data is read in growing chunks.
            long plausible = Math.Min(entry.CompressedLength, archiveLength) * 1032 + (1 << 16);
            var array = NpyFile.Read(stream, where, entry.Length, lengthIsExact: false, plausible);
            // System.IO.Compression does not check the checksum of a stored member, and a flipped
            // bit in the data would otherwise go unnoticed.
            if (stream.Crc != entry.Crc32)
                throw new BottleneckException($"{where}: the data does not match the archive's checksum (CRC-32 {stream.Crc:x8}, expected {entry.Crc32:x8}); the archive is corrupt");
            return array;
        }
        catch (Exception e) when (IsZipFailure(e))
        {
            throw new BottleneckException($"{where}: cannot be read from the archive ({OneLine(e.Message)}); the archive is corrupt", e);
        }
    }

    /// <summary>Reads one member of an archive, opening and closing it.</summary>
    public static NpyFile Read(string path, string member)
    {
        using var npz = Open(path);
        return npz.Read(member);
    }

    public void Dispose() => archive.Dispose();

    /// <summary>
    /// Writes arrays as an archive that <c>np.load</c> opens (members stored, or deflated with
    /// <paramref name="compress"/>, like <c>np.savez_compressed</c>), atomically.
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, NpyFile>> arrays, bool compress = false)
    {
        var list = CheckNames(arrays, path);
        AtomicFile.Write(path, stream => Write(stream, list, compress));
    }

    /// <summary>Writes an archive to a stream (no atomicity); see <see cref="Write(string, IEnumerable{KeyValuePair{string, NpyFile}}, bool)"/>.</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, NpyFile>> arrays, bool compress = false)
    {
        var list = CheckNames(arrays, "npz output");
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (name, array) in list)
        {
            // A fixed timestamp keeps the output byte-identical from run to run.
            var entry = zip.CreateEntry(name + ".npy", compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
            entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
            using var member = entry.Open();
            array.Write(member);
        }
    }

    private static List<KeyValuePair<string, NpyFile>> CheckNames(IEnumerable<KeyValuePair<string, NpyFile>> arrays, string path)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        var list = arrays.ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, array) in list)
        {
            ArgumentNullException.ThrowIfNull(array);
            if (string.IsNullOrEmpty(name) || name.Contains('/') || name.Contains('\\'))
                throw new BottleneckException($"{path}: '{name}' cannot name an array (it must be non-empty, without '/' or '\\')");
            if (!seen.Add(name))
                throw new BottleneckException($"{path}: two arrays are named '{name}'; names must be unique");
        }
        return list;
    }

    private static string MemberName(string name) =>
        name.EndsWith(".npy", StringComparison.Ordinal) ? name[..^4] : name;

    /// <summary>
    /// The exceptions System.IO.Compression throws for damaged archives. They are caught by type here
    /// rather than everywhere, so that a damaged file is one clear error and a bug is still a bug.
    /// </summary>
    private static bool IsZipFailure(Exception e) =>
        e is InvalidDataException or NotSupportedException or IOException;

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    /// <summary>A read-only stream that computes the CRC-32 of what is read through it.</summary>
    private sealed class CrcStream(Stream inner) : IO.ForwardOnlyStream
    {
        private readonly Crc32 hash = new();

        public uint Crc => hash.GetCurrentHashAsUInt32();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            hash.Append(buffer[..n]);
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
