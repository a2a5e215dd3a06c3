using System.Xml.Linq;

namespace Bottleneck.Tests.Cli;

/// <summary>`bottleneck --version` prints the package version set in Directory.Build.props, and nothing else.</summary>
public class VersionCommandTests
{
    [Fact]
    public void Version_option_prints_the_package_version_of_the_project_file()
    {
        string expected = ProjectVersion();
        Assert.Matches(@"^\d+\.\d+\.\d+", expected);

        var r = CliRunner.Run("--version");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("", r.Stderr);
        // Exactly the version: no commit hash appended, no other line.
        Assert.Equal(expected, r.Stdout.TrimEnd('\r', '\n'));
    }

    /// <summary>The &lt;Version&gt; of the repository's Directory.Build.props, found above the test's folder.</summary>
    private static string ProjectVersion()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string props = Path.Combine(dir.FullName, "Directory.Build.props");
            if (!File.Exists(props)) continue;
            var version = XDocument.Load(props).Descendants("Version").SingleOrDefault();
            Assert.True(version != null, $"{props} has no <Version>");
            return version.Value.Trim();
        }
        throw new FileNotFoundException($"Directory.Build.props not found above {AppContext.BaseDirectory}");
    }
}
