namespace Bottleneck.Tests;

/// <summary>
/// Finds the read-only shared/ folder (datasets, fixtures) that sits beside the repository, by walking
/// up from the test binaries: the repository may be cloned anywhere, CI included.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string> root = new(FindRoot);

    /// <summary>The shared/ folder.</summary>
    public static string Root => root.Value;

    /// <summary>The folder holding the four MNIST .gz files.</summary>
    public static string Mnist => Path.Combine(Root, "datasets", "mnist");

    /// <summary>A torch-parity fixture, by file name (".safetensors" may be left out).</summary>
    public static string Fixture(string name)
    {
        if (!name.EndsWith(".safetensors", StringComparison.Ordinal)) name += ".safetensors";
        return Path.Combine(Root, "fixtures", "torch-parity", name);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            foreach (string candidate in new[] { Path.Combine(dir.FullName, "shared"), Path.Combine(dir.FullName, "..", "shared") })
            {
                if (Directory.Exists(Path.Combine(candidate, "datasets")))
                    return Path.GetFullPath(candidate);
            }
        }
        throw new DirectoryNotFoundException($"no shared/ folder with datasets/ found above {AppContext.BaseDirectory}");
    }
}
