using Bottleneck.Layers;

namespace Bottleneck.Export;

/// <summary>
/// The layers of the window kinds (lstm, gru, attention) as ONNX nodes. Between layers a value is
/// flat, [batch, steps·features] with step t's features at [t·features, (t+1)·features), as in
/// Bottleneck; each layer reshapes to what its operator wants and flattens again after.
/// </summary>
internal static class OnnxSequenceLayers
{
    // ONNX orders an LSTM's gates i, o, f, c and a GRU's z, r, h; PyTorch (and Bottleneck) i, f, g, o
    // and r, z, n: entry k is the PyTorch gate that goes to ONNX block k.
    private static readonly int[] LstmGates = [0, 3, 1, 2];
    private static readonly int[] GruGates = [1, 0, 2];

    /// <summary>
    /// ONNX's LSTM or GRU (zero initial state, forward direction) over [steps, batch, input]; the
    /// GRU with linear_before_reset = 1, PyTorch's form, where the reset gate multiplies
    /// h·W_hnᵀ + b_hn. The result is every step's state, flat, or the last one [batch, hidden].
    /// </summary>
    public static string Recurrent(OnnxGraph graph, RecurrentLayer layer, string x, string name)
    {
        bool lstm = layer is Lstm;
        int hidden = layer.HiddenSize, input = layer.InputSize, steps = layer.Steps;
        var (w, r, b) = RecurrentWeights(graph, layer, name);
        string timeMajor = graph.Node("Transpose", [graph.Node("Reshape", [x, graph.Int64s(name + ".steps", 0, steps, input)])],
            OnnxAttribute.Of("perm", 1L, 0L, 2L));
        var size = OnnxAttribute.Of("hidden_size", (long)hidden);
        string y = lstm
            ? graph.Node("LSTM", [timeMajor, w, r, b], size)
            : graph.Node("GRU", [timeMajor, w, r, b], size, OnnxAttribute.Of("linear_before_reset", 1L));
        // Y is [steps, directions = 1, batch, hidden].
        string states = graph.Node("Squeeze", [y, graph.Int64s(name + ".direction_axis", 1)]);
        if (!layer.ReturnSequences)
            return graph.Node("Gather", [states, graph.Int64Scalar(name + ".last_step", steps - 1)], OnnxAttribute.Of("axis", 0L));
        string batchFirst = graph.Node("Transpose", [states], OnnxAttribute.Of("perm", 1L, 0L, 2L));
        return graph.Node("Flatten", [batchFirst], OnnxAttribute.Of("axis", 1L));
    }

    /// <summary>The W, R and B inputs of ONNX's LSTM or GRU: one direction, the gates in ONNX's order, B = [b_ih, b_hh].</summary>
    public static (string W, string R, string B) RecurrentWeights(OnnxGraph graph, RecurrentLayer layer, string name)
    {
        int[] order = layer is Lstm ? LstmGates : GruGates;
        int hidden = layer.HiddenSize, input = layer.InputSize, rows = order.Length * hidden;
        string w = graph.Weights(name + ".W", Reorder(layer.WeightIh.Value.Span, order, hidden * input), 1, rows, input);
        string r = graph.Weights(name + ".R", Reorder(layer.WeightHh.Value.Span, order, hidden * hidden), 1, rows, hidden);
        float[] biases = [.. Reorder(layer.BiasIh.Value.Span, order, hidden), .. Reorder(layer.BiasHh.Value.Span, order, hidden)];
        return (w, r, graph.Weights(name + ".B", biases, 1, 2 * rows));
    }

    /// <summary>Keras' RepeatVector: [batch, features] to [batch, steps·features].</summary>
    public static string RepeatSteps(OnnxGraph graph, RepeatSteps layer, string x, string name)
    {
        string item = graph.Node("Unsqueeze", [x, graph.Int64s(name + ".step_axis", 1)]);
        string tiled = graph.Node("Tile", [item, graph.Int64s(name + ".repeats", 1, layer.Steps, 1)]);
        return graph.Node("Flatten", [tiled], OnnxAttribute.Of("axis", 1L));
    }

    /// <summary>The fixed encoding added to every item.</summary>
    public static string PositionalEncoding(OnnxGraph graph, PositionalEncoding layer, string x, string name) =>
        graph.Node("Add", [x, graph.Weights(name + ".table", layer.Table, layer.Steps * layer.Features)]);

