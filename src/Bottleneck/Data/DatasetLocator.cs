using System.Security.Cryptography;
using Bottleneck.IO;

namespace Bottleneck.Data;

/// <summary>Fetches one URL; throws on any failure. Injectable so tests never touch the network.</summary>
public delegate Stream Downloader(Uri uri, CancellationToken cancel);

/// <summary>
/// Finds the folder holding a named data set ("mnist", "fashion-mnist", "dsprites"), in this order:
/// an explicit <c>--data</c> folder, <c>$BOTTLENECK_DATA/NAME</c>, <c>$BOTTLENECK_DATA</c>, the user
/// cache (<c>$XDG_CACHE_HOME/bottleneck/NAME</c> or <c>~/.cache/bottleneck/NAME</c>), and finally, for
/// MNIST only, a download into that cache, checked against known SHA-256 sums so a tampered or
/// damaged mirror cannot feed us wrong data. dSprites is generated here, never downloaded.
/// </summary>
public sealed class DatasetLocator
{
    public const string EnvironmentVariable = "BOTTLENECK_DATA";

    /// <summary>SHA-256 of the canonical MNIST .gz files.</summary>
    public static readonly IReadOnlyDictionary<string, string> MnistSha256 = new Dictionary<string, string>
    {
        ["train-images-idx3-ubyte.gz"] = "0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971",
        ["train-labels-idx1-ubyte.gz"] = "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        ["t10k-images-idx3-ubyte.gz"] = "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        ["t10k-labels-idx1-ubyte.gz"] = "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    };

    public static readonly IReadOnlyList<Uri> MnistMirrors =
    [
        new("https://ossci-datasets.s3.amazonaws.com/mnist/"),
        new("https://storage.googleapis.com/cvdf-datasets/mnist/"),
    ];

    /// <summary>Data sets this locator knows.</summary>
    public static IReadOnlyList<string> Names { get; } = ["mnist", "fashion-mnist", "dsprites"];

    private readonly Downloader download;
    private readonly Func<string, string?> environment;
    private readonly TimeSpan timeout;

    /// <param name="download">Fetches a URL; defaults to HTTP. Tests pass a fake.</param>
    /// <param name="environment">Reads an environment variable; defaults to the process environment.</param>
    /// <param name="timeout">Limit for downloading one file.</param>
    public DatasetLocator(Downloader? download = null, Func<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        this.download = download ?? HttpDownload;
        this.environment = environment ?? Environment.GetEnvironmentVariable;
        this.timeout = timeout ?? TimeSpan.FromMinutes(5);
    }

    /// <summary>The cache folder for <paramref name="name"/> (it may not exist yet).</summary>
    public string CacheFolder(string name)
    {
        string? xdg = environment("XDG_CACHE_HOME");
        string cache = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "bottleneck", name);
    }

    /// <summary>The folder holding the files of <paramref name="name"/>, downloading MNIST if needed.</summary>
    public string Locate(string name, string? explicitFolder = null)
    {
        if (!Names.Contains(name))
            throw new BottleneckException($"unknown data set '{name}'; known data sets: {string.Join(", ", Names)}");

        if (explicitFolder != null)
        {
            if (HasAll(name, explicitFolder)) return explicitFolder;
            string nested = Path.Combine(explicitFolder, name);
            if (HasAll(name, nested)) return nested;
            var missing = Missing(name, explicitFolder);
            string which = $"{string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} missing";
            throw new BottleneckException(!Directory.Exists(explicitFolder) ? $"--data {explicitFolder}: the folder does not exist"
                : name == DSpritesName ? $"--data {explicitFolder}: {which}; {CreateDSprites}"
                : $"--data {explicitFolder}: {which} (each may also be uncompressed, without .gz)");
        }

        string? root = environment(EnvironmentVariable);
        if (!string.IsNullOrEmpty(root))
        {
            foreach (string candidate in new[] { Path.Combine(root, name), root })
                if (HasAll(name, candidate)) return candidate;
        }

        string cacheFolder = CacheFolder(name);
        if (HasAll(name, cacheFolder)) return cacheFolder;

        string where = $"put them in a folder given with --data DIR, in ${EnvironmentVariable}/{name}, or in {cacheFolder}";
        if (name == DSpritesName)
            throw new BottleneckException($"dsprites: the files {string.Join(", ", DSprites.FileNames)} were not found (it is generated, not downloaded); {CreateDSprites}, then give --data DIR, or write them into ${EnvironmentVariable}/{name} or {cacheFolder}");
        if (name != "mnist")
            throw new BottleneckException($"{name}: the files {string.Join(", ", Mnist.FileNames)} were not found and this data set is not downloaded automatically; {where}");
        DownloadMnist(cacheFolder, where);
        return cacheFolder;
    }

    private const string DSpritesName = "dsprites";

    private const string CreateDSprites = "create them with bottleneck data dsprites --out DIR";

    private static bool HasAll(string name, string folder) => Directory.Exists(folder) && Missing(name, folder).Count == 0;

    /// <summary>MNIST's files may be gzip-compressed or not; a dSprites folder needs its seven files as written, the factors included.</summary>
    private static List<string> Missing(string name, string folder) => name == DSpritesName
        ? [.. DSprites.FileNames.Where(f => !File.Exists(Path.Combine(folder, f)))]
        : [.. Mnist.FileNames.Where(f => Mnist.FindFile(folder, f[..^3]) == null)];

    private void DownloadMnist(string folder, string where)
    {
        foreach (string file in Missing("mnist", folder))
        {
            var problems = new List<string>();
            bool done = false;
            foreach (var mirror in MnistMirrors)
            {
                var uri = new Uri(mirror, file);
                try
                {
                    Fetch(uri, Path.Combine(folder, file), MnistSha256[file]);
                    done = true;
                    break;
                }
                catch (ChecksumException e)
                {
                    problems.Add(e.Message);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    problems.Add($"{uri.Host}: {(e is OperationCanceledException ? "timed out" : e.Message)}");
                }
            }
            if (!done)
                throw new BottleneckException($"mnist: could not download {file} ({string.Join("; ", problems)}); the files {string.Join(", ", Mnist.FileNames)} are needed: {where}");
        }
    }

    private sealed class ChecksumException(string message) : Exception(message);

    /// <summary>Downloads into a temporary file, checking the SHA-256 before the file takes its final name.</summary>
    private void Fetch(Uri uri, string path, string expectedSha256)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var source = download(uri, cancel.Token);
        AtomicFile.Write(path, target =>
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            int n;
            while ((n = source.ReadAsync(buffer, cancel.Token).AsTask().GetAwaiter().GetResult()) > 0)
            {
                sha.AppendData(buffer, 0, n);
                target.Write(buffer, 0, n);
            }
            string actual = Convert.ToHexStringLower(sha.GetHashAndReset());
            if (actual != expectedSha256)
                throw new ChecksumException($"{uri}: SHA-256 {actual} does not match the expected {expectedSha256}; the download was rejected");
        });
    }

    private static readonly Lazy<HttpClient> Http = new(() => new HttpClient { Timeout = Timeout.InfiniteTimeSpan });

    private static Stream HttpDownload(Uri uri, CancellationToken cancel)
    {
        var response = Http.Value.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancel).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
        return response.Content.ReadAsStream(cancel);
    }
}
