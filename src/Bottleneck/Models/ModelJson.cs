using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Bottleneck.Training;

namespace Bottleneck.Models;

/// <summary>
/// The schema of model.json: everything besides the weights that is needed to rebuild and use a
/// model (its configuration, input normalisation) and to know how it was trained. The
/// configuration is written as it is: an autoencoder's <see cref="AutoencoderConfig"/> under
/// "model", a seq2seq model's <see cref="Seq2SeqConfig"/> under "text", every setting by its
/// property's name in snake case and every choice by its name; so is the fit's
/// <see cref="FitOptions"/> under "training", with the run's data and progress under "run".
/// Older files are read through <see cref="ModelJsonVersion1"/> (the architecture and the kind's
/// objective in sections of their own) and <see cref="ModelJsonVersion2"/> (the fit's settings and
/// the run's facts in one "training" section).
/// </summary>
public sealed record ModelJson
{
    public const string FormatName = "bottleneck-model";
    public const int CurrentVersion = 3;

    public required string Format { get; init; }

    public required int Version { get; init; }

    /// <summary>The kind, also the model's own for an autoencoder: it says which of <see cref="Model"/> and <see cref="Text"/> the file holds.</summary>
    public required ModelKind Kind { get; init; }

    /// <summary>An autoencoder's configuration (every kind but seq2seq).</summary>
    public AutoencoderConfig? Model { get; init; }

    /// <summary>A seq2seq model's configuration, its vocabulary with it.</summary>
    public Seq2SeqConfig? Text { get; init; }

    public required NormalizationJson Normalization { get; init; }

    /// <summary>Time series: how the rows of a CSV file became the model's items (windows).</summary>
    public WindowsJson? Windows { get; init; }

    /// <summary>The settings of the fit, the trainer's own record (<see cref="FitOptions"/>) as it was given.</summary>
    public FitOptions? Training { get; init; }

    /// <summary>What the run read and how far it got.</summary>
    public RunJson? Run { get; init; }

    public MetricsJson? Metrics { get; init; }

    internal static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { EverySettingRequired } },
    };

    /// <summary>
    /// A model file lists every setting of its configuration, so one left out is a broken file
    /// rather than a default; only the settings that may be null (an input shape, a custom
    /// model's layers, a fit's patience) may be missing. A setting added in a later version is
    /// filled in by the upgrade of the older files.
    /// </summary>
    private static void EverySettingRequired(JsonTypeInfo info)
    {
        if (info.Type != typeof(AutoencoderConfig) && info.Type != typeof(Seq2SeqConfig) && info.Type != typeof(FitOptions)) return;
        var nullability = new NullabilityInfoContext();
        foreach (var property in info.Properties)
            if (property.Set is not null && property.AttributeProvider is PropertyInfo p && nullability.Create(p).ReadState != NullabilityState.Nullable)
                property.IsRequired = true;
    }
}

/// <summary>
/// How a CSV time series is cut into items: windows of <see cref="Length"/> rows,
/// <see cref="Stride"/> rows apart, never across a change of <see cref="GroupColumn"/>; each step
/// holds the <see cref="Variables"/> columns, scaled per variable by the model's normalisation.
/// </summary>
public sealed record WindowsJson
{
    public required int Length { get; init; }

    public required int Stride { get; init; }

    public required string[] Variables { get; init; }

    public string? GroupColumn { get; init; }

    public string? LabelColumn { get; init; }
}

/// <summary>How raw input values become model inputs: x' = (x − offset) · scale per feature or for all.</summary>
public sealed record NormalizationJson
{
    /// <summary>
    /// Scale: one <see cref="Offset"/> and <see cref="Scale"/> for every value (MNIST: pixel/255,
    /// applied by the image loaders); minmax or standard: per-feature <see cref="Offsets"/> and
    /// <see cref="Scales"/> fitted on the training data; none.
    /// </summary>
    public required NormalizationKind Type { get; init; }

    public double Offset { get; init; }

    public double Scale { get; init; } = 1;

    public float[]? Offsets { get; init; }

    public float[]? Scales { get; init; }

    public string? Description { get; init; }

    /// <summary>The per-feature scaler to apply to raw tabular data, or null for image data and "none".</summary>
    public Data.FeatureScaler? FeatureScaler()
    {
        if (Type is not (NormalizationKind.Minmax or NormalizationKind.Standard)) return null;
        if (Offsets is null || Scales is null || Offsets.Length != Scales.Length)
            throw new BottleneckException($"{Type.Name()} normalisation needs offsets and scales of equal length");
        return Data.FeatureScaler.FromParameters(Type == NormalizationKind.Minmax ? Data.ScalerKind.MinMax : Data.ScalerKind.Standard, Offsets, Scales);
    }

    /// <summary>The description of a fitted per-feature scaler.</summary>
    public static NormalizationJson From(Data.FeatureScaler scaler) => scaler.Kind == Data.ScalerKind.None
        ? new NormalizationJson { Type = NormalizationKind.None, Description = "values used as they are" }
        : new NormalizationJson
        {
            Type = scaler.Kind == Data.ScalerKind.MinMax ? NormalizationKind.Minmax : NormalizationKind.Standard,
            Offsets = scaler.Offset,
            Scales = scaler.Scale,
            Description = $"{scaler.KindName} per feature, fitted on the training data: (x − offset) · scale",
        };
}

/// <summary>
/// What a run read and how far it got: the facts model.json keeps beside the settings of its fit
/// (<see cref="ModelJson.Training"/>), so that a resumed run reads the same data without being told again.
/// </summary>
public sealed record RunJson
{
    /// <summary>The data set's name (mnist, dsprites) or its file's name.</summary>
    public required string Dataset { get; init; }

    /// <summary>Epochs finished when the file was written.</summary>
    public required int EpochsDone { get; init; }

    public required int Threads { get; init; }

    /// <summary>Weights the run started from instead of its initialisation (null: none).</summary>
    public string? InitWeights { get; init; }

    /// <summary>Only the first this many training items were used (null: all).</summary>
    public int? Limit { get; init; }

    /// <summary>Where the training data was read from (absolute: a dataset's folder, or a table file).</summary>
    public string? DataPath { get; init; }

    /// <summary>The separate test file, when one was given.</summary>
    public string? TestDataPath { get; init; }

    /// <summary>Tables: the label column, when one was given.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>Tables: the feature columns, when they were chosen.</summary>
    public string[]? FeatureColumns { get; init; }
}

public sealed record MetricsJson
{
    public double? TrainLoss { get; init; }

    public double? TestLoss { get; init; }

    /// <summary>The reconstruction part of the test loss, when the kind adds a penalty to it.</summary>
    public double? TestReconstruction { get; init; }

    /// <summary>The penalty part of the test loss (a VAE's β·KL, a sparsity or contractive term).</summary>
    public double? TestPenalty { get; init; }

    public double? Seconds { get; init; }

    /// <summary>seq2seq: the share of test sequences that greedy decoding writes back exactly.</summary>
    public double? TestExactMatch { get; init; }

    /// <summary>Figures that show what the kind does (PSNR, code sparsity, Jacobian norm), by name.</summary>
    public Dictionary<string, double>? Diagnostics { get; init; }
}
