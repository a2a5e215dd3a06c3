using System.IO.Compression;

namespace Bottleneck.Data;

/// <summary>TEMPORARY minimal MNIST reader, replaced by the io branch.</summary>
public static class Mnist
{
    public static (Dataset Train, Dataset Test) Load(string directory) =>
        (Read(directory, "train"), Read(directory, "t10k"));

    private static Dataset Read(string dir, string prefix)
    {
        var images = Bytes(Path.Combine(dir, prefix + "-images-idx3-ubyte.gz"));
        var labels = Bytes(Path.Combine(dir, prefix + "-labels-idx1-ubyte.gz"));
        int n = (images[4] << 24) | (images[5] << 16) | (images[6] << 8) | images[7];
        var f = new float[n * 784];
        for (int i = 0; i < f.Length; i++) f[i] = images[16 + i] / 255f;
        return new Dataset(prefix, f, n, 784, labels.Skip(8).Select(b => (int)b).ToArray(), [1, 28, 28]);
    }

    private static byte[] Bytes(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }
}
