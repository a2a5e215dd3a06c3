using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Bottleneck.Tests.Reports;

/// <summary>
/// Runs a real headless Chromium (Debian's <c>chromium</c> package, which .ci/run installs) to
/// load a page and dump its DOM after the load event, so tests see what a browser makes of a report.
/// </summary>
internal static partial class Chromium
{
    private static readonly Lazy<string?> executable = new(Find);

    /// <summary>The browser binary: $BOTTLENECK_CHROMIUM, else chromium or chromium-browser on the PATH; null when none.</summary>
    public static string? Executable => executable.Value;

    public const string MissingReason = "chromium was not found: install Debian's chromium (apt-get install chromium) or point BOTTLENECK_CHROMIUM at a Chromium binary; .ci/run installs it, so CI runs this test";

    private static string? Find()
    {
        string? configured = Environment.GetEnvironmentVariable("BOTTLENECK_CHROMIUM");
        if (!string.IsNullOrEmpty(configured)) return File.Exists(configured) ? configured : null;
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string name in new[] { "chromium", "chromium-browser" })
            {
                string candidate = Path.Combine(folder, name);
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

    /// <summary>
    /// Loads <paramref name="htmlPath"/> and returns the serialised DOM. The browser gets a
    /// throw-away profile (so runs never share state or lock each other out) and is killed, with
    /// its child processes, if it has not finished within <paramref name="timeout"/>.
    /// </summary>
    public static string DumpDom(string htmlPath, TimeSpan timeout)
    {
        string browser = Executable ?? throw new InvalidOperationException(MissingReason);
        string profile = Path.Combine(Path.GetTempPath(), "bottleneck-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        var start = new ProcessStartInfo(browser)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start.
        // --disable-dev-shm-usage: containers often have a tiny /dev/shm, which crashes renderers.
        foreach (string arg in new[]
        {
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
            "--user-data-dir=" + profile, "--dump-dom", new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri,
        })
        {
            start.ArgumentList.Add(arg);
        }
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {browser}");
            // Both pipes are drained concurrently: Chromium logs a lot on stderr, and a full pipe would stall it.
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                Assert.Fail($"{browser} did not finish loading {htmlPath} within {timeout.TotalSeconds} s and was killed; stderr: {Tail(stderr)}");
            }
            process.WaitForExit(); // lets the output readers reach the end of the streams
            string dom = stdout.Result;
            if (process.ExitCode != 0 || !dom.Contains("<html", StringComparison.OrdinalIgnoreCase))
                Assert.Fail($"{browser} exited with {process.ExitCode} and no DOM for {htmlPath}; stderr: {Tail(stderr)}");
            return dom;
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // A straggling child may still hold a file; the folder is in the temp folder anyway.
            }
        }
    }

    /// <summary>The value of <paramref name="attribute"/> on the meta element named <paramref name="name"/> in a dumped DOM.</summary>
    public static string? MetaAttribute(string dom, string name, string attribute)
    {
        foreach (Match meta in MetaElement().Matches(dom))
        {
            if (Attribute(meta.Value, "name") != name) continue;
            return Attribute(meta.Value, attribute);
        }
        return null;
    }

    private static string? Attribute(string element, string attribute)
    {
        var match = Regex.Match(element, "\\s" + Regex.Escape(attribute) + "=\"([^\"]*)\"");
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex("<meta\\b[^>]*>")]
    private static partial Regex MetaElement();

    private static string Tail(Task<string> stderr)
    {
        string text = stderr.Wait(TimeSpan.FromSeconds(5)) ? stderr.Result : "(unavailable)";
        return text.Length > 2000 ? text[^2000..] : text;
    }
}

/// <summary>A fact that needs Chromium; skipped, saying why, where it is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.Executable == null) Skip = Chromium.MissingReason;
    }
}
