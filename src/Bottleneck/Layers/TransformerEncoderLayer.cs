using Bottleneck.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bottleneck.Layers;

/// <summary>
/// nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, activation="relu",
/// batch_first=True, norm_first=False) on a batch of sequences [batch, steps·d_model]:
/// x = norm1(x + dropout1(self_attn(x))), then x = norm2(x + dropout2(linear2(dropout(relu(linear1(x)))))),
/// the feed-forward part applied to every step at once. Parameters carry PyTorch's state_dict
/// names ("self_attn.in_proj_weight", "linear1.weight", "norm2.bias", …) in PyTorch's order, so
/// a Sequential holding this layer at index 0 names them "0.self_attn.in_proj_weight" and so on.
/// </summary>
public sealed class TransformerEncoderLayer : Layer
{
    private readonly int model, steps;
    private readonly MultiheadAttention selfAttention;
    private readonly Linear linear1, linear2;
    private readonly ReLU relu = new();
    private readonly LayerNorm norm1, norm2;
    private readonly Dropout? feedForwardDropout, dropout1, dropout2; // null when p = 0: nothing to draw
    private readonly Parameter[] parameters;
    private readonly ReshapedView normedRows = new(), gradRows = new();
    private Tensor? sum1, sum2;               // the two residual sums, before their norms
    private Tensor? gradSum1, gradInput;      // dL/d(sum1), dL/dx
    private bool forwardSeen;

    /// <param name="steps">Steps per item: items are [steps·dModel].</param>
    /// <param name="init">The generator of the initial weights (PyTorch's initialisations, in PyTorch's order).</param>
    /// <param name="dropout">PyTorch's default is 0.1; here 0, no dropout, unless asked for.</param>
    /// <param name="sampler">The generator of the dropout masks; needed only when <paramref name="dropout"/> > 0.</param>
    public TransformerEncoderLayer(int dModel, int nHead, int dimFeedforward, int steps, Rng init,
        double dropout = 0.0, Rng? sampler = null, double layerNormEps = 1e-5)
    {
        if (dimFeedforward < 1) throw new BottleneckException($"TransformerEncoderLayer needs a positive dim_feedforward, got {dimFeedforward}");
        model = dModel;
        this.steps = steps;
        DimFeedforward = dimFeedforward;
        DropoutProbability = dropout;
        // Built in nn.TransformerEncoderLayer's order, so the draws from init come in that order.
        selfAttention = new MultiheadAttention(dModel, nHead, steps, init, dropout, sampler);
        linear1 = new Linear(dModel, dimFeedforward, init);
        linear2 = new Linear(dimFeedforward, dModel, init);
        norm1 = new LayerNorm(dModel, layerNormEps);
        norm2 = new LayerNorm(dModel, layerNormEps);
        if (dropout > 0)
        {
            // MultiheadAttention has checked p and the sampler.
            feedForwardDropout = new Dropout(dropout, sampler!);
            dropout1 = new Dropout(dropout, sampler!);
            dropout2 = new Dropout(dropout, sampler!);
        }
        var named = new List<Parameter>();
        foreach (var (prefix, layer) in new (string, Layer)[] { ("self_attn.", selfAttention), ("linear1.", linear1), ("linear2.", linear2), ("norm1.", norm1), ("norm2.", norm2) })
        {
            foreach (var p in layer.Parameters)
            {
                p.PrefixName(prefix);
                named.Add(p);
            }
        }
        parameters = named.ToArray();
    }

    public int DModel => model;

    protected override IEnumerable<Layer> InnerLayers =>
        new Layer?[] { selfAttention, linear1, relu, linear2, norm1, norm2, feedForwardDropout, dropout1, dropout2 }.OfType<Layer>();

    public int NHead => selfAttention.NumHeads;

    public int DimFeedforward { get; }

    public int Steps => steps;

    public double DropoutProbability { get; }

    public MultiheadAttention SelfAttention => selfAttention;

    public Linear Linear1 => linear1;

    public Linear Linear2 => linear2;

    public LayerNorm Norm1 => norm1;

    public LayerNorm Norm2 => norm2;

