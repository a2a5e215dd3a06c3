using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bottleneck.Models;

/// <summary>
/// The model kinds Bottleneck builds. On the command line, in model.json and in messages each is
/// written by its name (<see cref="ModelKinds.Name"/>: "beta-vae", "seq2seq"), never by its
/// member name or number.
/// </summary>
[JsonConverter(typeof(ModelKindJsonConverter))]
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

/// <summary>Reads and writes a kind as its name, so that an unknown name in model.json is an error that lists the known ones.</summary>
internal sealed class ModelKindJsonConverter : JsonConverter<ModelKind>
{
    public override ModelKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string? name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        if (name is not null && ModelKinds.TryParse(name, out var kind)) return kind;
        throw new JsonException($"unknown model kind {(name is null ? reader.TokenType.ToString() : $"'{name}'")}; expected one of {string.Join(", ", ModelKinds.AllNames)}");
    }

    public override void Write(Utf8JsonWriter writer, ModelKind value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Name());
}
