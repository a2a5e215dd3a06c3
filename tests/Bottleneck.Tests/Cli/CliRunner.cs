using System.Diagnostics;

namespace Bottleneck.Tests.Cli;

/// <summary>Runs the built `bottleneck` command as a real process: exit codes and stderr as a user sees them.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    private static readonly Lazy<string> dll = new(FindCli);

    public static Result Run(params string[] args) => Run(TimeSpan.FromMinutes(3), args);

    public static Result Run(TimeSpan timeout, params string[] args) => Run(timeout, null, args);

    /// <summary>Runs with extra environment variables (a null value removes one).</summary>
    public static Result Run(TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        using var process = Start(environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bottleneck {string.Join(' ', args)} did not finish in {timeout}");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    public static Process Start(params string[] args) => Start(null, args);

    public static Process Start(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll.Value);
        foreach (var a in args) info.ArgumentList.Add(a);
        // Keep the user's environment out of dataset resolution.
        info.Environment.Remove("BOTTLENECK_DATA");
        info.Environment.Remove("BOTTLENECK_CRASH_AT");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            info.Environment[name] = value;
        return Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
    }

    /// <summary>The run failed with <paramref name="exitCode"/> and one "bottleneck: error:" line holding <paramref name="containing"/>, no stack trace.</summary>
    public static string AssertOneLineError(Result r, int exitCode, string containing)
    {
        Assert.Equal(exitCode, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one error line, got:\n{r.Stderr}");
        Assert.StartsWith("bottleneck: error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(containing, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
        return lines[0];
    }

    /// <summary>The CLI built beside the tests: same configuration, found from the repository root.</summary>
    private static string FindCli()
    {
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory);
        string configuration = baseDir.Parent!.Name; // bin/<Configuration>/net10.0
        for (var dir = baseDir; dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "src", "Bottleneck.Cli", "bin", configuration, baseDir.Name, "bottleneck.dll");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"bottleneck.dll ({configuration}) not found above {AppContext.BaseDirectory}; build the solution first");
    }
}
