using System.Reflection;
using Bottleneck.IO;
using Bottleneck.Layers;
using Bottleneck.Losses;
using Bottleneck.Models;

namespace Bottleneck.Export;

/// <summary>
/// Writes a trained autoencoder as an ONNX model (opset 17) that any ONNX runtime can run: raw
/// values go in (pixels 0–255, table rows in their own units, or windows of a series, normalised
/// inside the graph as model.json says), and out come the code, the reconstruction and each
/// item's anomaly score. Seq2seq text models have their own graph: <see cref="OnnxSeq2SeqExport"/>.
/// Inference only: dropout is left out and batch norm uses its running statistics, as in
/// <see cref="Autoencoder.Reconstruct"/>.
/// </summary>
/// <remarks>
/// Graph inputs and outputs, the batch dimension free ("batch"):
/// <list type="bullet">
/// <item><c>input</c> [batch, input size]: raw values.</item>
/// <item><c>code</c> [batch, latent]: the code (a VAE's μ).</item>
/// <item><c>log_variance</c> [batch, latent]: a VAE's log σ² (variational kinds only).</item>
/// <item><c>reconstruction</c> [batch, input size]: the decoder's output for the code, in the model's (normalised) units.</item>
/// <item><c>score</c> [batch]: the reconstruction loss of each item against its normalised input, the anomaly command's "error" score.</item>
/// </list>
/// </remarks>
public static class OnnxExport
{
    /// <summary>The operator set the graph is written for (ONNX 1.12, IR version 8).</summary>
    public const int Opset = 17;

    internal const int IrVersion = 8;

    public const string InputName = "input";
    public const string CodeName = "code";
    public const string LogVarianceName = "log_variance";
    public const string ReconstructionName = "reconstruction";
    public const string ScoreName = "score";

    /// <summary>The producer version written into every file: the library's version.</summary>
    internal static string ProducerVersion =>
        typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Writes the model's ONNX file atomically (a crash leaves the old file or none, never half of one).</summary>
    public static void Save(Autoencoder model, NormalizationJson normalization, string path)
    {
        var bytes = ToBytes(model, normalization);
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    /// <summary>The ONNX ModelProto of <paramref name="model"/>, whose raw inputs are normalised as <paramref name="normalization"/> says.</summary>
    public static byte[] ToBytes(Autoencoder model, NormalizationJson normalization)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(normalization);
        var config = model.Config;
        var graph = new OnnxGraph();
        graph.Input(InputName, OnnxGraph.Batch, config.InputSize);
        string x = Normalize(graph, InputName, normalization, config.InputSize, config.Steps);

        string encoded = new Stack(graph, "encoder").Run(model.Encoder, x);
        string code;
        if (ModelKinds.IsVariational(config.Kind))
        {
            long latent = config.Latent;
            string axes = graph.Int64s("split_axis", 1);
            code = graph.Node("Slice", [encoded, graph.Int64s("mu_start", 0), graph.Int64s("mu_end", latent), axes], CodeName);
            graph.Node("Slice", [encoded, graph.Int64s("log_variance_start", latent), graph.Int64s("log_variance_end", 2 * latent), axes], LogVarianceName);
        }
        else if (model.Prior is { ClusterHead: > 0 and int head })
        {
            // A clustering AAE's code: the softmax of its first values (the cluster head), then the style values as they are.
            long latent = config.Latent;
            string axes = graph.Int64s("split_axis", 1);
            string clusters = graph.Node("Softmax", [graph.Node("Slice", [encoded, graph.Int64s("head_start", 0), graph.Int64s("head_end", head), axes])], OnnxAttribute.Of("axis", 1L));
            code = head == latent
                ? graph.Node("Identity", [clusters], CodeName)
                : graph.Node("Concat", [clusters, graph.Node("Slice", [encoded, graph.Int64s("style_start", head), graph.Int64s("style_end", latent), axes])], CodeName, OnnxAttribute.Of("axis", 1L));
        }
        else
        {
            code = graph.Node("Identity", [encoded], CodeName);
        }
        string decoded = new Stack(graph, "decoder").Run(model.Decoder, code);
        string reconstruction = graph.Node("Identity", [decoded], ReconstructionName);
        Score(graph, model.Loss, reconstruction, x, config.InputSize);

        graph.Output(CodeName, OnnxGraph.Batch, config.Latent);
        if (ModelKinds.IsVariational(config.Kind)) graph.Output(LogVarianceName, OnnxGraph.Batch, config.Latent);
        graph.Output(ReconstructionName, OnnxGraph.Batch, config.InputSize);
        graph.Output(ScoreName, OnnxGraph.Batch);

        string version = ProducerVersion;
        var metadata = new Dictionary<string, string>
        {
            ["bottleneck.kind"] = config.Kind.Name(),
            ["bottleneck.normalization"] = normalization.Description ?? normalization.Type.Name(),
            ["bottleneck.loss"] = model.Loss.Name,
            ["bottleneck.outputs"] = ModelKinds.IsVariational(config.Kind)
                ? "code (mu), log_variance, reconstruction (normalised units), score (reconstruction loss per item)"
                : "code, reconstruction (normalised units), score (reconstruction loss per item)",
        };
        string doc = $"Bottleneck {config.Kind.Name()} autoencoder: raw input [batch, {config.InputSize}] ({metadata["bottleneck.normalization"]} inside the graph) to code [batch, {config.Latent}], reconstruction and per-item {model.Loss.Name} score.";
        return graph.ToModel("bottleneck_" + config.Kind.Name().Replace('-', '_'), IrVersion, Opset, version, doc, metadata);
    }

