using System.Numerics;
using System.Runtime.Intrinsics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>
/// An elementwise activation y = f(x). Subclasses give the forward map and dL/dx from x, y and dy;
/// the buffers, the batch bookkeeping and the split of large batches across the worker pool live
/// here once. Each value is computed the same way whichever part holds it, so results do not
/// depend on the thread count.
/// </summary>
public abstract class Activation : Layer, WorkerPool.IParallelJob
{
    private Tensor? input;
    private Tensor? output;
    private Tensor? ownOutput; // output is this buffer unless a fused layer's output was adopted
    private Tensor? gradInput;
    private Tensor? gradOutput; // set for the duration of a parallel backward pass
    private bool backward;

    /// <summary>What this activation is.</summary>
    public abstract ActivationKind Kind { get; }

    /// <summary>The name used on the command line and in model.json.</summary>
    public string Name => Kind.Name();

    public override int OutputSize(int inputSize) => inputSize;

    /// <summary>Input and output of the last forward, for penalties that look inside the network (contractive).</summary>
    internal Tensor? LastInput => input;

    internal Tensor? LastOutput => output;

    public override Tensor Forward(Tensor x, bool training)
    {
        input = x;
        EnsureShape(ref ownOutput, x.Rows, x.RowLength);
        output = ownOutput;
        backward = false;
        Elementwise.Run(this, Elementwise.Parts(Engine, x.Length, ValuesPerPart));
        return output!;
    }

    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        if (!needInputGrad) return null;
        var x = input ?? throw new InvalidOperationException($"{Name}.Backward called before Forward");
        if (gradOutput.Length != x.Length)
            throw new BottleneckException($"{Name}: the output gradient has {gradOutput.Length} values, the last input {x.Length}");
        EnsureShape(ref gradInput, x.Rows, x.RowLength);
        this.gradOutput = gradOutput;
        backward = true;
        try
        {
            Elementwise.Run(this, Elementwise.Parts(Engine, x.Length, ValuesPerPart));
        }
        finally
        {
            this.gradOutput = null;
        }
        return gradInput;
    }

    /// <summary>
    /// Values per part when a pass is split across threads: cheap maps (ReLU) only pay for a
    /// worker on large batches, costly ones (exp, erf) sooner.
    /// </summary>
    private protected virtual int ValuesPerPart => Elementwise.MinValuesPerPart;

    /// <summary>
    /// Takes <paramref name="y"/>, already f(x) for the x it came from, as this forward's result:
    /// the layer below applied f to its output tiles itself. Only for f with f(f(x)) = f(x)
    /// (ReLU), so that y stands for the input too: the backward, which reads the output, and
    /// anything that reads <see cref="LastInput"/> see a consistent pair.
    /// </summary>
    private protected Tensor Adopt(Tensor y)
    {
        input = y;
        output = y;
        return y;
    }

    void WorkerPool.IParallelJob.RunPart(int part, int parts)
    {
        var x = input!;
        int start = Elementwise.Start(x.Length, part, parts), end = Elementwise.Start(x.Length, part + 1, parts);
        if (start >= end) return;
        var xs = x.Span[start..end];
        var ys = output!.Span[start..end];
        if (backward) Derivative(xs, ys, gradOutput!.Span[start..end], gradInput!.Span[start..end]);
        else Apply(xs, ys);
    }

    /// <summary>y = f(x).</summary>
    public abstract void Apply(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>dx = dy · f'(x), where y = f(x) is given too since many derivatives are cheaper from it.</summary>
    public abstract void Derivative(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx);

    /// <summary>Creates an activation of a kind.</summary>
    public static Activation Create(ActivationKind kind) => kind switch
    {
        ActivationKind.Relu => new ReLU(),
        ActivationKind.Sigmoid => new Sigmoid(),
        ActivationKind.Tanh => new Tanh(),
        ActivationKind.LeakyRelu => new LeakyReLU(),
        ActivationKind.Elu => new ELU(),
        ActivationKind.Gelu => new GELU(),
        ActivationKind.Softplus => new Softplus(),
        ActivationKind.None => new Identity(),
        _ => throw NamedEnum.Undefined(kind),
    };

    /// <summary>Creates an activation from its name ("identity" and "linear" are other names of none).</summary>
    public static Activation Create(string name) => Create(name is "identity" or "linear" ? ActivationKind.None : NamedEnum.Parse<ActivationKind>(name));

    public static IReadOnlyList<string> Names => NamedEnum.Names<ActivationKind>();
}

