using Bottleneck.Models;

namespace Bottleneck.Applications;

/// <summary>The image shape [C, H, W] of a model's items, for the applications that draw pictures.</summary>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    public int Size => Channels * Height * Width;

    /// <summary>The model's item shape, or a clear error naming <paramref name="what"/> when the model was trained on tables.</summary>
    public static ImageShape Of(Autoencoder model, string what)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Config.InputShape is [int c, int h, int w]) return new ImageShape(c, h, w);
        throw new BottleneckException($"{what} draws images, but this {model.Config.Kind.Name()} model was trained on a table of {model.Config.InputSize} features, not on images");
    }

    /// <summary>The model's item shape, or null for table models.</summary>
    public static ImageShape? TryOf(Autoencoder model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Config.InputShape is [int c, int h, int w] ? new ImageShape(c, h, w) : null;
    }
}