    /// <summary>
    /// model.json's normalisation as graph nodes: x' = (x − offset) · scale, for all values or per
    /// feature; a window model's scaler is per variable, so its vectors repeat at every step.
    /// </summary>
    private static string Normalize(OnnxGraph graph, string input, NormalizationJson n, int features, int steps)
    {
        switch (n.Type)
        {
            case NormalizationKind.None:
                return input;
            case NormalizationKind.Scale:
                // pixel / 255 as a division, so the graph's values are the loader's to the bit.
                double divisor = 1 / n.Scale;
                if (n.Offset == 0 && Math.Abs(divisor - Math.Round(divisor)) < 1e-9)
                    return graph.Node("Div", [input, graph.Scalar("pixel_divisor", (float)Math.Round(divisor))]);
                string shifted = n.Offset == 0 ? input : graph.Node("Sub", [input, graph.Scalar("normalization_offset", (float)n.Offset)]);
                return graph.Node("Mul", [shifted, graph.Scalar("normalization_scale", (float)n.Scale)]);
            default:
                var scaler = n.FeatureScaler() ?? throw new BottleneckException($"cannot export normalisation '{n.Type.Name()}'");
                int repeats = steps > 0 && scaler.FeatureCount * steps == features ? steps : 1;
                if (scaler.FeatureCount * repeats != features)
                    throw new BottleneckException($"the normalisation has {scaler.FeatureCount} features but the model takes {features}");
                float[] offsets = Repeat(scaler.Offset, repeats), scales = Repeat(scaler.Scale, repeats);
                string centred = graph.Node("Sub", [input, graph.Weights("normalization_offsets", offsets, features)]);
                return graph.Node("Mul", [centred, graph.Weights("normalization_scales", scales, features)]);
        }
    }

    private static float[] Repeat(ReadOnlySpan<float> values, int times)
    {
        var result = new float[values.Length * times];
        for (int t = 0; t < times; t++) values.CopyTo(result.AsSpan(t * values.Length));
        return result;
    }

    /// <summary>Each item's reconstruction loss as the training loss computes it (BCE with logs clamped at −100, or squared error).</summary>
    private static void Score(OnnxGraph graph, Loss loss, string prediction, string target, int features)
    {
        string axes = graph.Int64s("score_axes", 1);
        var keep = OnnxAttribute.Of("keepdims", 0L);
        string sum;
        if (loss is BinaryCrossEntropy)
        {
            string one = graph.Scalar("one", 1f), floor = graph.Scalar("log_floor", -100f);
            string logP = graph.Node("Max", [graph.Node("Log", [prediction]), floor]);
            string logQ = graph.Node("Max", [graph.Node("Log", [graph.Node("Sub", [one, prediction])]), floor]);
            string terms = graph.Node("Add", [graph.Node("Mul", [target, logP]), graph.Node("Mul", [graph.Node("Sub", [one, target]), logQ])]);
            sum = graph.Node("Neg", [graph.Node("ReduceSum", [terms, axes], keep)]);
        }
        else
        {
            string d = graph.Node("Sub", [prediction, target]);
            sum = graph.Node("ReduceSum", [graph.Node("Mul", [d, d]), axes], keep);
        }
        if (loss.Reduction == Reduction.Mean) sum = graph.Node("Div", [sum, graph.Scalar("features", features)]);
        graph.Node("Identity", [sum], ScoreName);
    }

    /// <summary>One Sequential's layers as nodes, keeping track of whether the value is flat [N, F] or an image batch [N, C, H, W].</summary>
    private sealed class Stack(OnnxGraph graph, string prefix)
    {
        private int[]? image; // C, H, W while the value is 4-d

        public string Run(Sequential sequential, string x)
        {
            x = Layers(sequential, x, prefix);
            return Flat(x);
        }

        private string Layers(Sequential sequential, string x, string path)
        {
            for (int i = 0; i < sequential.Layers.Count; i++) x = Layer(sequential.Layers[i], x, $"{path}.{i}");
            return x;
        }

