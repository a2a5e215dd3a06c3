using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Bottleneck.MLNet;

/// <summary>
/// ML.NET transforms that apply a model exported by `bottleneck export` (ONNX): a column of raw
/// feature vectors in (pixels 0–255 or table rows in their own units; the graph normalises them
/// as the model was trained), its anomaly score and code out.
/// </summary>
public static class BottleneckTransforms
{
    /// <summary>The exported graph's input and outputs, as ML.NET columns while the pipeline runs.</summary>
    public const string OnnxInput = "input";
    public const string OnnxScore = "score";
    public const string OnnxCode = "code";

    /// <summary>
    /// Scores each row of <paramref name="featuresColumnName"/> (a float vector as long as the
    /// model's input) with the exported model: adds <paramref name="scoreColumnName"/> (a Single:
    /// the reconstruction loss, higher is more anomalous, ready for ML.NET's evaluators) and
    /// <paramref name="codeColumnName"/> (the latent code, a VAE's μ). With a
    /// <paramref name="threshold"/>, also PredictedLabel: true where the score is above it (the
    /// anomaly command's thresholds are such scores, e.g. a percentile of the training items').
    /// </summary>
    /// <remarks>
    /// ONNX outputs reach ML.NET as vectors, the score as one of length 1; a custom mapping makes
    /// it a scalar. To save a fitted pipeline, register this assembly first:
    /// <c>mlContext.ComponentCatalog.RegisterAssembly(typeof(BottleneckTransforms).Assembly)</c>.
    /// </remarks>
    public static IEstimator<ITransformer> ScoreWithBottleneck(this TransformsCatalog transforms, string onnxModelPath,
        string featuresColumnName = "Features", string scoreColumnName = "Score", string codeColumnName = "Code", float? threshold = null)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        if (!File.Exists(onnxModelPath))
            throw new FileNotFoundException($"{onnxModelPath}: no such ONNX model; write one with `bottleneck export`", onnxModelPath);
        if (threshold is { } t && !float.IsFinite(t)) throw new ArgumentOutOfRangeException(nameof(threshold), t, "the threshold must be a finite score");
        var scoring = transforms.CopyColumns(OnnxInput, featuresColumnName)
            .Append(transforms.ApplyOnnxModel([OnnxScore, OnnxCode], [OnnxInput], onnxModelPath))
            .Append(transforms.CustomMapping(new ScalarScoreFactory().GetMapping(), ScalarScoreFactory.ContractName))
            .Append(transforms.CopyColumns(scoreColumnName, ScalarScore.Column))
            .Append(transforms.CopyColumns(codeColumnName, OnnxCode))
            .Append(transforms.DropColumns(OnnxInput, OnnxScore, OnnxCode, ScalarScore.Column));
        if (threshold is not { } limit) return scoring;
        return scoring.Append(transforms.Expression(PredictedLabel, $"s => s > {limit.ToString("R", CultureInfo.InvariantCulture)}", scoreColumnName));
    }

    /// <summary>The column of anomaly flags when a threshold is given (ML.NET's name for a binary prediction).</summary>
    public const string PredictedLabel = "PredictedLabel";
}

/// <summary>The exported model's score as ML.NET sees it: a vector of one value per row.</summary>
public sealed class OnnxScoreRow
{
    [ColumnName(BottleneckTransforms.OnnxScore)]
    [VectorType(1)]
    public float[] Score { get; set; } = [];
}

/// <summary>The score as a scalar column.</summary>
public sealed class ScalarScore
{
    public const string Column = "bottleneck_score";

    [ColumnName(Column)]
    public float Value { get; set; }
}

/// <summary>The one-value vector to scalar mapping, under a contract name so that saved pipelines can be loaded again.</summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class ScalarScoreFactory : CustomMappingFactory<OnnxScoreRow, ScalarScore>
{
    public const string ContractName = "Bottleneck.ScalarScore";

    public override Action<OnnxScoreRow, ScalarScore> GetMapping() => (input, output) => output.Value = input.Score[0];
}
