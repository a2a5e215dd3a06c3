using Bottleneck.Data;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Data;

public class DatasetLocatorTests
{
    private static void Fill(string folder, bool gz = true)
    {
        Directory.CreateDirectory(folder);
        foreach (string f in Mnist.FileNames) File.WriteAllBytes(Path.Combine(folder, gz ? f : f[..^3]), [1]);
    }

    private static Stream Offline(Uri uri, CancellationToken cancel) => throw new HttpRequestException($"no route to {uri.Host}");

    private static Func<string, string?> Env(TempDir dir, string? data = null) =>
        v => v switch
        {
            "XDG_CACHE_HOME" => dir.File("cache"),
            DatasetLocator.EnvironmentVariable => data,
            _ => null,
        };

    [Fact]
    public void ExplicitFolderComesFirst()
    {
        using var dir = new TempDir();
        Fill(dir.File("explicit"), gz: false);
        Fill(dir.File("env/mnist"));
        var locator = new DatasetLocator(Offline, Env(dir, dir.File("env")));
        Assert.Equal(dir.File("explicit"), locator.Locate("mnist", dir.File("explicit")));
        Assert.Equal(Path.Combine(dir.File("env"), "mnist"), locator.Locate("mnist"));
    }

    [Fact]
    public void ExplicitFolderMissingFilesAreListed()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("d"));
        File.WriteAllBytes(Path.Combine(dir.File("d"), Mnist.FileNames[0]), [1]);
        var e = Assert.Throws<BottleneckException>(() => new DatasetLocator(Offline, Env(dir)).Locate("mnist", dir.File("d")));
        Assert.DoesNotContain(Mnist.FileNames[0], e.Message);
        foreach (string f in Mnist.FileNames.Skip(1)) Assert.Contains(f, e.Message);
        Assert.Contains("does not exist", Assert.Throws<BottleneckException>(() => new DatasetLocator(Offline, Env(dir)).Locate("mnist", dir.File("nope"))).Message);
    }

    [Fact]
    public void EnvironmentRootThenCache()
    {
        using var dir = new TempDir();
        Fill(dir.File("envroot"));
        var locator = new DatasetLocator(Offline, Env(dir, dir.File("envroot")));
        Assert.Equal(dir.File("envroot"), locator.Locate("mnist"));
        string cache = Path.Combine(dir.File("cache"), "bottleneck", "fashion-mnist");
        Fill(cache);
        Assert.Equal(cache, new DatasetLocator(Offline, Env(dir)).Locate("fashion-mnist"));
    }

    [Fact]
    public void RealEnvironmentVariableIsRead()
    {
        using var dir = new TempDir();
        Fill(Path.Combine(dir.Path, "mnist"));
        string? saved = Environment.GetEnvironmentVariable(DatasetLocator.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(DatasetLocator.EnvironmentVariable, dir.Path);
            Assert.Equal(Path.Combine(dir.Path, "mnist"), new DatasetLocator(Offline).Locate("mnist"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(DatasetLocator.EnvironmentVariable, saved);
        }
    }

    [Fact]
    public void OfflineGivesOneLineNamingFilesAndFolders()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<BottleneckException>(() => new DatasetLocator(Offline, Env(dir)).Locate("mnist"));
        Assert.DoesNotContain('\n', e.Message);
        foreach (string f in Mnist.FileNames) Assert.Contains(f, e.Message);
        Assert.Contains("--data DIR", e.Message);
        Assert.Contains("$BOTTLENECK_DATA/mnist", e.Message);
        Assert.Contains(Path.Combine(dir.File("cache"), "bottleneck", "mnist"), e.Message);
        Assert.Contains("no route", e.Message);
        Assert.False(Directory.Exists(Path.Combine(dir.File("cache"), "bottleneck", "mnist")) && Directory.GetFiles(Path.Combine(dir.File("cache"), "bottleneck", "mnist")).Length > 0);
    }

    [Fact]
    public void DownloadsIntoTheCacheWithChecksums()
    {
        using var dir = new TempDir();
        var asked = new List<Uri>();
        // The first mirror fails, the second serves the real files from shared/.
        Stream Serve(Uri uri, CancellationToken cancel)
        {
            asked.Add(uri);
            if (uri.Host.StartsWith("ossci", StringComparison.Ordinal)) throw new HttpRequestException("503");
            return File.OpenRead(Path.Combine(SharedData.Mnist, Path.GetFileName(uri.AbsolutePath)));
        }
        string folder = new DatasetLocator(Serve, Env(dir)).Locate("mnist");
        Assert.Equal(Path.Combine(dir.File("cache"), "bottleneck", "mnist"), folder);
        Assert.Equal(8, asked.Count);
        Assert.Equal("https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz", asked[0].ToString());
        Assert.Equal(4, Directory.GetFiles(folder).Length);
        Assert.Equal(new FileInfo(Path.Combine(SharedData.Mnist, Mnist.FileNames[3])).Length, new FileInfo(Path.Combine(folder, Mnist.FileNames[3])).Length);
    }

    [Fact]
    public void WrongChecksumIsRejected()
    {
        using var dir = new TempDir();
        Stream Tampered(Uri uri, CancellationToken cancel) => new MemoryStream([1, 2, 3]);
        var e = Assert.Throws<BottleneckException>(() => new DatasetLocator(Tampered, Env(dir)).Locate("mnist"));
        Assert.Contains("SHA-256", e.Message);
        Assert.Contains("rejected", e.Message);
        string cache = Path.Combine(dir.File("cache"), "bottleneck", "mnist");
        Assert.Empty(Directory.Exists(cache) ? Directory.GetFiles(cache) : []); // nothing half-written stays
    }

    [Fact]
    public void UnknownNameIsAClearError()
    {
        using var dir = new TempDir();
        Assert.Contains("known data sets", Assert.Throws<BottleneckException>(() => new DatasetLocator(Offline, Env(dir)).Locate("cifar")).Message);
    }
}
