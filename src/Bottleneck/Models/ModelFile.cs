using System.Text.Json;
using Bottleneck.IO;
using Bottleneck.Tensors;

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
    public static readonly NormalizationJson PixelScale = new() { Type = "scale", Offset = 0, Scale = 1.0 / 255, Description = "pixel / 255" };

    public static void Save(Autoencoder model, string directory, NormalizationJson? normalization = null,
        TrainingJson? training = null, MetricsJson? metrics = null)
    {
        Directory.CreateDirectory(directory);
        SafeTensorsFile.Write(Path.Combine(directory, WeightsName), model.StateDict());
        var json = new ModelJson
        {
            Format = ModelJson.FormatName,
            Version = ModelJson.CurrentVersion,
            Kind = model.Config.Kind,
            Architecture = new ArchitectureJson
            {
                InputSize = model.Config.InputSize,
                InputShape = model.Config.InputShape,
                Hidden = model.Config.Hidden,
                Latent = model.Config.Latent,
                Activation = model.Config.Activation,
                LatentActivation = model.Config.LatentActivation,
                OutputActivation = model.Config.OutputActivation,
            },
            Loss = model.Config.Loss,
            Normalization = normalization ?? PixelScale,
            Training = training,
            Metrics = metrics,
        };
        AtomicFile.Write(Path.Combine(directory, JsonName), s => JsonSerializer.Serialize(s, json, ModelJson.Options));
    }

    /// <summary>Loads a model from its run folder, or from its model.safetensors with model.json beside it.</summary>
    public static (Autoencoder Model, ModelJson Json) Load(string path)
    {
        string directory = Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        string weights = Directory.Exists(path) ? Path.Combine(path, WeightsName) : path;
        string jsonPath = Path.Combine(directory, JsonName);
        if (!File.Exists(weights)) throw new BottleneckException($"{weights}: no such model file; give a run folder or its {WeightsName}");
        if (!File.Exists(jsonPath)) throw new BottleneckException($"{jsonPath}: missing; a model needs its {JsonName} beside {WeightsName}");
        var json = ReadJson(jsonPath);
        var a = json.Architecture;
        var config = new AutoencoderConfig
        {
            Kind = json.Kind,
            InputSize = a.InputSize,
            InputShape = a.InputShape,
            Hidden = a.Hidden,
            Latent = a.Latent,
            Activation = a.Activation,
            LatentActivation = a.LatentActivation,
            OutputActivation = a.OutputActivation,
            Loss = json.Loss,
        };
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

    public static ModelJson ReadJson(string path)
    {
        ModelJson? json;
        try
        {
            using var stream = File.OpenRead(path);
            json = JsonSerializer.Deserialize<ModelJson>(stream, ModelJson.Options);
        }
        catch (JsonException e)
        {
            throw new BottleneckException($"{path}: not a valid model description ({FirstLine(e.Message)})");
        }
        if (json is null) throw new BottleneckException($"{path}: empty model description");
        if (json.Format != ModelJson.FormatName)
            throw new BottleneckException($"{path}: format is '{json.Format}', expected '{ModelJson.FormatName}'");
        if (json.Version > ModelJson.CurrentVersion)
            throw new BottleneckException($"{path}: version {json.Version} is newer than this Bottleneck reads ({ModelJson.CurrentVersion}); upgrade Bottleneck");
        return json;
    }

    private static string FirstLine(string s)
    {
        int i = s.IndexOfAny(['\r', '\n']);
        return i < 0 ? s : s[..i];
    }
}
