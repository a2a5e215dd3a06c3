using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>
/// nn.Conv2d with a square kernel, one stride and one zero padding for both axes (no dilation,
/// no groups). Weight [out, in, k, k] and bias [out] as in PyTorch.
/// </summary>
/// <remarks>
/// Forward unfolds the batch into a patch matrix P [in·k·k, N·OH·OW] and computes W·P [out, N·OH·OW]
/// in one GEMM, then moves it to NCHW while adding the bias. Backward: dW = dY'·Pᵀ and
/// dP = Wᵀ·dY' (dY' is dY moved to [out, N·OH·OW]); dX folds dP back onto the image.
/// </remarks>
public sealed class Conv2d : SpatialLayer
{
    private readonly ConvGeometry geometry;
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Parameter[] parameters;
    private Tensor? input;
    private Tensor? columns;      // P, [in·k·k, N·L] (stored in a [N, in·k·k·L] tensor)
    private Tensor? product;      // W·P, [out, N·L]; in backward dY moved to [out, N·L]
    private Tensor? gradColumns;  // dP, [in·k·k, N·L]
    private Tensor? output;
    private Tensor? gradInput;

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int inputHeight, int inputWidth, Rng rng)
        : this(Geometry(inChannels, outChannels, kernelSize, stride, padding, inputHeight, inputWidth), outChannels, rng)
    {
    }

    private Conv2d(ConvGeometry g, int outChannels, Rng rng)
        : base(g.Channels, g.Height, g.Width, outChannels, g.OutputHeight, g.OutputWidth)
    {
        geometry = g;
        InChannels = g.Channels;
        OutChannels = outChannels;
        KernelSize = g.KernelHeight;
        Stride = g.StrideHeight;
        Padding = g.PaddingHeight;
        weight = new Parameter("weight", outChannels, InChannels, KernelSize, KernelSize);
        bias = new Parameter("bias", outChannels);
        // PyTorch: fan_in = in_channels · k · k, for the weight and the bias alike.
        int fanIn = g.ColumnRows;
        Init.UniformFanIn(weight.Value, fanIn, rng);
        Init.UniformFanIn(bias.Value, fanIn, rng);
        parameters = [weight, bias];
    }

    private static ConvGeometry Geometry(int inChannels, int outChannels, int kernelSize, int stride, int padding, int inputHeight, int inputWidth)
    {
        if (inChannels < 1 || outChannels < 1)
            throw new BottleneckException($"Conv2d channels must be positive, got {inChannels}→{outChannels}");
        return new ConvGeometry(inChannels, inputHeight, inputWidth, kernelSize, kernelSize, stride, stride, padding, padding);
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public int KernelSize { get; }

    public int Stride { get; }

    public int Padding { get; }

    public Parameter Weight => weight;

    public Parameter Bias => bias;

    public override IReadOnlyList<Parameter> Parameters => parameters;

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        input = x;
        int batch = x.Rows, plane = geometry.OutputPlane, k = geometry.ColumnRows;
        EnsureShape(ref columns, batch, k * plane);
        EnsureShape(ref product, batch, OutChannels * plane);
        EnsureShape(ref output, batch, OutputItemSize);
        Im2Col.Unfold(geometry, batch, x.Span, columns!.Span, engine: Engine);
        int n = batch * plane;
        Gemm.Multiply(false, false, OutChannels, n, k,
            weight.Value.Span, k, columns.Span, n, product!.Span, n, accumulate: false, engine: Engine);
        Im2Col.SwapLeadingAxes(OutChannels, batch, plane, product.Span, output!.Span, bias.Value.Span, engine: Engine);
        return output;
    }

    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        var x = input ?? throw new InvalidOperationException("Conv2d.Backward called before Forward");
        int batch = x.Rows, plane = geometry.OutputPlane, k = geometry.ColumnRows, n = batch * plane;
        CheckGradient(gradOutput, batch);

        // dY [N, out, L] → [out, N·L], the layout of the forward product.
        var dy = product!.Span;
        Im2Col.SwapLeadingAxes(batch, OutChannels, plane, gradOutput.Span, dy, default, engine: Engine);

        var db = bias.Grad.Span;
        for (int o = 0; o < OutChannels; o++)
            db[o] = System.Numerics.Tensors.TensorPrimitives.Sum(dy.Slice(o * n, n));

        // dW [out, in·k·k] = dY'·Pᵀ
        Gemm.Multiply(false, true, OutChannels, k, n,
            dy, n, columns!.Span, n, weight.Grad.Span, k, accumulate: false, engine: Engine);

        if (!needInputGrad) return null;
        // dP [in·k·k, N·L] = Wᵀ·dY', then folded onto the input images.
        EnsureShape(ref gradColumns, batch, k * plane);
        Gemm.Multiply(true, false, k, n, OutChannels,
            weight.Value.Span, k, dy, n, gradColumns!.Span, n, accumulate: false, engine: Engine);
        EnsureShape(ref gradInput, batch, InputSize);
        Im2Col.Fold(geometry, batch, gradColumns.Span, gradInput!.Span, accumulate: false, engine: Engine);
        return gradInput;
    }

    public override string Describe()
    {
        string text = $"Conv2d({InChannels}, {OutChannels}, kernel_size={PythonRepr.Pair(KernelSize, KernelSize)}, stride={PythonRepr.Pair(Stride, Stride)}";
        if (Padding != 0) text += $", padding={PythonRepr.Pair(Padding, Padding)}";
        return text + ")";
    }
}
