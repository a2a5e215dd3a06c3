using Bottleneck.Layers;
using Bottleneck.Tensors;

namespace Bottleneck.Models;

/// <summary>
/// Contractive autoencoder (Rifai et al. 2011): λ·‖J_f(x)‖²_F, the squared Frobenius norm of the
/// encoder's Jacobian, for an encoder z = W₂·φ(W₁x + b₁) + b₂. Exactly, with dₙ = φ'(aₙ):
/// J = W₂·diag(dₙ)·W₁, so ‖J‖²_F = dₙᵀ·C·dₙ where C = (W₂ᵀW₂) ∘ (W₁W₁ᵀ) is shared by the batch.
/// That turns a per-item 20×784 Jacobian into a few H×H products. The gradient flows into W₁ and
/// W₂ through C and, for curved φ (sigmoid, tanh), into W₁ and b₁ through dₙ.
/// </summary>
public sealed class ContractivePenalty : CodeRegularizer
{
    public static readonly ActivationKind[] Activations = [ActivationKind.Relu, ActivationKind.LeakyRelu, ActivationKind.Sigmoid, ActivationKind.Tanh];

    private readonly Linear first;
    private readonly Activation activation;
    private readonly Linear second;
    private readonly double weight;
    private readonly int hidden;
    private readonly float[] a, b, c, s, g;
    private Tensor? slopes;
    private Tensor? slopeTimesC;
    private Tensor? ones;
    private Tensor? input;

    public ContractivePenalty(Sequential encoder, double weight)
    {
        if (!TryParts(encoder, out first!, out activation!, out second!))
            throw new BottleneckException("the contractive penalty needs an encoder of the form Linear, activation, Linear");
        this.weight = weight;
        hidden = first.OutFeatures;
        if ((long)hidden * hidden > Array.MaxLength)
            throw new BottleneckException($"the contractive penalty of a hidden width of {hidden:N0} needs {hidden:N0}×{hidden:N0} matrices, more than one array can hold");
        int hh = hidden * hidden;
        // SquareBuffers of them.
        a = new float[hh];
        b = new float[hh];
        c = new float[hh];
        s = new float[hh];
        g = new float[hh];
    }

    public override string PenaltyName => "contractive";

    public static bool SupportsActivation(ActivationKind kind) => Activations.Contains(kind);

    public override Tensor Forward(Tensor encoded, Tensor input, Rng? sampler, bool training)
    {
        this.input = input;
        ComputeSlopes();
        ComputeC();
        Penalty = weight * SquaredNorms(default);
        return encoded;
    }

    /// <summary>The penalty does not depend on the code's value, only on the weights and φ'.</summary>
    public override Tensor Backward(Tensor gradCode) => gradCode;

    public override void AddParameterGradients()
    {
        var x = input ?? throw new InvalidOperationException("AddParameterGradients called before Forward");
        int n = x.Rows, h = hidden, d = first.InFeatures, l = second.OutFeatures;
        var dm = slopes!.Span;
        float twoLambda = (float)(2 * weight);
        // The layers' own checks of these gradients no longer cover what is added here.
        first.Weight.GradientKnownFinite = false;
        second.Weight.GradientKnownFinite = false;
        // S = DᵀD: how often each pair of hidden units is active together, weighted by slopes.
        Gemm.Multiply(true, false, h, h, n, dm, h, dm, h, s, h, accumulate: false, engine: first.Engine);
        // ∂P/∂W₂ = 2λ·W₂·(S∘B)
        for (int i = 0; i < g.Length; i++) g[i] = twoLambda * s[i] * b[i];
        Gemm.Multiply(false, false, l, h, h, second.Weight.Value.Span, h, g, h, second.Weight.Grad.Span, h, accumulate: true, engine: first.Engine);
        // ∂P/∂W₁ = 2λ·(S∘A)·W₁
        for (int i = 0; i < g.Length; i++) g[i] = twoLambda * s[i] * a[i];
        Gemm.Multiply(false, false, h, d, h, g, h, first.Weight.Value.Span, d, first.Weight.Grad.Span, d, accumulate: true, engine: first.Engine);
        if (activation is ReLU or LeakyReLU) return; // φ' is piecewise constant: no path through dₙ.
        // ∂P/∂aₙ = 2λ·(C·dₙ) ∘ φ''(aₙ); then into W₁ and b₁ like any pre-activation gradient.
        var e = slopeTimesC!.Span;
        var hOut = activation.LastOutput!.Span;
        for (int i = 0; i < e.Length; i++)
        {
            float y = hOut[i];
            float curvature = activation is Sigmoid ? dm[i] * (1 - 2 * y) : -2 * y * dm[i];
            e[i] *= twoLambda * curvature;
        }
        Gemm.Multiply(true, false, h, d, n, e, h, x.Span, d, first.Weight.Grad.Span, d, accumulate: true, engine: first.Engine);
        var db = first.Bias.Grad.Span;
        for (int r = 0; r < n; r++)
            System.Numerics.Tensors.TensorPrimitives.Add(db, e.Slice(r * h, h), db);
    }

