using Bottleneck.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bottleneck.Layers;

/// <summary>
/// nn.MultiheadAttention(embed_dim, num_heads, dropout, batch_first=True) used as self-attention
/// (query = key = value = x) on a batch of sequences [batch, steps·embed], steps fixed at
/// construction. [q k v] = x·Wᵢₙᵀ + bᵢₙ for every step at once; each head h takes its d = E/heads
/// columns of q, k and v, and computes softmax(q·kᵀ/√d)·v; the heads' outputs, side by side, go
/// through out_proj. Parameters and their initialisation are PyTorch's: in_proj_weight [3E, E]
/// (Xavier-uniform), in_proj_bias [3E] (zeros), out_proj.weight [E, E] (nn.Linear's default) and
/// out_proj.bias [E] (zeros).
/// </summary>
/// <remarks>
/// The last forward's attention weights, averaged over the heads, are kept in
/// <see cref="AttentionWeights"/> (PyTorch's need_weights=True, average_attn_weights=True).
/// A key padding mask (<see cref="SetKeyPaddingMask"/>) hides padded steps from every query, as
/// PyTorch's key_padding_mask does.
/// </remarks>
public sealed class MultiheadAttention : Layer
{
    private readonly int embed, heads, headDim, steps;
    private readonly float scale;
    private readonly Parameter inProjWeight;
    private readonly Parameter inProjBias;
    private readonly Linear outProj;
    private readonly Parameter[] parameters;
    private readonly Dropout? attentionDropout;
    private readonly ReshapedView inputRows = new(), outputItems = new(), gradOutputRows = new(), gradInputItems = new();
    private bool[] keyPadding = [];
    private int keyPaddingItems = -1;    // items the mask was set for; −1 when there is none
    private Tensor? input;               // the last forward's input as [batch·steps, E]
    private Tensor? qkv;                 // [batch·steps, 3E]: q, k, v of every step side by side
    private Tensor? probabilities;       // [batch, heads·steps·steps]: the softmax of each head, query by query
    private Tensor? mixed;               // what multiplied v: the probabilities, after dropout when it is on
    private Tensor? averaged;            // [batch, steps, steps]
    private Tensor? context;             // [batch·steps, E]: every head's output, side by side
    private Tensor? gradProbabilities;   // [batch, heads·steps·steps]: dL/d(mixed), then dL/d(scores)
    private Tensor? gradQkv;             // [batch·steps, 3E]
    private Tensor? gradInput;           // [batch·steps, E]

    /// <param name="sampler">The generator of the dropout masks; needed only when <paramref name="dropout"/> > 0.</param>
    public MultiheadAttention(int embedDim, int numHeads, int steps, Rng init, double dropout = 0.0, Rng? sampler = null)
    {
        if (embedDim < 1 || numHeads < 1 || steps < 1)
            throw new BottleneckException($"MultiheadAttention needs positive sizes, got embed_dim={embedDim}, num_heads={numHeads}, steps={steps}");
        if (embedDim % numHeads != 0)
            throw new BottleneckException($"MultiheadAttention: embed_dim {embedDim} is not divisible by num_heads {numHeads}");
        if (!(dropout >= 0 && dropout <= 1))
            throw new BottleneckException($"attention dropout has to be between 0 and 1, got {dropout}");
        ArgumentNullException.ThrowIfNull(init);
        embed = embedDim;
        heads = numHeads;
        headDim = embedDim / numHeads;
        this.steps = steps;
        DropoutProbability = dropout;
        // PyTorch scales q by 1/√d before q·kᵀ; here the scores are scaled inside the softmax, the
        // same value up to rounding, which spares a pass over q.
        scale = 1f / MathF.Sqrt(headDim);
        inProjWeight = new Parameter("in_proj_weight", 3 * embedDim, embedDim);
        inProjBias = new Parameter("in_proj_bias", 3 * embedDim);
        // PyTorch's order: out_proj is built (drawing nn.Linear's default weight and bias), then
        // _reset_parameters draws in_proj_weight and zeroes both biases.
        outProj = new Linear(embedDim, embedDim, init);
        foreach (var p in outProj.Parameters) p.PrefixName("out_proj.");
        Init.XavierUniform(inProjWeight.Value, embedDim, 3 * embedDim, init);
        outProj.Bias.Value.Clear();
        parameters = [inProjWeight, inProjBias, outProj.Weight, outProj.Bias];
        // p = 0 draws nothing: no layer at all rather than one that draws a mask of ones.
        if (dropout > 0)
            attentionDropout = new Dropout(dropout, sampler ?? throw new ArgumentNullException(nameof(sampler), "attention dropout needs a sampler"));
    }