public sealed class ReLU : Activation
{
    public ReLU()
    {
        RectifyTiles = new Rectify(this);
        MaskTiles = new Mask(this);
    }

    public override ActivationKind Kind => ActivationKind.Relu;

    /// <summary>Applies this layer to each finished tile of the Linear output below it.</summary>
    internal IGemmEpilogue RectifyTiles { get; }

    /// <summary>Applies this layer's backward to each finished tile of the input gradient of the Linear above it.</summary>
    internal IGemmEpilogue MaskTiles { get; }

    /// <summary>The forward of a ReLU whose input the Linear below already rectified (<see cref="RectifyTiles"/>).</summary>
    internal Tensor ForwardRectified(Tensor y) => Adopt(y);

    // The tile epilogues compute what Apply and Derivative compute, value for value: max(x, 0)
    // is x where x > 0 or x is NaN and +0 elsewhere (−0 included); the mask keeps dy where y > 0.
    // A tile row is 32 floats, too short for a TensorPrimitives call per row to pay.
    private sealed unsafe class Rectify(ReLU relu) : IGemmEpilogue
    {
        public void Apply(float* tile, int ldc, int row0, int col0, int rows, int cols)
        {
            for (int i = 0; i < rows; i++)
            {
                float* row = tile + (long)i * ldc;
                int j = 0;
                if (Vector512.IsHardwareAccelerated)
                {
                    for (; j + 16 <= cols; j += 16)
                    {
                        var x = Vector512.Load(row + j);
                        var keep = Vector512.GreaterThan(x, Vector512<float>.Zero)
                            | ~Vector512.Equals(x, x);
                        Vector512.ConditionalSelect(keep, x, Vector512<float>.Zero).Store(row + j);
                    }
                }
                if (j < cols)
                {
                    var rest = new Span<float>(row + j, cols - j);
                    relu.Apply(rest, rest);
                }
            }
        }
    }

    private sealed unsafe class Mask(ReLU relu) : IGemmEpilogue
    {
        public void Apply(float* tile, int ldc, int row0, int col0, int rows, int cols)
        {
            var y = relu.LastOutput!;
            int width = y.RowLength;
            fixed (float* py = y.Span)
            {
                for (int i = 0; i < rows; i++)
                {
                    float* row = tile + (long)i * ldc;
                    float* yRow = py + (long)(row0 + i) * width + col0;
                    int j = 0;
                    if (Vector512.IsHardwareAccelerated)
                    {
                        for (; j + 16 <= cols; j += 16)
                        {
                            var positive = Vector512.GreaterThan(
                                Vector512.Load(yRow + j), Vector512<float>.Zero);
                            Vector512.ConditionalSelect(positive, Vector512.Load(row + j),
                                Vector512<float>.Zero).Store(row + j);
                        }
                    }
                    if (j < cols)
                    {
                        var rest = new Span<float>(row + j, cols - j);
                        var yRest = new ReadOnlySpan<float>(yRow + j, cols - j);
                        relu.Derivative(yRest, yRest, rest, rest);
                    }
                }
            }
        }
    }

    public override string Describe() => "ReLU()";

    // A max or a select per value: only large batches are worth a second thread.
    private protected override int ValuesPerPart => 2 * Elementwise.MinValuesPerPart;

    public override void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    public override void Derivative(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        // PyTorch masks on the output: the gradient passes where y > 0.
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var yv = System.Runtime.InteropServices.MemoryMarshal.Cast<float, Vector<float>>(y);
            var dyv = System.Runtime.InteropServices.MemoryMarshal.Cast<float, Vector<float>>(dy);
            var dxv = System.Runtime.InteropServices.MemoryMarshal.Cast<float, Vector<float>>(dx);
            for (int v = 0; v < yv.Length; v++)
                dxv[v] = Vector.ConditionalSelect(Vector.GreaterThan(yv[v], Vector<float>.Zero), dyv[v], Vector<float>.Zero);
            i = yv.Length * Vector<float>.Count;
        }
        for (; i < y.Length; i++) dx[i] = y[i] > 0f ? dy[i] : 0f;
    }
}

public sealed class Sigmoid : Activation
{
    public override ActivationKind Kind => ActivationKind.Sigmoid;

    public override string Describe() => "Sigmoid()";

    public override void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sigmoid(x, y);

