using Bottleneck.IO;

namespace Bottleneck.Reports;

/// <summary>
/// One writer per run folder: a training holds this lock from before its first file to its
/// exit, so a second training into the same folder is refused instead of silently mixing files
/// with the first. The lock is an exclusive OS lock on a file in the folder (flock on Unix,
/// a share mode on Windows), so the kernel drops it when its process dies by any means; a lock
/// file left by a killed run is stale and simply taken over.
/// </summary>
public sealed class RunFolderLock : IDisposable
{
    /// <summary>The lock file's name; not part of a run's content (an otherwise empty folder counts as empty).</summary>
    public const string FileName = ".bottleneck.lock";

    private readonly FileStream stream;
    private readonly string path;

    private RunFolderLock(FileStream stream, string path)
    {
        this.stream = stream;
        this.path = path;
    }

    /// <summary>
    /// Takes the lock of <paramref name="directory"/> (creating the folder if needed) and deletes the
    /// temporary files that killed writers left there; refuses with one line if another process
    /// holds it.
    /// </summary>
    public static RunFolderLock Acquire(string directory)
    {
        string path = Path.Combine(directory, FileName);
        FileStream stream;
        try
        {
            Directory.CreateDirectory(directory);
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new BottleneckException($"{directory}: another training is writing into this run folder (it holds {FileName}); wait for it to finish or choose another --out", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BottleneckException($"{directory}: cannot use it as a run folder ({e.Message})", e);
        }
        var taken = new RunFolderLock(stream, path);
        try
        {
            // Who holds it, for a person looking into the folder.
            stream.SetLength(0);
            stream.Write(System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n"));
            stream.Flush();
            AtomicFile.DeleteLeftovers(directory);
        }
        catch
        {
            taken.Dispose();
            throw;
        }
        return taken;
    }

    /// <summary>
    /// Whether <paramref name="directory"/> holds nothing but what a killed training leaves before
    /// its first finished file (a lock file, temporary files): starting again there loses nothing.
    /// </summary>
    public static bool IsEmptyFolder(string directory) =>
        !Directory.Exists(directory) || Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).All(n => n == FileName || AtomicFile.IsTempName(n!));

    /// <summary>Removes the lock file, then lets go of the lock.</summary>
    public void Dispose()
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The folder went away or is read-only now: the OS lock still goes with the handle.
        }
        catch (UnauthorizedAccessException)
        {
        }
        stream.Dispose();
    }
}