    public int EmbedDim => embed;

    public int NumHeads => heads;

    public int Steps => steps;

    public double DropoutProbability { get; }

    /// <summary>[3E, E]: the rows of Wq, then Wk, then Wv.</summary>
    public Parameter InProjWeight => inProjWeight;

    /// <summary>[3E].</summary>
    public Parameter InProjBias => inProjBias;

    /// <summary>out_proj, whose parameters are named "out_proj.weight" and "out_proj.bias".</summary>
    public Linear OutProj => outProj;

    protected override IEnumerable<Layer> InnerLayers => attentionDropout is null ? [outProj] : [outProj, attentionDropout];

    public override IReadOnlyList<Parameter> Parameters => parameters;

    /// <summary>
    /// The last forward's attention weights averaged over the heads, [batch, steps (query), steps (key)]:
    /// row t of item b says how much each step fed step t's output. Null before the first forward.
    /// In training with dropout these are the weights after dropout, as PyTorch returns them.
    /// The tensor is reused (overwritten) by the next forward.
    /// </summary>
    public Tensor? AttentionWeights => averaged;

    /// <summary>
    /// Hides padded steps as keys for the forwards that follow, until cleared or set again:
    /// <paramref name="mask"/> has batch·steps values, item by item, true where a step is padding
    /// (PyTorch's boolean key_padding_mask). A hidden key gets −∞ before the softmax, so no query
    /// attends to it; a padded step still has an output (it attends to the real steps). Every
    /// item needs at least one real step, otherwise its softmax would be 0/0 (NaN in PyTorch).
    /// The next forward must have the batch the mask was set for. The values are copied.
    /// </summary>
    public void SetKeyPaddingMask(ReadOnlySpan<bool> mask)
    {
        if (mask.Length == 0 || mask.Length % steps != 0)
            throw new BottleneckException($"a key padding mask has batch × {steps} values, got {mask.Length}");
        int items = mask.Length / steps;
        for (int b = 0; b < items; b++)
        {
            if (!mask.Slice(b * steps, steps).Contains(false))
                throw new BottleneckException($"the key padding mask hides every step of item {b}; an item needs at least one step to attend to");
        }
        if (keyPadding.Length < mask.Length) keyPadding = new bool[mask.Length];
        mask.CopyTo(keyPadding);
        keyPaddingItems = items;
    }

    /// <summary>Every key visible again.</summary>
    public void ClearKeyPaddingMask() => keyPaddingItems = -1;

    /// <summary>Whether a key padding mask is set.</summary>
    public bool HasKeyPaddingMask => keyPaddingItems >= 0;

