using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bottleneck.Models;

/// <summary>
/// Reads the model.json of Bottleneck's first format, so that models saved before version 2 keep
/// loading. Version 1 split the configuration into "architecture" (sizes and activations),
/// "loss" and "objective" (only the kind's own settings) and kept a seq2seq model's vocabulary
/// at the top; the settings it left out were the kind's defaults. <see cref="Upgrade"/> rewrites
/// such a file into version 2's shape, the settings under "model" (or "text"), and
/// <see cref="ModelJsonVersion2"/> takes it from there.
/// </summary>
internal static class ModelJsonVersion1
{
    /// <summary>The architecture's settings version 1 always wrote; one missing is a broken file.</summary>
    private static readonly string[] RequiredArchitecture = ["input_size", "hidden", "latent", "activation", "latent_activation", "output_activation"];

    /// <summary>Rewrites a version 1 file in place into version 2; a missing or misshapen part is a <see cref="JsonException"/>.</summary>
    public static void Upgrade(JsonObject root)
    {
        var architecture = Take(root, "architecture") as JsonObject ?? throw new JsonException("missing required property 'architecture'");
        var kindNode = root["kind"] ?? throw new JsonException("missing required property 'kind'");
        var kind = kindNode.Deserialize<ModelKind>(ModelJson.Options);
        var loss = Take(root, "loss") ?? throw new JsonException("missing required property 'loss'");
        foreach (var name in RequiredArchitecture)
            if (!architecture.ContainsKey(name)) throw new JsonException($"missing required property 'architecture.{name}'");
        if (kind == ModelKind.Seq2Seq)
        {
            root["text"] = new JsonObject
            {
                ["vocabulary"] = Take(root, "vocabulary") ?? throw new JsonException("missing required property 'vocabulary'"),
                ["embedding"] = Take(architecture, "embedding") ?? throw new JsonException("missing required property 'architecture.embedding'"),
                ["hidden"] = architecture["hidden"] is JsonArray { Count: 1 } hidden ? hidden[0]!.DeepClone() : throw new JsonException("a seq2seq model has one hidden size"),
                ["latent"] = Take(architecture, "latent"),
                ["max_length"] = Take(architecture, "max_length") ?? Data.TextLines.MaxLength,
            };
        }
        else
        {
            // The kind's defaults, then every setting the file has over them.
            var defaults = kind == ModelKind.Custom ? new AutoencoderConfig { Kind = kind } : ModelKinds.Defaults(kind);
            var model = JsonSerializer.SerializeToNode(defaults, ModelJson.Options)!.AsObject();
            model["input_shape"] = null; // written only when the items were images
            foreach (var (name, value) in architecture) model[name] = value?.DeepClone();
            // Version 1 wrote the hidden activations as one comma list, "relu" or "relu,tanh".
            if (architecture["activation"] is JsonValue list && list.TryGetValue<string>(out var names))
                model["activation"] = new JsonArray([.. names.Split(',', StringSplitOptions.TrimEntries).Select(n => (JsonNode?)JsonValue.Create(n))]);
            if (Take(root, "objective") is JsonObject objective)
                foreach (var (name, value) in objective)
                    if (value is not null) model[name] = value.DeepClone();
            model["loss"] = loss;
            root["model"] = model;
        }
        root.Remove("objective");
        root["version"] = 2;
    }

    private static JsonNode? Take(JsonObject parent, string name)
    {
        var node = parent[name];
        parent.Remove(name);
        return node;
    }
}
