using System.Text.Json;
using System.Text.Json.Nodes;
using Bottleneck.Formats;
using Bottleneck.IO;

namespace Bottleneck.Models;

/// <summary>
/// A model on disk: model.safetensors (weights with PyTorch state_dict names) beside model.json
/// (everything else). Both are written atomically, weights first, so a crash never leaves a
/// model.json that points at missing or half-written weights.
/// </summary>
public static class ModelFile
{
    public const string WeightsName = "model.safetensors";
    public const string JsonName = "model.json";

    /// <summary>The normalisation of 8-bit images: value / 255.</summary>
    public static readonly NormalizationJson PixelScale = new() { Type = NormalizationKind.Scale, Offset = 0, Scale = 1.0 / 255, Description = "pixel / 255" };

    public static void Save(Autoencoder model, string directory, NormalizationJson? normalization = null,
        Training.FitOptions? training = null, RunJson? run = null, MetricsJson? metrics = null, WindowsJson? windows = null)
    {
        Directory.CreateDirectory(directory);
        SafeTensorsFile.Write(Path.Combine(directory, WeightsName), model.StateDict());
        var json = Describe(model.Config) with
        {
            Normalization = normalization ?? PixelScale,
            Windows = windows,
            Training = training,
            Run = run,
            Metrics = metrics,
        };
        AtomicFile.Write(Path.Combine(directory, JsonName), s => JsonSerializer.Serialize(s, json, ModelJson.Options));
    }

    /// <summary>model.json's text for a description (what <see cref="Save"/> writes beside the weights).</summary>
    public static string ToJsonText(ModelJson json) => JsonSerializer.Serialize(json, ModelJson.Options);

    /// <summary>The folder of a model given as its run folder or as its model.safetensors.</summary>
    public static string DirectoryOf(string path) => Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";

    /// <summary>Loads a model from its run folder, or from its model.safetensors with model.json beside it.</summary>
    public static (Autoencoder Model, ModelJson Json) Load(string path)
    {
        string directory = DirectoryOf(path);
        string weights = Directory.Exists(path) ? Path.Combine(path, WeightsName) : path;
        string jsonPath = Path.Combine(directory, JsonName);
        if (!File.Exists(weights)) throw new BottleneckException($"{weights}: no such model file; give a run folder or its {WeightsName}");
        if (!File.Exists(jsonPath)) throw new BottleneckException($"{jsonPath}: missing; a model needs its {JsonName} beside {WeightsName}");
        var json = ReadJson(jsonPath);
        if (json.Kind == ModelKind.Seq2Seq)
            throw new BottleneckException($"{directory}: a seq2seq model of text; encode, decode, reconstruct and anomaly apply it to a text file (--data FILE), this command does not");
        var config = ToConfig(json);
        Autoencoder model;
        try
        {
            model = new Autoencoder(config);
        }
        catch (BottleneckException e)
        {
            throw new BottleneckException($"{jsonPath}: {e.Message}");
        }
        model.LoadStateDict(SafeTensorsFile.Read(weights).Tensors, weights);
        return (model, json);
    }

    /// <summary>model.json's description of a configuration (normalisation left as pixel / 255).</summary>
    public static ModelJson Describe(AutoencoderConfig c) => new()
    {
        Format = ModelJson.FormatName,
        Version = ModelJson.CurrentVersion,
        Kind = c.Kind,
        Model = c,
        Normalization = PixelScale,
    };

    /// <summary>The autoencoder's configuration that model.json holds.</summary>
    public static AutoencoderConfig ToConfig(ModelJson json) =>
        json.Model ?? throw new BottleneckException($"a {json.Kind.Name()} model has no autoencoder configuration");

    public static ModelJson ReadJson(string path)
    {
        if (!File.Exists(path)) throw new BottleneckException($"{path}: missing; a model or run folder needs its {JsonName}");
        return InputFile.Read(path, stream => Parse(stream, path));
    }

    /// <summary>Reads a model description from its text (as kept in a checkpoint); <paramref name="source"/> names it in errors.</summary>
    public static ModelJson ParseJson(string text, string source) =>
        Parse(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), source);

    private static ModelJson Parse(Stream stream, string path)
    {
        ModelJson? json;
        try
        {
            if (JsonNode.Parse(stream) is not JsonObject root) throw new BottleneckException($"{path}: not a model description (no JSON object)");
            if (root["format"] is not JsonValue format || !format.TryGetValue<string>(out var name) || name != ModelJson.FormatName)
                throw new BottleneckException($"{path}: format is '{root["format"]?.ToJsonString()}', expected '{ModelJson.FormatName}'");
            int version = root["version"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : 0;
            if (version > ModelJson.CurrentVersion)
                throw new BottleneckException($"{path}: version {version} is newer than this Bottleneck reads ({ModelJson.CurrentVersion}); upgrade Bottleneck");
            if (version == 1) ModelJsonVersion1.Upgrade(root);
            if (version is 1 or 2) ModelJsonVersion2.Upgrade(root);
            else if (version != ModelJson.CurrentVersion)
                throw new BottleneckException($"{path}: " + (root["version"] is { } given ? $"version {given.ToJsonString()} is not a version of {ModelJson.FormatName}" : "no version"));
            json = root.Deserialize<ModelJson>(ModelJson.Options);
        }
        catch (JsonException e)
        {
            throw new BottleneckException($"{path}: not a valid model description ({FirstLine(e.Message)})");
        }
        if (json is null) throw new BottleneckException($"{path}: empty model description");
        bool text = json.Kind == ModelKind.Seq2Seq;
        if (text ? json.Text is null || json.Model is not null : json.Text is not null || json.Model is null)
            throw new BottleneckException($"{path}: a {json.Kind.Name()} model is described under \"{(text ? "text" : "model")}\" alone");
        if (json.Model is { } model && model.Kind != json.Kind)
            throw new BottleneckException($"{path}: the file says kind {json.Kind.Name()} but its model says {model.Kind.Name()}");
        return json;
    }

    private static string FirstLine(string s)
    {
        int i = s.IndexOfAny(['\r', '\n']);
        return i < 0 ? s : s[..i];
    }
}
