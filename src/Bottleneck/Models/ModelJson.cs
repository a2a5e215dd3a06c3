using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bottleneck.Models;

/// <summary>
/// The schema of model.json: everything besides the weights that is needed to rebuild and use a
/// model (architecture, loss, input normalisation) and to know how it was trained.
/// </summary>
public sealed record ModelJson
{
    public const string FormatName = "bottleneck-model";
    public const int CurrentVersion = 1;

    public required string Format { get; init; }

    public required int Version { get; init; }

    public required ModelKind Kind { get; init; }

    public required ArchitectureJson Architecture { get; init; }

    public required Losses.LossKind Loss { get; init; }

    public ObjectiveJson? Objective { get; init; }

    public required NormalizationJson Normalization { get; init; }

    /// <summary>Time series: how the rows of a CSV file became the model's items (windows).</summary>
    public WindowsJson? Windows { get; init; }

    /// <summary>seq2seq: the characters of the model's vocabulary, in token-id order from id 3.</summary>
    public string[]? Vocabulary { get; init; }

    public TrainingJson? Training { get; init; }

    public MetricsJson? Metrics { get; init; }

    internal static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

public sealed record ArchitectureJson
{
    public required int InputSize { get; init; }

    public int[]? InputShape { get; init; }

    public required int[] Hidden { get; init; }

    public required int Latent { get; init; }

    public required string Activation { get; init; }

    public required string LatentActivation { get; init; }

    public required string OutputActivation { get; init; }

    /// <summary>Conv models: channels of each strided convolution, input side first.</summary>
    public int[]? Channels { get; init; }

    /// <summary>Conv models: kernel size.</summary>
    public int? Kernel { get; init; }

    public bool BatchNorm { get; init; }

    /// <summary>AAE: batch normalisation of the encoder's output (written only when on).</summary>
    public bool? CodeBatchNorm { get; init; }

    public double Dropout { get; init; }

    /// <summary>Sequence kinds: steps per item (the window length).</summary>
    public int? Steps { get; init; }

    /// <summary>Attention: heads of each self-attention layer.</summary>
    public int? Heads { get; init; }

    /// <summary>Custom models: the encoder's layers, input side first.</summary>
    public IReadOnlyList<LayerSpec>? EncoderLayers { get; init; }

    /// <summary>Custom models: the decoder's layers, code side first.</summary>
    public IReadOnlyList<LayerSpec>? DecoderLayers { get; init; }

    /// <summary>seq2seq: size of each character's embedding.</summary>
    public int? Embedding { get; init; }

    /// <summary>seq2seq: the longest sequence the decoder writes, in characters.</summary>
    public int? MaxLength { get; init; }
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

/// <summary>What the kind adds to plain reconstruction: corruption, a penalty or the KL weight. Only the kind's own fields are written.</summary>
public sealed record ObjectiveJson
{
    public NoiseKind? Noise { get; init; }

    public double? NoiseLevel { get; init; }

    public SparsityKind? Sparsity { get; init; }

    public double? SparsityWeight { get; init; }

    public double? SparsityTarget { get; init; }

    public double? ContractiveWeight { get; init; }

    public double? Beta { get; init; }

    /// <summary>InfoVAE: the weight λ of the MMD term.</summary>
    public double? MmdWeight { get; init; }

    /// <summary>FactorVAE: γ of the discriminator's TC estimate; β-TCVAE: β of the KL's TC part.</summary>
    public double? TcWeight { get; init; }

    /// <summary>AAE: the prior of the codes (gaussian, mixture, uniform).</summary>
    public PriorKind? Prior { get; init; }

    /// <summary>AAE with a mixture prior: its components.</summary>
    public int? PriorComponents { get; init; }

    /// <summary>AAE with a mixture prior: true when each code was pushed towards the component of its item's label.</summary>
    public bool? PriorLabels { get; init; }

    /// <summary>AAE: true when trained in phases (reconstruction, discriminators, generator), each with its own optimizer.</summary>
    public bool? AdversarialPhases { get; init; }

    /// <summary>AAE: the weight λ of the adversarial penalty.</summary>
    public double? AdversarialWeight { get; init; }
}

/// <summary>How raw input values become model inputs: x' = (x − offset) · scale per feature or for all.</summary>
public sealed record NormalizationJson
{
    /// <summary>
    /// "scale": one offset and scale for every value (MNIST: pixel/255, applied by the image
    /// loaders); "minmax" or "standard": per-feature <see cref="Offsets"/> and <see cref="Scales"/>
    /// fitted on the training data; "none".
    /// </summary>
    public required string Type { get; init; }

    /// <summary>The values <see cref="Type"/> may take.</summary>
    public static readonly string[] Types = ["scale", "none", "minmax", "standard"];

    public double Offset { get; init; }

    public double Scale { get; init; } = 1;

    public float[]? Offsets { get; init; }

    public float[]? Scales { get; init; }

    public string? Description { get; init; }

    /// <summary>The per-feature scaler to apply to raw tabular data, or null for image data and "none".</summary>
    public Data.FeatureScaler? FeatureScaler()
    {
        if (Type is not ("minmax" or "standard")) return null;
        if (Offsets is null || Scales is null || Offsets.Length != Scales.Length)
            throw new BottleneckException($"{Type} normalisation needs offsets and scales of equal length");
        return Data.FeatureScaler.FromParameters(Data.FeatureScaler.ParseKind(Type), Offsets, Scales);
    }

    /// <summary>The description of a fitted per-feature scaler.</summary>
    public static NormalizationJson From(Data.FeatureScaler scaler) => scaler.Kind == Data.ScalerKind.None
        ? new NormalizationJson { Type = "none", Description = "values used as they are" }
        : new NormalizationJson
        {
            Type = scaler.KindName,
            Offsets = scaler.Offset,
            Scales = scaler.Scale,
            Description = $"{scaler.KindName} per feature, fitted on the training data: (x − offset) · scale",
        };
}

public sealed record TrainingJson
{
    public required string Dataset { get; init; }

    /// <summary>Epochs asked for.</summary>
    public required int Epochs { get; init; }

    /// <summary>Epochs finished when the file was written.</summary>
    public required int EpochsDone { get; init; }

    public required int BatchSize { get; init; }

    public required double LearningRate { get; init; }

    public double WeightDecay { get; init; }

    public required string Optimizer { get; init; }

    public required bool Shuffle { get; init; }

    public required ulong Seed { get; init; }

    public required int Threads { get; init; }

    public string? InitWeights { get; init; }

    public int CheckpointEvery { get; init; } = 1;

    /// <summary>seq2seq: the largest gradient norm per sequence a step takes (null: no clipping).</summary>
    public double? ClipNorm { get; init; }

    /// <summary>seq2seq: how the learning rate changes over the run, "constant" or "cosine" (null: constant).</summary>
    public string? LrSchedule { get; init; }

    /// <summary>Only the first this many training items were used (null: all).</summary>
    public int? Limit { get; init; }

    /// <summary>
    /// Where the training data was read from (absolute: a dataset's folder, or a table file), so
    /// that a resumed run reads the same data without being told again.
    /// </summary>
    public string? DataPath { get; init; }

    /// <summary>Tables: the separate test file, when one was given.</summary>
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
