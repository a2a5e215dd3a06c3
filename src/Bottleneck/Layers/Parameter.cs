using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>A trainable tensor and its gradient, named as in a PyTorch state_dict ("weight", "bias").</summary>
public sealed class Parameter(string name, params int[] shape)
{
    public string Name { get; } = name;

    public Tensor Value { get; } = new(shape);

    public Tensor Grad { get; } = new(shape);

    /// <summary>
    /// Set by the layer that wrote the whole gradient when it saw every value finite as it wrote
    /// them (a GEMM epilogue checks each tile while it is in L1), so the trainer's check need not
    /// read the gradient again. Whoever adds to the gradient afterwards clears it; the trainer
    /// clears it once read, so it never outlives one step.
    /// </summary>
    internal bool GradientKnownFinite { get; set; }
}