    /// <remarks>
    /// Subnormal results are flushed to zero. Outputs the network has pushed towards 0 (an MNIST
    /// digit's border pixels, late in training) give gradients of p²·10¹² under BCE's clamp, and
    /// some fall below float's smallest normal value. The layer below multiplies each of them with
    /// hundreds of weights and activations, and every instruction that touches a subnormal costs a
    /// microcode assist: about 0.2 ms a step in the seed model's last layer, a fifth of its backward
    /// pass. A gradient below 1.2e-38 moves no weight by a representable amount: the seed run's
    /// weights after 10 epochs are bit for bit those without the flush.
    /// </remarks>
    public override void Derivative(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var yv = System.Runtime.InteropServices.MemoryMarshal.Cast<float, Vector<float>>(y);
            var dyv = System.Runtime.InteropServices.MemoryMarshal.Cast<float, Vector<float>>(dy);
            var dxv = System.Runtime.InteropServices.MemoryMarshal.Cast<float, Vector<float>>(dx);
            for (int v = 0; v < yv.Length; v++) dxv[v] = VectorMath.FlushSubnormal(dyv[v] * (Vector<float>.One - yv[v]) * yv[v]);
            i = yv.Length * Vector<float>.Count;
        }
        for (; i < y.Length; i++) dx[i] = VectorMath.FlushSubnormal(dy[i] * (1f - y[i]) * y[i]);
    }
}

public sealed class Tanh : Activation
{
    public override ActivationKind Kind => ActivationKind.Tanh;

    public override string Describe() => "Tanh()";

    private protected override int ValuesPerPart => Elementwise.MinValuesPerPart / 8;

    public override void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Tanh(x, y);

    public override void Derivative(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < y.Length; i++) dx[i] = dy[i] * (1f - y[i] * y[i]);
    }
}

public sealed class LeakyReLU(float negativeSlope = 0.01f) : Activation
{
    public float NegativeSlope { get; } = negativeSlope;

    public override ActivationKind Kind => ActivationKind.LeakyRelu;

    public override string Describe() => $"LeakyReLU(negative_slope={NegativeSlope})";

    public override void Apply(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] > 0f ? x[i] : x[i] * NegativeSlope;
    }

    public override void Derivative(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < x.Length; i++) dx[i] = x[i] > 0f ? dy[i] : dy[i] * NegativeSlope;
    }
}

public sealed class ELU(float alpha = 1f) : Activation
{
    public float Alpha { get; } = alpha;

    public override ActivationKind Kind => ActivationKind.Elu;

    public override string Describe() => $"ELU(alpha={Alpha})";

    private protected override int ValuesPerPart => Elementwise.MinValuesPerPart / 8;

    public override void Apply(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] > 0f ? x[i] : Alpha * (MathF.Exp(x[i]) - 1f);
    }

    public override void Derivative(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < x.Length; i++) dx[i] = x[i] > 0f ? dy[i] : dy[i] * (y[i] + Alpha);
    }
}

/// <summary>The exact GELU, x·Φ(x), as PyTorch's default (approximate='none').</summary>
public sealed class GELU : Activation
{
    public override ActivationKind Kind => ActivationKind.Gelu;

    public override string Describe() => "GELU(approximate='none')";

    private protected override int ValuesPerPart => Elementwise.MinValuesPerPart / 8;

    public override void Apply(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = (float)(x[i] * NormalCdf(x[i]));
    }

    public override void Derivative(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        const double InvSqrt2Pi = 0.3989422804014327;
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            double pdf = InvSqrt2Pi * Math.Exp(-0.5 * v * v);
            dx[i] = (float)(dy[i] * (NormalCdf(v) + v * pdf));
        }
    }

    private static double NormalCdf(double v) => 0.5 * (1.0 + SpecialFunctions.Erf(v / Math.Sqrt(2.0)));
}

/// <summary>log(1 + eˣ), linear above the threshold as PyTorch does (beta 1, threshold 20).</summary>
public sealed class Softplus : Activation
{
    private const float Threshold = 20f;

    public override ActivationKind Kind => ActivationKind.Softplus;

    public override string Describe() => "Softplus(beta=1, threshold=20)";

    private protected override int ValuesPerPart => Elementwise.MinValuesPerPart / 8;

    public override void Apply(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] > Threshold ? x[i] : (float)Math.Log(1.0 + Math.Exp(x[i]));
    }

    public override void Derivative(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < x.Length; i++)
            dx[i] = x[i] > Threshold ? dy[i] : (float)(dy[i] / (1.0 + Math.Exp(-x[i])));
    }
}

public sealed class Identity : Activation
{
    public override ActivationKind Kind => ActivationKind.None;

    public override string Describe() => "Identity()";

    public override void Apply(ReadOnlySpan<float> x, Span<float> y) => x.CopyTo(y);

    public override void Derivative(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => dy.CopyTo(dx);
}
