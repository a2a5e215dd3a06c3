using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Bottleneck.Models;

/// <summary>
/// The model kinds Bottleneck builds. On the command line, in model.json and in messages each is
/// written by its name (<see cref="NamedEnum"/>: "beta-vae", "seq2seq"), never by its member name
/// or number.
/// </summary>
[Description("model kind")]
[JsonConverter(typeof(NamedEnumConverter<ModelKind>))]
public enum ModelKind
{
    Vanilla,
    Deep,
    Conv,
    Denoising,
    Sparse,
    Contractive,
    Vae,
    BetaVae,
    InfoVae,
    FactorVae,
    TcVae,
    Aae,
    Lstm,
    Gru,
    Attention,

    /// <summary>Text: a character-level sequence-to-sequence model (<see cref="Seq2SeqAutoencoder"/>), not a kind of <see cref="Autoencoder"/>.</summary>
    Seq2Seq,

    /// <summary>A model of the user's own layers (<see cref="Autoencoder.FromLayers"/>), built in code rather than from training options.</summary>
    Custom,
}
