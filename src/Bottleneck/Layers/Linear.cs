using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>y = x·Wᵀ + b, with W stored [out, in] as in PyTorch.</summary>
public sealed class Linear : Layer, GemmThreadPool.IParallelJob
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Parameter[] parameters;
    private Tensor? input;
    private Tensor? output;
    private Tensor? gradInput;
    private Tensor? gradOutput; // set while the bias gradient is summed across the pool

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
    }

    public int InFeatures { get; }

    public int OutFeatures { get; }

    public Parameter Weight => weight;

    public Parameter Bias => bias;

    public override IReadOnlyList<Parameter> Parameters => parameters;

    public override int OutputSize(int inputSize) => OutFeatures;

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        input = x;
        int batch = x.Rows;
        EnsureShape(ref output, batch, OutFeatures);
        // Seed every row with the bias, then let the GEMM accumulate x·Wᵀ onto it: the bias add
        // costs one pass over the output instead of a second sweep after the product.
        var y = output!.Span;
        var b = bias.Value.Span;
        for (int r = 0; r < batch; r++) b.CopyTo(y.Slice(r * OutFeatures, OutFeatures));
        Gemm.Multiply(false, true, batch, OutFeatures, InFeatures,
            x.Span, InFeatures, weight.Value.Span, InFeatures, y, OutFeatures, accumulate: true);
        return output;
    }

    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        var x = input ?? throw new InvalidOperationException("Linear.Backward called before Forward");
        int batch = x.Rows;
        var dy = gradOutput.Span;

        // dW = dYᵀ·X  [out, in]
        Gemm.Multiply(true, false, OutFeatures, InFeatures, batch,
            dy, OutFeatures, x.Span, InFeatures, weight.Grad.Span, InFeatures, accumulate: false);

        // db = column sums of dY, the columns split between threads (each column is summed over
        // the rows in order by whichever thread holds it, so the split does not change the bits).
        this.gradOutput = gradOutput;
        try
        {
            Elementwise.Run(this, Math.Max(1, Math.Min(Elementwise.Parts(gradOutput.Length), OutFeatures / Elementwise.Alignment)));
        }
        finally
        {
            this.gradOutput = null;
        }

        if (!needInputGrad) return null;
        // dX = dY·W  [batch, in]
        EnsureShape(ref gradInput, batch, InFeatures);
        Gemm.Multiply(false, false, batch, InFeatures, OutFeatures,
            dy, OutFeatures, weight.Value.Span, InFeatures, gradInput!.Span, InFeatures, accumulate: false);
        return gradInput;
    }

    void GemmThreadPool.IParallelJob.RunPart(int part, int parts)
    {
        int start = Elementwise.Start(OutFeatures, part, parts), end = Elementwise.Start(OutFeatures, part + 1, parts);
        if (start >= end) return;
        var db = bias.Grad.Span[start..end];
        ReadOnlySpan<float> dy = gradOutput!.Span;
        db.Clear();
        for (int r = 0, rows = input!.Rows; r < rows; r++)
            System.Numerics.Tensors.TensorPrimitives.Add(db, dy.Slice(r * OutFeatures + start, end - start), db);
    }

    public override string Describe() => $"Linear(in_features={InFeatures}, out_features={OutFeatures})";

    private void CheckInput(Tensor x)
    {
        if (x.RowLength != InFeatures)
            throw new BottleneckException($"Linear layer expects {InFeatures} input features per item, got {x.RowLength}");
    }
}
