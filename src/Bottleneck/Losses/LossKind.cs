using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Bottleneck.Losses;

/// <summary>
/// How an output is compared with its target, summed over an item's values: "bce" for data in
/// [0, 1] and "mse" for any, the losses of <see cref="Models.Autoencoder"/>; "cross-entropy" over
/// the characters of a seq2seq model's text.
/// </summary>
[Description("loss")]
[JsonConverter(typeof(NamedEnumConverter<LossKind>))]
public enum LossKind
{
    /// <summary>Binary cross-entropy (the PyTorch tutorial's).</summary>
    Bce,

    /// <summary>Squared error.</summary>
    Mse,

    /// <summary>Cross-entropy of each next character (<see cref="Models.Seq2SeqAutoencoder"/>).</summary>
    CrossEntropy,
}