        private string Layer(Layer layer, string x, string name) => layer switch
        {
            Sequential inner => Layers(inner, x, name),
            Linear l => OnnxSequenceLayers.Linear(graph, Flat(x), l.Weight, l.Bias, name),
            RecurrentLayer r => OnnxSequenceLayers.Recurrent(graph, r, x, name),
            RepeatSteps r => OnnxSequenceLayers.RepeatSteps(graph, r, x, name),
            PositionalEncoding p => OnnxSequenceLayers.PositionalEncoding(graph, p, x, name),
            TransformerEncoderLayer t => OnnxSequenceLayers.TransformerEncoder(graph, t, x, name),
            // Every step through the same dense layer: [batch, steps·in] as [batch·steps, in] and back.
            TimeDistributed { Inner: Linear l } t => graph.Node("Reshape",
                [OnnxSequenceLayers.Linear(graph, graph.Node("Reshape", [x, graph.Int64s(name + ".rows", -1, l.InFeatures)]), l.Weight, l.Bias, name),
                 graph.Int64s(name + ".items", -1, (long)t.Steps * l.OutFeatures)]),
            Conv2d c => Spatial(c, graph.Node("Conv", [Image(x, c.InputShape), Weights(c.Weight, name), Weights(c.Bias, name)],
                OnnxAttribute.Of("kernel_shape", c.KernelSize, c.KernelSize), OnnxAttribute.Of("strides", c.Stride, c.Stride),
                OnnxAttribute.Of("pads", c.Padding, c.Padding, c.Padding, c.Padding))),
            ConvTranspose2d t => Spatial(t, graph.Node("ConvTranspose", [Image(x, t.InputShape), Weights(t.Weight, name), Weights(t.Bias, name)],
                OnnxAttribute.Of("kernel_shape", t.KernelSize, t.KernelSize), OnnxAttribute.Of("strides", t.Stride, t.Stride),
                OnnxAttribute.Of("pads", t.Padding, t.Padding, t.Padding, t.Padding),
                OnnxAttribute.Of("output_padding", t.OutputPadding, t.OutputPadding))),
            BatchNorm1d b => BatchNorm(Flat(x), name, b.Weight, b.Bias, b.RunningMean, b.RunningVar, b.Eps),
            BatchNorm2d b => Spatial(b, BatchNorm(Image(x, b.InputShape), name, b.Weight, b.Bias, b.RunningMean, b.RunningVar, b.Eps)),
            MaxPool2d m => Spatial(m, graph.Node("MaxPool", [Image(x, m.InputShape)],
                OnnxAttribute.Of("kernel_shape", m.KernelSize, m.KernelSize), OnnxAttribute.Of("strides", m.Stride, m.Stride))),
            // PyTorch's nearest upsampling picks source index floor(dst / scale).
            UpsampleNearest2d u => Spatial(u, graph.Node("Resize", [Image(x, u.InputShape), "", graph.Weights("upsample_scales", [1f, 1f, u.Scale, u.Scale], 4)],
                OnnxAttribute.Of("mode", "nearest"), OnnxAttribute.Of("coordinate_transformation_mode", "asymmetric"),
                OnnxAttribute.Of("nearest_mode", "floor"))),
            Dropout or Identity => x,
            ReLU => graph.Node("Relu", [x]),
            Sigmoid => graph.Node("Sigmoid", [x]),
            Tanh => graph.Node("Tanh", [x]),
            LeakyReLU r => graph.Node("LeakyRelu", [x], OnnxAttribute.Of("alpha", r.NegativeSlope)),
            ELU e => graph.Node("Elu", [x], OnnxAttribute.Of("alpha", e.Alpha)),
            Softplus => graph.Node("Softplus", [x]),
            // Gelu is an operator only from opset 20: x · ½(1 + erf(x / √2)).
            GELU => graph.Node("Mul", [x, graph.Node("Mul", [graph.Scalar("half", 0.5f),
                graph.Node("Add", [graph.Scalar("one", 1f), graph.Node("Erf", [graph.Node("Div", [x, graph.Scalar("sqrt2", MathF.Sqrt(2f))])])])])]),
            _ => throw new BottleneckException($"ONNX export does not support {layer.Describe()} yet"),
        };

        private string BatchNorm(string x, string name, Parameter weight, Parameter bias, Tensors.Tensor mean, Tensors.Tensor variance, double eps) =>
            graph.Node("BatchNormalization",
                [x, Weights(weight, name), Weights(bias, name), Buffer(mean, name + ".running_mean"), Buffer(variance, name + ".running_var")],
                OnnxAttribute.Of("epsilon", (float)eps));

        private string Weights(Parameter p, string layer) => OnnxSequenceLayers.Weights(graph, p, layer);

        private string Buffer(Tensors.Tensor t, string name) => graph.Weights(name, t.Span, t.Length);

        /// <summary>The value as an image batch of <paramref name="shape"/> (C, H, W), reshaped from flat if need be.</summary>
        private string Image(string x, int[] shape)
        {
            if (image is not null)
            {
                if (!image.SequenceEqual(shape))
                    throw new BottleneckException($"a layer expects [{string.Join(",", shape)}] images after [{string.Join(",", image)}] ones");
                return x;
            }
            image = shape;
            // 0 keeps the batch dimension as it is.
            return graph.Node("Reshape", [x, graph.Int64s("image_shape", 0, shape[0], shape[1], shape[2])]);
        }

        private string Spatial(SpatialLayer layer, string y)
        {
            image = layer.OutputShape;
            return y;
        }

        private string Flat(string x)
        {
            if (image is null) return x;
            image = null;
            return graph.Node("Flatten", [x], OnnxAttribute.Of("axis", 1L));
        }
    }
}
