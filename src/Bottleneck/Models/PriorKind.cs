using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Bottleneck.Models;

/// <summary>The distribution an adversarial autoencoder's codes are pushed towards (<see cref="LatentPrior"/>).</summary>
[Description("prior")]
[JsonConverter(typeof(NamedEnumConverter<PriorKind>))]
public enum PriorKind
{
    /// <summary>A standard normal.</summary>
    Gaussian,

    /// <summary>A mixture of normals on a circle in the first two dimensions.</summary>
    Mixture,

    /// <summary>Uniform on [−1, 1] in every dimension.</summary>
    Uniform,

    /// <summary>A one-hot cluster in the first dimensions and normal style values after them, for clustering.</summary>
    Categorical,
}