    /// <summary>
    /// nn.TransformerEncoderLayer (post-norm, ReLU, inference): multi-head self-attention over the
    /// steps of each item, residual and layer norm, the feed-forward pair, residual and layer norm.
    /// </summary>
    public static string TransformerEncoder(OnnxGraph graph, TransformerEncoderLayer layer, string x, string name)
    {
        var attention = layer.SelfAttention;
        int steps = layer.Steps, model = layer.DModel, heads = layer.NHead, headDim = model / heads;
        string rows = graph.Node("Reshape", [x, graph.Int64s(name + ".rows", -1, model)]);    // [batch·steps, model]
        string qkv = Linear(graph, rows, attention.InProjWeight, attention.InProjBias, name + ".self_attn.in_proj");
        // [batch·steps, 3·model] as [batch, steps, 3, heads, headDim], then [3, batch, heads, steps, headDim].
        string split = graph.Node("Transpose", [graph.Node("Reshape", [qkv, graph.Int64s(name + ".heads", -1, steps, 3, heads, headDim)])],
            OnnxAttribute.Of("perm", 2L, 0L, 3L, 1L, 4L));
        string Part(int index) => graph.Node("Gather", [split, graph.Int64Scalar(name + ".qkv_index", index)], OnnxAttribute.Of("axis", 0L));
        string q = Part(0), k = Part(1), v = Part(2);
        string scores = graph.Node("Mul", [graph.Node("MatMul", [q, graph.Node("Transpose", [k], OnnxAttribute.Of("perm", 0L, 1L, 3L, 2L))]),
            graph.Scalar(name + ".scale", 1f / MathF.Sqrt(headDim))]);
        string weights = graph.Node("Softmax", [scores], OnnxAttribute.Of("axis", -1L));  // [batch, heads, steps, steps]
        string context = graph.Node("Transpose", [graph.Node("MatMul", [weights, v])], OnnxAttribute.Of("perm", 0L, 2L, 1L, 3L));
        string mixed = graph.Node("Reshape", [context, graph.Int64s(name + ".context_rows", -1, model)]);
        string attended = Linear(graph, mixed, attention.OutProj.Weight, attention.OutProj.Bias, name + ".self_attn.out_proj");

        string normed1 = LayerNorm(graph, graph.Node("Add", [rows, attended]), layer.Norm1, name + ".norm1");
        string inner = graph.Node("Relu", [Linear(graph, normed1, layer.Linear1.Weight, layer.Linear1.Bias, name + ".linear1")]);
        string fed = Linear(graph, inner, layer.Linear2.Weight, layer.Linear2.Bias, name + ".linear2");
        string normed2 = LayerNorm(graph, graph.Node("Add", [normed1, fed]), layer.Norm2, name + ".norm2");
        return graph.Node("Reshape", [normed2, graph.Int64s(name + ".flat", -1, steps * model)]);
    }

    /// <summary>y = x·Wᵀ + b on rows, the weight kept in PyTorch's [out, in] layout.</summary>
    public static string Linear(OnnxGraph graph, string x, Parameter weight, Parameter bias, string name) =>
        graph.Node("Gemm", [x, Weights(graph, weight, name), Weights(graph, bias, name)], OnnxAttribute.Of("transB", 1L));

    private static string LayerNorm(OnnxGraph graph, string x, LayerNorm norm, string name) =>
        graph.Node("LayerNormalization", [x, Weights(graph, norm.Weight, name), Weights(graph, norm.Bias, name)],
            OnnxAttribute.Of("axis", -1L), OnnxAttribute.Of("epsilon", (float)norm.Eps));

    /// <summary>A parameter as an initializer named "{layer}.{name}", in its own shape.</summary>
    public static string Weights(OnnxGraph graph, Parameter p, string layer) =>
        graph.Weights($"{layer}.{p.Name}", p.Value.Span, Array.ConvertAll(p.Value.Shape.ToArray(), d => (long)d));

    /// <summary>The gate blocks of <paramref name="values"/> (each <paramref name="block"/> long) in ONNX's order.</summary>
    private static float[] Reorder(ReadOnlySpan<float> values, int[] order, int block)
    {
        var result = new float[values.Length];
        for (int k = 0; k < order.Length; k++) values.Slice(order[k] * block, block).CopyTo(result.AsSpan(k * block));
        return result;
    }
}