    /// <summary>The widest hidden layer whose Jacobian norms are measured as a diagnostic.</summary>
    public const int MaxDiagnosticWidth = 8192;

    /// <summary>hidden×hidden matrices the penalty keeps (A, B, C and two gradient buffers).</summary>
    public const int SquareBuffers = 5;

    /// <summary>‖J(x)‖_F of each item of <paramref name="x"/> for an encoder of the supported form; null otherwise.</summary>
    public static double[]? JacobianNorms(Sequential encoder, Tensor x)
    {
        if (!TryParts(encoder, out var first, out _, out _)) return null;
        // A figure, not a need: past this width its five hidden×hidden matrices (1.3 GB at 8,192)
        // would cost more than the rest of the model's evaluation, so it is left out.
        if (first!.OutFeatures > MaxDiagnosticWidth) return null;
        var probe = new ContractivePenalty(encoder, 1);
        probe.ComputeC();
        int n = x.Rows, d = x.RowLength;
        var norms = new double[n];
        // A chunk of items at a time: the same value for each item (every step is per row), without
        // hidden-layer buffers as large as the whole input (16 MB each for 10,000 items).
        var chunk = new Tensor(Math.Min(n, Autoencoder.InferenceChunk), d);
        for (int start = 0; start < n; start += Autoencoder.InferenceChunk)
        {
            int rows = Math.Min(Autoencoder.InferenceChunk, n - start);
            chunk.ResizeBatch(rows);
            x.Span.Slice(start * d, rows * d).CopyTo(chunk.Span);
            encoder.Forward(chunk, training: false);
            probe.input = chunk;
            probe.ComputeSlopes();
            probe.SquaredNorms(norms.AsSpan(start, rows));
        }
        for (int i = 0; i < norms.Length; i++) norms[i] = Math.Sqrt(Math.Max(0, norms[i]));
        return norms;
    }

    private static bool TryParts(Sequential encoder, out Linear? first, out Activation? activation, out Linear? second)
    {
        first = null;
        activation = null;
        second = null;
        if (encoder.Layers is not [Linear l1, Activation act, Linear l2] || !SupportsActivation(act.Kind)) return false;
        (first, activation, second) = (l1, act, l2);
        return true;
    }

    /// <summary>D = φ'(a) for the batch, from the activation's own derivative with dy = 1.</summary>
    private void ComputeSlopes()
    {
        var aIn = activation.LastInput!;
        int n = aIn.Rows;
        Tensor.Ensure(ref slopes, n, hidden);
        Tensor.Ensure(ref ones, n, hidden);
        ones!.Span.Fill(1f);
        activation.Derivative(aIn.Span, activation.LastOutput!.Span, ones.Span, slopes!.Span);
    }

    /// <summary>A = W₂ᵀW₂, B = W₁W₁ᵀ, C = A∘B.</summary>
    private void ComputeC()
    {
        int h = hidden, d = first.InFeatures, l = second.OutFeatures;
        Gemm.Multiply(true, false, h, h, l, second.Weight.Value.Span, h, second.Weight.Value.Span, h, a, h, accumulate: false, engine: first.Engine);
        Gemm.Multiply(false, true, h, h, d, first.Weight.Value.Span, d, first.Weight.Value.Span, d, b, h, accumulate: false, engine: first.Engine);
        System.Numerics.Tensors.TensorPrimitives.Multiply(a, b, c);
    }

    /// <summary>Σₙ dₙᵀ·C·dₙ; also each item's term when <paramref name="perItem"/> is not empty.</summary>
    private double SquaredNorms(Span<double> perItem)
    {
        var dm = slopes!;
        int n = dm.Rows, h = hidden;
        Tensor.Ensure(ref slopeTimesC, n, h);
        var e = slopeTimesC!.Span;
        Gemm.Multiply(false, false, n, h, h, dm.Span, h, c, h, e, h, accumulate: false, engine: first.Engine);
        double total = 0;
        for (int r = 0; r < n; r++)
        {
            double item = System.Numerics.Tensors.TensorPrimitives.Dot(dm.Span.Slice(r * h, h), e.Slice(r * h, h));
            if (!perItem.IsEmpty) perItem[r] = item;
            total += item;
        }
        return total;
    }
}
