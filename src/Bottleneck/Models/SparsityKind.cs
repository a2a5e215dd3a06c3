using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Bottleneck.Models;

/// <summary>How a sparse autoencoder keeps its code sparse.</summary>
[Description("sparsity")]
[JsonConverter(typeof(NamedEnumConverter<SparsityKind>))]
public enum SparsityKind
{
    /// <summary>An L1 penalty on the code's activations (<see cref="L1ActivityPenalty"/>).</summary>
    L1,

    /// <summary>Each code unit's mean activation pulled toward a target by a KL divergence (<see cref="KlSparsityPenalty"/>).</summary>
    Kl,
}
