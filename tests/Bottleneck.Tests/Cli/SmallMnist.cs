using System.Buffers.Binary;
using Bottleneck.Data;
using Bottleneck.Formats;

namespace Bottleneck.Tests.Cli;

/// <summary>
/// A folder of MNIST's own first images and labels in its IDX format (uncompressed), small
/// enough that a test can train on it dozens of times.
/// </summary>
internal static class SmallMnist
{
    private static readonly Lazy<(IdxFile Images, IdxFile Labels)> train = new(() => Read(Mnist.TrainImages, Mnist.TrainLabels));
    private static readonly Lazy<(IdxFile Images, IdxFile Labels)> test = new(() => Read(Mnist.TestImages, Mnist.TestLabels));

    /// <summary>Writes the first <paramref name="trainCount"/> training and <paramref name="testCount"/> test items into <paramref name="folder"/>.</summary>
    public static string Write(string folder, int trainCount, int testCount)
    {
        Directory.CreateDirectory(folder);
        foreach (var (files, count, images, labels) in new[] { (train.Value, trainCount, Mnist.TrainImages, Mnist.TrainLabels), (test.Value, testCount, Mnist.TestImages, Mnist.TestLabels) })
        {
            File.WriteAllBytes(Path.Combine(folder, images), Idx(files.Images, count));
            File.WriteAllBytes(Path.Combine(folder, labels), Idx(files.Labels, count));
        }
        return folder;
    }

    private static (IdxFile, IdxFile) Read(string images, string labels) =>
        (IdxFile.Read(Path.Combine(SharedData.Mnist, images + ".gz")), IdxFile.Read(Path.Combine(SharedData.Mnist, labels + ".gz")));

    /// <summary>The first <paramref name="count"/> items of an unsigned-byte IDX file, as IDX bytes.</summary>
    private static byte[] Idx(IdxFile file, int count)
    {
        var dims = file.Dimensions.ToArray();
        int itemBytes = file.Data.Length / dims[0];
        dims[0] = count;
        var bytes = new byte[4 + 4 * dims.Length + count * itemBytes];
        bytes[2] = (byte)file.Type;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        file.Data.AsSpan(0, count * itemBytes).CopyTo(bytes.AsSpan(4 + 4 * dims.Length));
        return bytes;
    }
}
