using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Bottleneck.Models;

/// <summary>The corruption a denoising autoencoder learns to undo (<see cref="Corruption"/>).</summary>
[Description("noise")]
[JsonConverter(typeof(NamedEnumConverter<NoiseKind>))]
public enum NoiseKind
{
    /// <summary>Gaussian noise of a standard deviation added to every value.</summary>
    Gaussian,

    /// <summary>A fraction of the values set to the low end.</summary>
    Mask,

    /// <summary>A fraction of the values set to the low or the high end, half each.</summary>
    SaltAndPepper,
}
