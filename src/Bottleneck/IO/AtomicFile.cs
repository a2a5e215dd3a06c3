using System.Security.Cryptography;

namespace Bottleneck.IO;

/// <summary>
/// Writes a file so that readers see either the old content or the complete new one, never a
/// half-written file: a crash or a full disk in the middle of saving a model must not destroy
/// the previous checkpoint.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Calls <paramref name="write"/> on a temporary file in the same folder (a rename is only
    /// atomic within one file system), flushes it to the disk, then renames it over
    /// <paramref name="path"/>. The temporary file is deleted if anything fails.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        string temp = full + TempMarker + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(TempSuffixDigits / 2));
        try
        {
            if (folder != null) Directory.CreateDirectory(folder);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                if (CrashPoints.Armed)
                {
                    // Killed halfway through writing: the temporary file holds half of the bytes.
                    CrashPoints.Reach("writing", full, () =>
                    {
                        stream.SetLength(stream.Length / 2);
                        stream.Flush(flushToDisk: true);
                    });
                }
                // Flush(true) asks the OS to push the data to the device; without it the rename
                // can reach the disk before the content and a power cut leaves an empty file.
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(temp);
            if (e is IOException or UnauthorizedAccessException)
                throw new BottleneckException($"{path}: cannot write the file ({e.Message}); check that the folder exists, is writable and the disk is not full", e);
            throw;
        }
        CrashPoints.Reach("wrote", full);
    }

    /// <summary>
    /// Deletes the temporary files that writes into <paramref name="directory"/> left behind when
    /// their process was killed; only the caller may be writing there (it holds the folder's lock).
    /// Returns how many were removed.
    /// </summary>
    public static int DeleteLeftovers(string directory)
    {
        if (!Directory.Exists(directory)) return 0;
        int removed = 0;
        foreach (string file in Directory.EnumerateFiles(directory, "*" + TempMarker + "*"))
        {
            if (!IsTempName(Path.GetFileName(file))) continue;
            File.Delete(file);
            removed++;
        }
        return removed;
    }

    /// <summary>Whether a file name is one of this class's temporary names: NAME.tmp- and 12 hex digits.</summary>
    public static bool IsTempName(string name)
    {
        int at = name.LastIndexOf(TempMarker, StringComparison.Ordinal);
        if (at <= 0 || name.Length - at - TempMarker.Length != TempSuffixDigits) return false;
        foreach (char c in name.AsSpan(at + TempMarker.Length))
            if (!char.IsAsciiHexDigitLower(c)) return false;
        return true;
    }

    private const string TempMarker = ".tmp-";
    private const int TempSuffixDigits = 12;

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (IOException)
        {
            // Best effort: the original error is the one worth reporting.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
