using System.Text.Json;
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
    public static readonly NormalizationJson PixelScale = new() { Type = "scale", Offset = 0, Scale = 1.0 / 255, Description = "pixel / 255" };

    public static void Save(Autoencoder model, string directory, NormalizationJson? normalization = null,
        TrainingJson? training = null, MetricsJson? metrics = null, WindowsJson? windows = null)
    {
        Directory.CreateDirectory(directory);
        SafeTensorsFile.Write(Path.Combine(directory, WeightsName), model.StateDict());
        var json = Describe(model.Config) with
        {
            Normalization = normalization ?? PixelScale,
            Windows = windows,
            Training = training,
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
    public static ModelJson Describe(AutoencoderConfig c)
    {
        bool conv = c.IsConvolutional;
        return new ModelJson
        {
            Format = ModelJson.FormatName,
            Version = ModelJson.CurrentVersion,
            Kind = c.Kind,
            Architecture = new ArchitectureJson
            {
                InputSize = c.InputSize,
                InputShape = c.InputShape,
                Hidden = c.Hidden,
                Latent = c.Latent,
                Activation = c.Activation,
                LatentActivation = c.LatentActivation,
                OutputActivation = c.OutputActivation,
                Channels = conv ? c.Channels : null,
                Kernel = conv ? c.Kernel : null,
                BatchNorm = c.BatchNorm,
                CodeBatchNorm = c.CodeBatchNorm ? true : null,
                Dropout = c.Dropout,
                Steps = ModelKinds.IsSequence(c.Kind) ? c.Steps : null,
                Heads = c.Kind == ModelKind.Attention ? c.Heads : null,
                EncoderLayers = c.EncoderLayers,
                DecoderLayers = c.DecoderLayers,
            },
            Loss = c.Loss,
            Objective = c.Kind switch
            {
                ModelKind.Denoising => new ObjectiveJson { Noise = c.Noise, NoiseLevel = c.NoiseLevel },
                ModelKind.Sparse => new ObjectiveJson
                {
                    Sparsity = c.Sparsity,
                    SparsityWeight = c.SparsityWeight,
                    SparsityTarget = c.Sparsity == SparsityKind.Kl ? c.SparsityTarget : null,
                },
                ModelKind.Contractive => new ObjectiveJson { ContractiveWeight = c.ContractiveWeight },
                ModelKind.Vae or ModelKind.BetaVae => new ObjectiveJson { Beta = c.Beta },
                ModelKind.InfoVae => new ObjectiveJson { Beta = c.Beta, MmdWeight = c.MmdWeight },
                ModelKind.FactorVae or ModelKind.TcVae => new ObjectiveJson { TcWeight = c.TcWeight },
                ModelKind.Aae => new ObjectiveJson
                {
                    Prior = c.Prior,
                    PriorComponents = c.Prior is PriorKind.Mixture or PriorKind.Categorical ? c.PriorComponents : null,
                    PriorLabels = c.PriorLabels ? true : null,
                    AdversarialPhases = c.AdversarialPhases ? true : null,
                    AdversarialWeight = c.AdversarialWeight,
                },
                _ => null,
            },
            Normalization = PixelScale,
        };
    }

    /// <summary>The configuration model.json describes; fields it leaves out take the kind's defaults.</summary>
    public static AutoencoderConfig ToConfig(ModelJson json)
    {
        var a = json.Architecture;
        var o = json.Objective ?? new ObjectiveJson();
        AutoencoderConfig defaults;
        try
        {
            defaults = ModelKinds.Defaults(json.Kind);
        }
        catch (BottleneckException)
        {
            defaults = new AutoencoderConfig { Kind = json.Kind }; // Validate names the bad kind.
        }
        return defaults with
        {
            InputSize = a.InputSize,
            InputShape = a.InputShape,
            Hidden = a.Hidden,
            Latent = a.Latent,
            Activation = a.Activation,
            LatentActivation = a.LatentActivation,
            OutputActivation = a.OutputActivation,
            Channels = a.Channels ?? defaults.Channels,
            Kernel = a.Kernel ?? defaults.Kernel,
            BatchNorm = a.BatchNorm,
            CodeBatchNorm = a.CodeBatchNorm ?? false,
            Dropout = a.Dropout,
            Steps = a.Steps ?? 0,
            Heads = a.Heads ?? defaults.Heads,
            EncoderLayers = a.EncoderLayers,
            DecoderLayers = a.DecoderLayers,
            Loss = json.Loss,
            Noise = o.Noise ?? defaults.Noise,
            NoiseLevel = o.NoiseLevel ?? defaults.NoiseLevel,
            Sparsity = o.Sparsity ?? defaults.Sparsity,
            SparsityWeight = o.SparsityWeight ?? defaults.SparsityWeight,
            SparsityTarget = o.SparsityTarget ?? defaults.SparsityTarget,
            ContractiveWeight = o.ContractiveWeight ?? defaults.ContractiveWeight,
            Beta = o.Beta ?? defaults.Beta,
            MmdWeight = o.MmdWeight ?? defaults.MmdWeight,
            TcWeight = o.TcWeight ?? defaults.TcWeight,
            Prior = o.Prior ?? defaults.Prior,
            PriorComponents = o.PriorComponents ?? defaults.PriorComponents,
            PriorLabels = o.PriorLabels ?? false,
            AdversarialPhases = o.AdversarialPhases ?? false,
            AdversarialWeight = o.AdversarialWeight ?? defaults.AdversarialWeight,
        };
    }

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
        if (!NormalizationJson.Types.Contains(json.Normalization.Type))
            throw new BottleneckException($"{path}: unknown normalization type '{json.Normalization.Type}'; expected one of {string.Join(", ", NormalizationJson.Types)}");
        return json;
    }

    private static string FirstLine(string s)
    {
        int i = s.IndexOfAny(['\r', '\n']);
        return i < 0 ? s : s[..i];
    }
}
