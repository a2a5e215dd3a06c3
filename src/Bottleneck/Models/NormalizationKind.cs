using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Bottleneck.Models;

/// <summary>How a model's raw input values become its inputs (<see cref="NormalizationJson"/>).</summary>
[Description("normalization type")]
[JsonConverter(typeof(NamedEnumConverter<NormalizationKind>))]
public enum NormalizationKind
{
    /// <summary>One offset and scale for every value (pixel / 255, applied by the image loaders).</summary>
    Scale,

    /// <summary>Values used as they are.</summary>
    None,

    /// <summary>Per feature to [0, 1] over the training data's range.</summary>
    Minmax,

    /// <summary>Per feature to mean 0 and standard deviation 1 over the training data.</summary>
    Standard,
}
