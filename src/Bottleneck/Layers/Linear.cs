using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>y = x·Wᵀ + b, with W stored [out, in] as in PyTorch.</summary>
public sealed class Linear : Layer, WorkerPool.IParallelJob
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Parameter[] parameters;
    private Tensor? input;
    private Tensor? output;
    private Tensor? gradInput;
    private Tensor? gradOutput; // set for the length of a backward pass
    private readonly BackwardPair pair;
    // Whether the last input was mostly zeros, judged from its first SampledRows rows.
    private bool inputMostlyZeros;
    private const int SampledRows = 8;
    // The backward mask of a ReLU below, for the length of a backward pass.
    private IGemmEpilogue? maskBelow;
    private readonly FiniteCheck weightGradCheck = new();

    public Linear(int inFeatures, int outFeatures, Rng rng)
    {
        if (inFeatures < 1 || outFeatures < 1)
            throw new BottleneckException($"Linear layer sizes must be positive, got {inFeatures}→{outFeatures}");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        weight = new Parameter("weight", outFeatures, inFeatures);
        bias = new Parameter("bias", outFeatures);
        Init.UniformFanIn(weight.Value, inFeatures, rng);
        Init.UniformFanIn(bias.Value, inFeatures, rng);
        parameters = [weight, bias];
        pair = new BackwardPair(this);
    }

    public int InFeatures { get; }

    public int OutFeatures { get; }

    public Parameter Weight => weight;

    public Parameter Bias => bias;

    public override IReadOnlyList<Parameter> Parameters => parameters;

    public override int OutputSize(int inputSize) => OutFeatures;

    public override Tensor Forward(Tensor x, bool training) => Forward(x, null);

    /// <summary>
    /// y = b + x·Wᵀ, or relu(b + x·Wᵀ) when the ReLU that follows is fused in: each tile of y is
    /// rectified by that layer's own function as soon as it is final (see <see cref="Sequential"/>).
    /// </summary>
    internal Tensor Forward(Tensor x, ReLU? fusedReLU)
    {
        CheckInput(x);
        input = x;
        int batch = x.Rows;
        EnsureShape(ref output, batch, OutFeatures);
        // y = b + x·Wᵀ: the GEMM adds the bias to each tile with its first reduction block (the
        // same sums as seeding every row with the bias and accumulating onto it, minus that pass).
        Gemm.MultiplyAddBias(Engine, false, true, batch, OutFeatures, InFeatures,
            x.Span, InFeatures, weight.Value.Span, InFeatures, output!.Span, OutFeatures, bias.Value.Span,
            fusedReLU?.RectifyTiles);
        // A few rows tell whether the input is mostly zeros (images), which picks dW's arrangement.
        inputMostlyZeros = GemmSparsity.MostlyZeros(x.Span[..(Math.Min(batch, SampledRows) * InFeatures)]);
        return output;
    }

    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad) => Backward(gradOutput, needInputGrad, null);

    /// <summary>
    /// As <see cref="Backward(Tensor, bool)"/>; with <paramref name="reluBelow"/>, the ReLU that
    /// feeds this layer, the input gradient comes out already through that ReLU's backward (its
    /// mask applied to each tile of dX as soon as it is final), so the ReLU's own pass is skipped.
    /// </summary>
    internal Tensor? Backward(Tensor gradOutput, bool needInputGrad, ReLU? reluBelow)
    {
        var x = input ?? throw new InvalidOperationException("Linear.Backward called before Forward");
        if (reluBelow is not null && reluBelow.LastOutput is null)
            throw new InvalidOperationException("ReLU backward before its forward");
        maskBelow = reluBelow?.MaskTiles;
        int batch = x.Rows;
        if (needInputGrad) EnsureShape(ref gradInput, batch, InFeatures);
        this.gradOutput = gradOutput;
        try
        {
            if (needInputGrad && Engine.Threads == 2 && (long)batch * InFeatures * OutFeatures >= ConcurrentThreshold)
            {
                // dW (with db) and dX depend only on dY: with two threads, each computes one of
                // them whole, side by side, instead of both threads splitting each product in
                // turn. Same products, so the same bits; each thread packs only its own operands.
                // Inside a part the pool is held, so the products run on that part's thread.
                Elementwise.Run(pair, 2);
            }
            else
            {
                WeightAndBiasGradients(parallelBias: true);
                if (needInputGrad) InputGradient();
            }
        }
        finally
        {
            this.gradOutput = null;
            maskBelow = null;
        }
        return needInputGrad ? gradInput : null;
    }

    // Below this many multiply-adds per product, splitting each product is as good.
    private const long ConcurrentThreshold = 256 * 1024;

    /// <summary>dW = dYᵀ·X [out, in] and db = the column sums of dY.</summary>
    private void WeightAndBiasGradients(bool parallelBias)
    {
        var x = input!;
        var dy = gradOutput!;
        // Each tile of dW is checked for NaN and infinity as it is written, which spares the
        // trainer a second read of the whole gradient.
        weightGradCheck.Reset();
        if (inputMostlyZeros)
        {
            // dW = (Xᵀ·dY)ᵀ, the same sums: X as the kernel's A puts its zeros in panels of 8
            // features, most of which are all zero in a batch of images (see MultiplyTransposedC).
            Gemm.MultiplyTransposedC(Engine, true, false, InFeatures, OutFeatures, x.Rows,
                x.Span, InFeatures, dy.Span, OutFeatures, weight.Grad.Span, InFeatures, weightGradCheck);
        }
        else
        {
            Gemm.MultiplyThen(Engine, true, false, OutFeatures, InFeatures, x.Rows,
                dy.Span, OutFeatures, x.Span, InFeatures, weight.Grad.Span, InFeatures, weightGradCheck);
        }
        weight.GradientKnownFinite = weightGradCheck.AllFinite;
        // db: the columns split between threads (each column is summed over the rows in order by
        // whichever thread holds it, so the split does not change the bits).
        int parts = parallelBias ? Math.Max(1, Math.Min(Elementwise.Parts(Engine, dy.Length), OutFeatures / Elementwise.Alignment)) : 1;
        Elementwise.Run(this, parts);
    }

    /// <summary>dX = dY·W [batch, in].</summary>
    private void InputGradient()
    {
        var dy = gradOutput!;
        if (maskBelow is { } mask)
        {
            Gemm.MultiplyThen(Engine, false, false, input!.Rows, InFeatures, OutFeatures,
                dy.Span, OutFeatures, weight.Value.Span, InFeatures, gradInput!.Span, InFeatures, mask);
        }
        else
        {
            Gemm.Multiply(false, false, input!.Rows, InFeatures, OutFeatures,
                dy.Span, OutFeatures, weight.Value.Span, InFeatures, gradInput!.Span, InFeatures, accumulate: false, engine: Engine);
        }
    }

    /// <summary>Part <paramref name="part"/> of the bias gradient's columns.</summary>
    void WorkerPool.IParallelJob.RunPart(int part, int parts)
    {
        int start = Elementwise.Start(OutFeatures, part, parts), end = Elementwise.Start(OutFeatures, part + 1, parts);
        if (start >= end) return;
        var db = bias.Grad.Span[start..end];
        ReadOnlySpan<float> dy = gradOutput!.Span;
        db.Clear();
        for (int r = 0, rows = input!.Rows; r < rows; r++)
            System.Numerics.Tensors.TensorPrimitives.Add(db, dy.Slice(r * OutFeatures + start, end - start), db);
    }

    /// <summary>The two halves of a backward pass run side by side: part 0 dW and db, part 1 dX.</summary>
    private sealed class BackwardPair(Linear layer) : WorkerPool.IParallelJob
    {
        public void RunPart(int part, int parts)
        {
            if (part == 0) layer.WeightAndBiasGradients(parallelBias: false);
            else layer.InputGradient();
        }
    }

    public override string Describe() => $"Linear(in_features={InFeatures}, out_features={OutFeatures})";

    private void CheckInput(Tensor x)
    {
        if (x.RowLength != InFeatures)
            throw new BottleneckException($"Linear layer expects {InFeatures} input features per item, got {x.RowLength}");
    }
}
