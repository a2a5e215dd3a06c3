using Bottleneck.Applications;
using Bottleneck.Data;
using Bottleneck.Export;
using Bottleneck.Layers;
using Bottleneck.Losses;
using Bottleneck.Models;
using Bottleneck.Tensors;
using Bottleneck.Training;
using Bottleneck.Tests;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace Bottleneck.Onnx.Tests;

/// <summary>
/// Each kind, briefly trained so that batch norm's running statistics and the weights are not
/// their initial values (one of them a model of the user's own layers), exported and run by ONNX Runtime on the raw MNIST test set (pixels
/// 0–255): its code, log-variance, reconstruction and score equal Bottleneck's to 1e-5.
/// </summary>
public sealed class OnnxExportTests(ITestOutputHelper output)
{
    private static readonly Lazy<(Dataset Train, Dataset Test)> mnist = new(() =>
    {
        var (train, test) = Mnist.Load(SharedData.Mnist);
        return (train.Slice(0, 1000), test);
    });

    public static TheoryData<string> Cases => new(CaseConfigs.Keys.Append(CustomCase));

    private static readonly Dictionary<string, AutoencoderConfig> CaseConfigs = new()
    {
        ["vanilla"] = ModelKinds.Defaults(ModelKind.Vanilla),
        ["deep, tanh and elu, batch norm, dropout, mse"] = ModelKinds.Defaults(ModelKind.Deep) with
        {
            Hidden = [64, 32],
            Latent = 8,
            Activation = [ActivationKind.Tanh, ActivationKind.Elu],
            BatchNorm = true,
            Dropout = 0.2,
        },
        ["deep, gelu and leaky relu, softplus code, linear output"] = ModelKinds.Defaults(ModelKind.Deep) with
        {
            Hidden = [64, 32],
            Latent = 8,
            Activation = [ActivationKind.Gelu, ActivationKind.LeakyRelu],
            LatentActivation = ActivationKind.Softplus,
            OutputActivation = ActivationKind.None,
        },
        ["conv"] = ModelKinds.Defaults(ModelKind.Conv),
        ["conv, kernel 5, batch norm"] = ModelKinds.Defaults(ModelKind.Conv) with { Channels = [8, 16], Kernel = 5, BatchNorm = true },
        ["denoising"] = ModelKinds.Defaults(ModelKind.Denoising) with { Hidden = [128] },
        ["sparse, kl"] = ModelKinds.Defaults(ModelKind.Sparse) with { Sparsity = SparsityKind.Kl, LatentActivation = ActivationKind.Sigmoid, Hidden = [128] },
        ["contractive"] = ModelKinds.Defaults(ModelKind.Contractive) with { Hidden = [128] },
        ["vae"] = ModelKinds.Defaults(ModelKind.Vae),
        ["info-vae"] = ModelKinds.Defaults(ModelKind.InfoVae) with { Hidden = [128] },
        ["factor-vae"] = ModelKinds.Defaults(ModelKind.FactorVae) with { Hidden = [128] },
        ["tc-vae"] = ModelKinds.Defaults(ModelKind.TcVae) with { Hidden = [128] },
        ["aae, mixture prior"] = ModelKinds.Defaults(ModelKind.Aae) with { Hidden = [128], Prior = PriorKind.Mixture },
        ["aae, categorical prior"] = ModelKinds.Defaults(ModelKind.Aae) with { Hidden = [128], Prior = PriorKind.Categorical, PriorComponents = 16 },
        ["aae, categorical prior in phases, code batch norm"] = ModelKinds.Defaults(ModelKind.Aae) with
        {
            Hidden = [128],
            Prior = PriorKind.Categorical,
            PriorComponents = 16,
            AdversarialPhases = true,
            CodeBatchNorm = true,
        },
        ["beta-vae, batch norm"] = ModelKinds.Defaults(ModelKind.BetaVae) with { Hidden = [128, 64], BatchNorm = true },
    };

    private const string CustomCase = "custom layers: tanh, batch norm, dropout, elu, leaky relu 0.3";