    public override int OutputSize(int inputSize)
    {
        if (inputSize != steps * embed)
            throw new BottleneckException($"MultiheadAttention expects items of {steps} steps × {embed} features = {steps * embed} values, got {inputSize}");
        return inputSize;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        OutputSize(x.RowLength);
        int batch = x.Rows, rows = batch * steps, e = embed, e3 = 3 * embed, tt = steps * steps;
        if (keyPaddingItems >= 0 && keyPaddingItems != batch)
            throw new BottleneckException($"the key padding mask was set for {keyPaddingItems} items, the batch has {batch}");
        var xr = inputRows.Of(x, e);
        input = xr;
        // Every step of every item projected at once: [q k v] = x·Wᵢₙᵀ + bᵢₙ, [batch·steps, 3E].
        EnsureShape(ref qkv, rows, e3);
        Gemm.MultiplyAddBias(Engine, false, true, rows, e3, e, xr.Span, e, inProjWeight.Value.Span, e, qkv!.Span, e3, inProjBias.Value.Span);

        EnsureShape(ref probabilities, batch, heads * tt);
        Span<float> qkvs = qkv.Span, probs = probabilities!.Span;
        for (int b = 0; b < batch; b++)
        {
            int item = b * steps * e3;
            for (int h = 0; h < heads; h++)
            {
                // Scores q·kᵀ of this head: q and k are column blocks of qkv, read in place with stride 3E.
                var s = probs.Slice((b * heads + h) * tt, tt);
                Gemm.Multiply(false, true, steps, steps, headDim,
                    qkvs[(item + h * headDim)..], e3, qkvs[(item + e + h * headDim)..], e3, s, steps, accumulate: false, engine: Engine);
                Softmax(s, b);
            }
        }

        // Dropout on the weights, in training only: the same layer (and generator) as elsewhere.
        mixed = attentionDropout is not null && training ? attentionDropout.Forward(probabilities, true) : probabilities;

        EnsureShape(ref context, rows, e);
        ReadOnlySpan<float> weights = mixed.Span;
        Span<float> ctx = context!.Span;
        for (int b = 0; b < batch; b++)
        {
            int item = b * steps * e3;
            for (int h = 0; h < heads; h++)
            {
                // Head h's output P·v goes to its d columns of the context, stride E.
                Gemm.Multiply(false, false, steps, headDim, steps,
                    weights.Slice((b * heads + h) * tt, tt), steps, qkvs[(item + 2 * e + h * headDim)..], e3,
                    ctx[(b * steps * e + h * headDim)..], e, accumulate: false, engine: Engine);
            }
        }
        AverageOverHeads(weights, batch);

        var y = outProj.Forward(context, training);
        return outputItems.Of(y, steps * e);
    }

