namespace Bottleneck.Data;

/// <summary>
/// Loads a named image data set (one of <see cref="DatasetLocator.Names"/>) from the folder the
/// locator found, so that the commands that train on one or apply a model to one read it alike.
/// </summary>
public static class NamedDataset
{
    /// <summary>The training and test sets of <paramref name="name"/> in <paramref name="folder"/>.</summary>
    public static (Dataset Train, Dataset Test) Load(string name, string folder)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(folder);
        return name switch
        {
            // Its own loader: any canvas side, and the factors of each image.
            "dsprites" => DSprites.Load(folder),
            "mnist" or "fashion-mnist" => Mnist.Load(folder, name),
            _ => throw new BottleneckException($"unknown data set '{name}'; known data sets: {string.Join(", ", DatasetLocator.Names)}"),
        };
    }
}