    /// <summary>A model of the user's own layers (<see cref="Autoencoder.FromLayers"/>), with a layer of every kind a custom model may hold.</summary>
    private static Autoencoder CustomLayers()
    {
        var init = new Rng(7);
        var encoder = new Layers.Sequential([new Layers.Linear(784, 64, init), new Layers.Tanh(), new Layers.BatchNorm1d(64),
            new Layers.Dropout(0.1, new Rng(8)), new Layers.Linear(64, 32, init), new Layers.ELU(0.5f), new Layers.Linear(32, 10, init)]);
        var decoder = new Layers.Sequential([new Layers.Linear(10, 64, init), new Layers.LeakyReLU(0.3f), new Layers.Linear(64, 784, init), new Layers.Sigmoid()]);
        return Autoencoder.FromLayers(784, encoder, decoder, loss: LossKind.Bce, inputShape: [1, 28, 28]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OnnxRuntimeMatchesBottleneckOnTheMnistTestSet(string name)
    {
        var (train, test) = mnist.Value;
        var model = name == CustomCase ? CustomLayers() : new Autoencoder(CaseConfigs[name], seed: 7);
        Trainer.Fit(model, train, new FitOptions { Epochs = 1, BatchSize = 100 });
        var bytes = OnnxExport.ToBytes(model, ModelFile.PixelScale);

        var raw = Array.ConvertAll(test.Features, v => MathF.Round(v * 255));
        var outputs = OnnxRuntimeSession.Run(bytes, raw, test.Count, test.FeatureCount);
        var x = new Tensor(test.Count, test.FeatureCount);
        test.CopyRows(0, test.Count, x);
        int latent = model.Config.Latent;
        Assert.Equal([test.Count, latent], outputs[OnnxExport.CodeName].Shape);
        Assert.Equal([test.Count], outputs[OnnxExport.ScoreName].Shape);

        var worst = new List<string>
        {
            Compare(model.Encode(x).Span, outputs, OnnxExport.CodeName),
            Compare(model.Reconstruct(x).Span, outputs, OnnxExport.ReconstructionName),
            Compare(Array.ConvertAll(AnomalyScores.ReconstructionErrors(model, test), s => (float)s), outputs, OnnxExport.ScoreName),
        };
        if (ModelKinds.IsVariational(model.Config.Kind))
        {
            var distribution = model.EncodeDistribution(x);
            var logVariance = new float[test.Count * latent];
            for (int i = 0; i < test.Count; i++) distribution.Row(i).Slice(latent, latent).CopyTo(logVariance.AsSpan(i * latent));
            worst.Add(Compare(logVariance, outputs, OnnxExport.LogVarianceName));
        }
        else
        {
            Assert.False(outputs.ContainsKey(OnnxExport.LogVarianceName));
        }
        output.WriteLine($"{name}: {bytes.Length} bytes; largest differences {string.Join(", ", worst)}");
    }

    [Fact]
    public void TheBatchSizeIsFreeAndEachItemIndependent()
    {
        var test = mnist.Value.Test;
        var model = new Autoencoder(ModelKinds.Defaults(ModelKind.Conv), seed: 3);
        var bytes = OnnxExport.ToBytes(model, ModelFile.PixelScale);
        var raw = Array.ConvertAll(test.Slice(0, 5).Features, v => MathF.Round(v * 255));
        var five = OnnxRuntimeSession.Run(bytes, raw, 5, 784);
        var one = OnnxRuntimeSession.Run(bytes, raw[(3 * 784)..(4 * 784)], 1, 784);
        Assert.Equal(five[OnnxExport.CodeName].Values.AsSpan(3 * 20, 20).ToArray(), one[OnnxExport.CodeName].Values);
        Assert.Equal([1, 784], one[OnnxExport.ReconstructionName].Shape);
    }

    [Fact]
    public void TheFileSaysWhatItIs()
    {
        var model = new Autoencoder(ModelKinds.Defaults(ModelKind.Vae));
        using var session = new InferenceSession(OnnxExport.ToBytes(model, ModelFile.PixelScale));
        Assert.Equal([OnnxExport.InputName], session.InputNames);
        Assert.Equal([-1, 784], session.InputMetadata[OnnxExport.InputName].Dimensions);
        Assert.Equal([OnnxExport.CodeName, OnnxExport.LogVarianceName, OnnxExport.ReconstructionName, OnnxExport.ScoreName], session.OutputNames);
        Assert.Equal("bottleneck", session.ModelMetadata.ProducerName);
        Assert.Equal("vae", session.ModelMetadata.CustomMetadataMap["bottleneck.kind"]);
        Assert.Equal("pixel / 255", session.ModelMetadata.CustomMetadataMap["bottleneck.normalization"]);
    }

    /// <summary>
    /// A table model: raw rows of a real data set (ionosphere radar returns, ADBench) go in and the
    /// graph applies the per-feature scaler fitted on the training part, as model.json records it.
    /// </summary>
    [Theory]
    [InlineData("standard")]
    [InlineData("minmax")]
    public void TableRowsAreNormalisedInsideTheGraph(string scaling)
    {
        var (raw, scaler, scaled, model) = IonosphereModel.Train(scaling, epochs: 3, seed: 5);
        var bytes = OnnxExport.ToBytes(model, NormalizationJson.From(scaler));
        var outputs = OnnxRuntimeSession.Run(bytes, raw.Features, raw.Count, raw.FeatureCount);
        var x = new Tensor(scaled.Count, scaled.FeatureCount);
        scaled.CopyRows(0, scaled.Count, x);
        Compare(model.Encode(x).Span, outputs, OnnxExport.CodeName);
        Compare(model.Reconstruct(x).Span, outputs, OnnxExport.ReconstructionName);
        Compare(Array.ConvertAll(AnomalyScores.ReconstructionErrors(model, scaled), s => (float)s), outputs, OnnxExport.ScoreName);
    }

    private static string Compare(ReadOnlySpan<float> expected, Dictionary<string, (float[] Values, long[] Shape)> outputs, string name) =>
        $"{name} {Tolerance.AssertClose(expected, outputs[name].Values, name):E1}";
}