    /// <summary>The self-attention's weights of the last forward, averaged over heads, [batch, steps, steps]; see <see cref="MultiheadAttention.AttentionWeights"/>.</summary>
    public Tensor? AttentionWeights => selfAttention.AttentionWeights;

    /// <summary>PyTorch's src_key_padding_mask: see <see cref="MultiheadAttention.SetKeyPaddingMask"/>.</summary>
    public void SetKeyPaddingMask(ReadOnlySpan<bool> mask) => selfAttention.SetKeyPaddingMask(mask);

    public void ClearKeyPaddingMask() => selfAttention.ClearKeyPaddingMask();

    public override IReadOnlyList<Parameter> Parameters => parameters;

    public override int OutputSize(int inputSize) => selfAttention.OutputSize(inputSize);

    public override Tensor Forward(Tensor x, bool training)
    {
        OutputSize(x.RowLength);
        int batch = x.Rows, length = x.RowLength;
        // Self-attention block with its residual.
        var a = selfAttention.Forward(x, training);
        if (dropout1 is not null) a = dropout1.Forward(a, training);
        EnsureShape(ref sum1, batch, length);
        TensorPrimitives.Add(x.Span, a.Span, sum1!.Span);
        var h = norm1.Forward(sum1, training);
        // Feed-forward block, every step at once: relu is fused into linear1's GEMM.
        var f = relu.ForwardRectified(linear1.Forward(normedRows.Of(h, model), relu));
        if (feedForwardDropout is not null) f = feedForwardDropout.Forward(f, training);
        var g = linear2.Forward(f, training);
        if (dropout2 is not null) g = dropout2.Forward(g, training);
        EnsureShape(ref sum2, batch, length);
        TensorPrimitives.Add(h.Span, g.Span, sum2!.Span);
        forwardSeen = true;
        return norm2.Forward(sum2, training);
    }

    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        if (!forwardSeen) throw new InvalidOperationException("TransformerEncoderLayer.Backward called before Forward");
        int batch = sum1!.Rows, length = sum1.RowLength;
        if (gradOutput.Rows != batch || gradOutput.RowLength != length)
            throw new BottleneckException($"TransformerEncoderLayer: the output gradient has {gradOutput.Rows} items of {gradOutput.RowLength} values, expected {batch} of {length}");
        // dsum2 reaches h directly (the residual) and through the feed-forward block.
        var dSum2 = norm2.Backward(gradOutput, true)!;
        var dg = gradRows.Of(dSum2, model);
        if (dropout2 is not null) dg = dropout2.Backward(dg, true)!;
        Tensor df;
        if (feedForwardDropout is null)
        {
            // relu's mask goes onto linear2's input gradient tile by tile as the GEMM writes it.
            df = linear2.Backward(dg, true, relu)!;
        }
        else
        {
            df = feedForwardDropout.Backward(linear2.Backward(dg, true)!, true)!;
            df = relu.Backward(df, true)!;
        }
        var dhFeedForward = linear1.Backward(df, true)!;
        EnsureShape(ref gradSum1, batch, length);
        TensorPrimitives.Add(dSum2.Span, dhFeedForward.Span, gradSum1!.Span);
        // dsum1 reaches x directly and through the self-attention.
        var dSum1 = norm1.Backward(gradSum1, true)!;
        var da = dropout1 is not null ? dropout1.Backward(dSum1, true)! : dSum1;
        var dxAttention = selfAttention.Backward(da, needInputGrad);
        if (!needInputGrad) return null;
        EnsureShape(ref gradInput, batch, length);
        TensorPrimitives.Add(dSum1.Span, dxAttention!.Span, gradInput!.Span);
        return gradInput;
    }

    public override string Describe()
    {
        string p = PythonRepr.Float(DropoutProbability);
        return $"TransformerEncoderLayer((self_attn): {selfAttention.Describe()}, " +
            $"(linear1): {linear1.Describe()}, (dropout): Dropout(p={p}, inplace=False), (linear2): {linear2.Describe()}, " +
            $"(norm1): {norm1.Describe()}, (norm2): {norm2.Describe()}, " +
            $"(dropout1): Dropout(p={p}, inplace=False), (dropout2): Dropout(p={p}, inplace=False))";
    }
}
