using Bottleneck.Formats;

namespace Bottleneck.Data;

/// <summary>
/// Loads MNIST (and Fashion-MNIST, which uses the same files and layout): 28×28 gray images with
/// labels 0-9, pixels scaled to [0, 1] by /255 like torchvision's ToTensor.
/// </summary>
public static class Mnist
{
    public const string TrainImages = "train-images-idx3-ubyte";
    public const string TrainLabels = "train-labels-idx1-ubyte";
    public const string TestImages = "t10k-images-idx3-ubyte";
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>The four files as they are published (gzip-compressed).</summary>
    public static IReadOnlyList<string> FileNames { get; } = [TrainImages + ".gz", TrainLabels + ".gz", TestImages + ".gz", TestLabels + ".gz"];

    public const int Side = 28;

    /// <summary>Loads the training and test sets from <paramref name="directory"/>.</summary>
    public static (Dataset Train, Dataset Test) Load(string directory, string name = "mnist")
    {
        // The test files decompress on another thread while the training files do on this one
        // (decompression is most of the load: about 140 ms for the training images alone).
        var test = Task.Run(() => LoadPair(directory, TestImages, TestLabels, name + "-test"));
        Dataset train;
        try
        {
            train = LoadPair(directory, TrainImages, TrainLabels, name + "-train");
        }
        catch
        {
            // Finish the other load before reporting this failure, which comes first as before.
            try { test.Wait(); } catch (AggregateException) { }
            throw;
        }
        return (train, test.GetAwaiter().GetResult());
    }

    /// <summary>The path of <paramref name="baseName"/> in <paramref name="directory"/>, with or without .gz; null if neither exists.</summary>
    public static string? FindFile(string directory, string baseName)
    {
        foreach (string candidate in new[] { baseName + ".gz", baseName })
        {
            string path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    private static Dataset LoadPair(string directory, string imagesName, string labelsName, string datasetName)
    {
        string imagesPath = FindFile(directory, imagesName) ?? throw Missing(directory, imagesName);
        string labelsPath = FindFile(directory, labelsName) ?? throw Missing(directory, labelsName);
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);
        if (images.Type != IdxType.UByte || images.Dimensions.Length != 3 || images.Dimensions[1] != Side || images.Dimensions[2] != Side)
            throw new BottleneckException($"{imagesPath}: expected unsigned-byte images of shape [N, {Side}, {Side}], found type {images.Type} with dimensions [{string.Join(", ", images.Dimensions)}]");
        if (labels.Type != IdxType.UByte || labels.Dimensions.Length != 1)
            throw new BottleneckException($"{labelsPath}: expected a 1-dimensional list of unsigned-byte labels, found type {labels.Type} with dimensions [{string.Join(", ", labels.Dimensions)}]");
        int count = images.Dimensions[0];
        if (labels.Dimensions[0] != count)
            throw new BottleneckException($"{imagesPath} has {count} images but {labelsPath} has {labels.Dimensions[0]} labels; the files do not belong together, download them again");

        var labelValues = new int[count];
        for (int i = 0; i < count; i++)
        {
            int label = labels.Data[i];
            if (label > 9)
                throw new BottleneckException($"{labelsPath}: label {i} is {label}, outside 0-9; the file is corrupt");
            labelValues[i] = label;
        }

        // Kept as bytes (a quarter of the memory of floats, and no conversion pass before the
        // first step): each batch is scaled to [0, 1] as it is gathered.
        return Dataset.FromPixels(datasetName, images.Data, count, Side * Side, labelValues, [1, Side, Side]);
    }

    private static BottleneckException Missing(string directory, string baseName) =>
        new($"{directory}: {baseName}.gz (or {baseName}) is missing; put the four MNIST files {string.Join(", ", FileNames)} there");
}