    /// <summary>
    /// One head's scores [steps, steps] of item <paramref name="item"/>, query by query, made into
    /// probabilities: softmax(scale · s) with the masked keys at −∞, the maximum subtracted first so
    /// that exp cannot overflow.
    /// </summary>
    private void Softmax(Span<float> scores, int item)
    {
        bool masked = keyPaddingItems >= 0;
        ReadOnlySpan<bool> hidden = masked ? keyPadding.AsSpan(item * steps, steps) : default;
        for (int q = 0; q < steps; q++)
        {
            var row = scores.Slice(q * steps, steps);
            if (masked)
            {
                for (int k = 0; k < steps; k++)
                    if (hidden[k]) row[k] = float.NegativeInfinity;
            }
            float max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, row);
            TensorPrimitives.Multiply(row, scale, row);
            TensorPrimitives.Exp(row, row);
            TensorPrimitives.Multiply(row, 1f / TensorPrimitives.Sum(row), row);
        }
    }

    /// <summary>The attention weights summed over the heads and divided by their number, as PyTorch averages them.</summary>
    private void AverageOverHeads(ReadOnlySpan<float> weights, int batch)
    {
        int tt = steps * steps;
        if (averaged is null) averaged = new Tensor(batch, steps, steps);
        else averaged.ResizeBatch(batch);
        Span<float> avg = averaged.Span;
        for (int b = 0; b < batch; b++)
        {
            var dst = avg.Slice(b * tt, tt);
            weights.Slice(b * heads * tt, tt).CopyTo(dst);
            for (int h = 1; h < heads; h++) TensorPrimitives.Add(dst, weights.Slice((b * heads + h) * tt, tt), dst);
            TensorPrimitives.Divide(dst, heads, dst);
        }
    }

    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        var xr = input ?? throw new InvalidOperationException("MultiheadAttention.Backward called before Forward");
        int rows = xr.Rows, batch = rows / steps, e = embed, e3 = 3 * embed, tt = steps * steps;
        if (gradOutput.Rows != batch || gradOutput.RowLength != steps * e)
            throw new BottleneckException($"MultiheadAttention: the output gradient has {gradOutput.Rows} items of {gradOutput.RowLength} values, expected {batch} of {steps * e}");

        // dL/d(context) through out_proj (its weight and bias gradients written on the way).
        var dctx = outProj.Backward(gradOutputRows.Of(gradOutput, e), true)!;
        EnsureShape(ref gradQkv, rows, e3);
        EnsureShape(ref gradProbabilities, batch, heads * tt);
        ReadOnlySpan<float> qkvs = qkv!.Span, weights = mixed!.Span, dctxs = dctx.Span;
        Span<float> dqkv = gradQkv!.Span, dprobs = gradProbabilities!.Span;
        for (int b = 0; b < batch; b++)
        {
            int item = b * steps * e3;
            for (int h = 0; h < heads; h++)
            {
                var dO = dctxs[(b * steps * e + h * headDim)..];
                var dP = dprobs.Slice((b * heads + h) * tt, tt);
                // O = P·v: dP = dO·vᵀ and dv = Pᵀ·dO.
                Gemm.Multiply(false, true, steps, steps, headDim, dO, e, qkvs[(item + 2 * e + h * headDim)..], e3, dP, steps, accumulate: false, engine: Engine);
                Gemm.Multiply(true, false, steps, headDim, steps, weights.Slice((b * heads + h) * tt, tt), steps, dO, e,
                    dqkv[(item + 2 * e + h * headDim)..], e3, accumulate: false, engine: Engine);
            }
        }

        // Through dropout (when it ran), then the softmax: ds = P ⊙ (dP − Σ P ⊙ dP), per query row,
        // times the scale, which makes it the gradient of the unscaled q·kᵀ.
        var dMixed = !ReferenceEquals(mixed, probabilities) ? attentionDropout!.Backward(gradProbabilities, true)! : gradProbabilities;
        ReadOnlySpan<float> probs = probabilities!.Span, dps = dMixed.Span;
        for (int r = 0, n = batch * heads * steps; r < n; r++)
        {
            var p = probs.Slice(r * steps, steps);
            var dp = dps.Slice(r * steps, steps);
            var ds = dprobs.Slice(r * steps, steps);
            float dot = TensorPrimitives.Dot(p, dp);
            TensorPrimitives.Subtract(dp, dot, ds);
            TensorPrimitives.Multiply(ds, p, ds);
            TensorPrimitives.Multiply(ds, scale, ds);
        }

        for (int b = 0; b < batch; b++)
        {
            int item = b * steps * e3;
            for (int h = 0; h < heads; h++)
            {
                ReadOnlySpan<float> ds = dprobs.Slice((b * heads + h) * tt, tt);
                // s = q·kᵀ: dq = ds·k and dk = dsᵀ·q, into q's and k's columns of dqkv.
                Gemm.Multiply(false, false, steps, headDim, steps, ds, steps, qkvs[(item + e + h * headDim)..], e3,
                    dqkv[(item + h * headDim)..], e3, accumulate: false, engine: Engine);
                Gemm.Multiply(true, false, steps, headDim, steps, ds, steps, qkvs[(item + h * headDim)..], e3,
                    dqkv[(item + e + h * headDim)..], e3, accumulate: false, engine: Engine);
            }
        }

        // The input projection over all steps at once: dWᵢₙ = dqkvᵀ·x, dbᵢₙ = Σ dqkv, dx = dqkv·Wᵢₙ.
        Gemm.Multiply(true, false, e3, e, rows, dqkv, e3, xr.Span, e, inProjWeight.Grad.Span, e, accumulate: false, engine: Engine);
        var db = inProjBias.Grad.Span;
        db.Clear();
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(db, dqkv.Slice(r * e3, e3), db);
        if (!needInputGrad) return null;
        EnsureShape(ref gradInput, rows, e);
        Gemm.Multiply(false, false, rows, e, e3, dqkv, e3, inProjWeight.Value.Span, e, gradInput!.Span, e, accumulate: false, engine: Engine);
        return gradInputItems.Of(gradInput, steps * e);
    }

    public override string Describe() =>
        $"MultiheadAttention((out_proj): NonDynamicallyQuantizableLinear(in_features={embed}, out_features={embed}, bias=True))";
}
