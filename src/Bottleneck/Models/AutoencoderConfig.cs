using Bottleneck.Layers;

namespace Bottleneck.Models;

/// <summary>
/// The architecture of a dense autoencoder. The defaults are the classic tutorial model:
/// 784-400-20 with ReLU hidden layers, a linear code and a sigmoid output, trained with BCE.
/// </summary>
public sealed record AutoencoderConfig
{
    /// <summary>Model kind, as named on the command line.</summary>
    public string Kind { get; init; } = "vanilla";

    /// <summary>Values per input item (784 for MNIST).</summary>
    public int InputSize { get; init; } = 784;

    /// <summary>Shape of one item as channels, height, width, when the items are images; used for pictures.</summary>
    public int[]? InputShape { get; init; } = [1, 28, 28];

    /// <summary>Hidden layer widths from the input towards the code; the decoder mirrors them.</summary>
    public int[] Hidden { get; init; } = [400];

    /// <summary>Size of the code (the bottleneck).</summary>
    public int Latent { get; init; } = 20;

    /// <summary>Activation after each hidden layer.</summary>
    public string Activation { get; init; } = "relu";

    /// <summary>Activation on the code; "none" gives the tutorial's linear code.</summary>
    public string LatentActivation { get; init; } = "none";

    /// <summary>Activation on the reconstruction; sigmoid suits data in [0, 1].</summary>
    public string OutputActivation { get; init; } = "sigmoid";

    /// <summary>Reconstruction loss: "bce" or "mse", summed over the values of an item.</summary>
    public string Loss { get; init; } = "bce";

    /// <summary>Checks every field and throws a <see cref="BottleneckException"/> naming the first bad one.</summary>
    public void Validate()
    {
        if (InputSize < 1) throw new BottleneckException($"input size must be positive, got {InputSize}");
        if (Latent < 1) throw new BottleneckException($"latent size must be positive, got {Latent}");
        if (Hidden is null || Hidden.Any(h => h < 1))
            throw new BottleneckException($"hidden layer sizes must be positive, got [{string.Join(",", Hidden ?? [])}]");
        if (InputShape is not null && InputShape.Aggregate(1L, (a, b) => a * b) != InputSize)
            throw new BottleneckException($"input shape [{string.Join(",", InputShape)}] does not hold {InputSize} values");
        foreach (var name in new[] { Activation, LatentActivation, OutputActivation })
            _ = Layers.Activation.Create(name);
        _ = Losses.Loss.Create(Loss);
        if (Kind != "vanilla" && Kind != "deep")
            throw new BottleneckException($"unknown model kind '{Kind}'; this version builds: vanilla, deep");
    }
}
