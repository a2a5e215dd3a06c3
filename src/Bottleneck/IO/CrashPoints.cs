using System.Diagnostics;
using System.Globalization;

namespace Bottleneck.IO;

/// <summary>
/// Deliberate kills at exact points of a file write, for the tests that prove a run killed
/// anywhere can be resumed. Every <see cref="AtomicFile.Write"/> passes two points: halfway
/// through writing its temporary file, and just after the rename. With the environment variable
/// BOTTLENECK_CRASH_AT=N the process kills itself (SIGKILL: no cleanup, no flush) at the Nth
/// point it reaches; BOTTLENECK_CRASH_AT=list prints each point to stderr instead, so a test can
/// count them. Unset, every check is one read of a static field.
/// </summary>
internal static class CrashPoints
{
    public const string Variable = "BOTTLENECK_CRASH_AT";

    private static readonly long target = ReadTarget(out listing);
    private static readonly bool listing;
    private static long reached;

    public static bool Armed => target > 0 || listing;

    /// <summary>Counts a point; at the chosen one <paramref name="beforeKill"/> runs and the process dies on the spot.</summary>
    public static void Reach(string what, string path, Action? beforeKill = null)
    {
        if (!Armed) return;
        long n = Interlocked.Increment(ref reached);
        if (listing)
        {
            Console.Error.WriteLine($"crash point {n}: {what} {Path.GetFileName(path)}");
            return;
        }
        if (n == target)
        {
            beforeKill?.Invoke();
            Console.Out.Flush();
            Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite); // the signal is on its way
        }
    }

    private static long ReadTarget(out bool list)
    {
        string? value = Environment.GetEnvironmentVariable(Variable);
        list = value == "list";
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : 0;
    }
}
