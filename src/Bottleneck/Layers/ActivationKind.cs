using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Bottleneck.Layers;

/// <summary>The activations a built-in kind's layers may use (<see cref="Activation.Create(ActivationKind)"/>), named as PyTorch's functions are.</summary>
[Description("activation")]
[JsonConverter(typeof(NamedEnumConverter<ActivationKind>))]
public enum ActivationKind
{
    Relu,

    [JsonStringEnumMemberName("leaky_relu")]
    LeakyRelu,

    Elu,
    Gelu,
    Tanh,
    Sigmoid,
    Softplus,

    /// <summary>No activation: the layer's output as it is (a linear code or output).</summary>
    None,
}
