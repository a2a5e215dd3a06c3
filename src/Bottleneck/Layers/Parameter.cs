using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>A trainable tensor and its gradient, named as in a PyTorch state_dict ("weight", "bias").</summary>
public sealed class Parameter(string name, params int[] shape)
{
    public string Name { get; } = name;

    public Tensor Value { get; } = new(shape);

    public Tensor Grad { get; } = new(shape);
}
