using System.Diagnostics;

namespace Bottleneck.Tests.Cli;

/// <summary>Runs the built `bottleneck` command as a real process: exit codes and stderr as a user sees them.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    private static readonly Lazy<string> dll = new(FindCli);

    public static Result Run(params string[] args) => Run(TimeSpan.FromMinutes(3), args);

    public static Result Run(TimeSpan timeout, params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bottleneck {string.Join(' ', args)} did not finish in {timeout}");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    public static Process Start(params string[] args)
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
        return Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
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
