using Bottleneck.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bottleneck.Layers;

/// <summary>
/// nn.LayerNorm(features, eps) with an elementwise affine map: every group of
/// <see cref="Features"/> consecutive values (one step of a sequence [batch, steps·features], or a
/// whole item when it has exactly that many) is normalised with its own mean and biased variance,
/// then scaled by γ ("weight", initially 1) and shifted by β ("bias", initially 0). Unlike batch
/// norm it uses no batch statistics, so training and evaluation compute the same thing and there
/// are no running buffers.
/// </summary>
public sealed class LayerNorm : Layer
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Parameter[] parameters;
    private readonly float epsilon;
    private readonly float[] scratch; // γ ⊙ dy of one group, so that a backward step allocates nothing
    private Tensor? normalized;       // x̂ = (x − μ)/σ of the last forward, what backward needs
    private Tensor? invStd;           // 1/σ per group
    private Tensor? output;
    private Tensor? gradInput;

    public LayerNorm(int features, double eps = 1e-5)
    {
        if (features < 1) throw new BottleneckException($"LayerNorm needs a positive number of features, got {features}");
        if (!(eps > 0) || double.IsInfinity(eps)) throw new BottleneckException($"LayerNorm eps must be a positive number, got {eps}");
        Features = features;
        Eps = eps;
        epsilon = (float)eps;
        weight = new Parameter("weight", features);
        bias = new Parameter("bias", features);
        weight.Value.Span.Fill(1f);
        parameters = [weight, bias];
        scratch = new float[features];
    }

    public int Features { get; }

    public double Eps { get; }

    /// <summary>γ, [features].</summary>
    public Parameter Weight => weight;

    /// <summary>β, [features].</summary>
    public Parameter Bias => bias;

    public override IReadOnlyList<Parameter> Parameters => parameters;

    public override int OutputSize(int inputSize)
    {
        if (inputSize % Features != 0)
            throw new BottleneckException($"{Describe()} normalises groups of {Features} values; an item of {inputSize} does not split into them");
        return inputSize;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        OutputSize(x.RowLength);
        int d = Features, groups = x.Length / d;
        EnsureShape(ref normalized, x.Rows, x.RowLength);
        EnsureShape(ref output, x.Rows, x.RowLength);
        EnsureShape(ref invStd, x.Rows, x.RowLength / d);
        ReadOnlySpan<float> xs = x.Span, gamma = weight.Value.Span, beta = bias.Value.Span;
        Span<float> xhat = normalized!.Span, ys = output!.Span, rstd = invStd!.Span;
        for (int g = 0; g < groups; g++)
        {
            var xi = xs.Slice(g * d, d);
            var ni = xhat.Slice(g * d, d);
            // Two passes (mean, then the squares of the centred values) rather than Σx² − (Σx)²/d,
            // which cancels badly when the mean is large against the spread.
            float mean = TensorPrimitives.Sum(xi) / d;
            TensorPrimitives.Subtract(xi, mean, ni);
            float variance = TensorPrimitives.SumOfSquares(ni) / d;
            float r = 1f / MathF.Sqrt(variance + epsilon);
            rstd[g] = r;
            TensorPrimitives.Multiply(ni, r, ni);
            TensorPrimitives.FusedMultiplyAdd(ni, gamma, beta, ys.Slice(g * d, d));
        }
        return output;
    }

    /// <summary>
    /// dγ = Σ dy ⊙ x̂ and dβ = Σ dy over all groups; with g = γ ⊙ dy,
    /// dx = (g − mean(g) − x̂ · mean(g ⊙ x̂)) / σ, the normalisation's Jacobian applied to g.
    /// </summary>
    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        var xhatT = normalized ?? throw new InvalidOperationException("LayerNorm.Backward called before Forward");
        if (gradOutput.Rows != xhatT.Rows || gradOutput.Length != xhatT.Length)
            throw new BottleneckException($"{Describe()}: the output gradient has {gradOutput.Rows} items of {gradOutput.RowLength} values, expected {xhatT.Rows} of {xhatT.RowLength}");
        int d = Features, groups = xhatT.Length / d;
        if (needInputGrad) EnsureShape(ref gradInput, xhatT.Rows, xhatT.RowLength);
        ReadOnlySpan<float> dy = gradOutput.Span, xhat = xhatT.Span, gamma = weight.Value.Span, rstd = invStd!.Span;
        Span<float> dgamma = weight.Grad.Span, dbeta = bias.Grad.Span, g = scratch;
        dgamma.Clear();
        dbeta.Clear();
        for (int i = 0; i < groups; i++)
        {
            var dyi = dy.Slice(i * d, d);
            var ni = xhat.Slice(i * d, d);
            TensorPrimitives.FusedMultiplyAdd(dyi, ni, dgamma, dgamma);
            TensorPrimitives.Add(dbeta, dyi, dbeta);
            if (!needInputGrad) continue;
            TensorPrimitives.Multiply(dyi, gamma, g);
            float meanG = TensorPrimitives.Sum(g) / d;
            float meanGx = TensorPrimitives.Dot(g, ni) / d;
            var dx = gradInput!.Span.Slice(i * d, d);
            TensorPrimitives.MultiplyAdd(ni, -meanGx, g, dx);
            TensorPrimitives.Subtract(dx, meanG, dx);
            TensorPrimitives.Multiply(dx, rstd[i], dx);
        }
        return needInputGrad ? gradInput : null;
    }

    public override string Describe() => $"LayerNorm(({Features},), eps={PythonRepr.Float(Eps)}, elementwise_affine=True)";
}
