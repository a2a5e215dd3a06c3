using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>A trainable tensor and its gradient, named as in a PyTorch state_dict ("weight", "bias").</summary>
public sealed class Parameter(string name, params int[] shape)
{
    public string Name { get; private set; } = name;

    /// <summary>
    /// Puts a submodule's name in front ("weight" becomes "linear1.weight"), called once by a layer
    /// that builds its own sublayers, so that its parameters carry the state_dict names PyTorch
    /// gives a module's children (nn.TransformerEncoderLayer's "self_attn.out_proj.weight").
    /// </summary>
    internal void PrefixName(string prefix) => Name = prefix + Name;

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
