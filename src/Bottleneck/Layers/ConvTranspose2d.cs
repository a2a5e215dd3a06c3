using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>
/// nn.ConvTranspose2d with a square kernel, one stride, padding and output padding for both axes
/// (no dilation, no groups). Weight [in, out, k, k] and bias [out] as in PyTorch. Output side:
/// (H − 1)·stride − 2·padding + k + output_padding.
/// </summary>
/// <remarks>
/// The transpose of a convolution is the data gradient of the convolution that maps its output
/// back to its input. Forward: moves X to [in, N·H·W], computes the patch matrix P = Wᵀ·X'
/// [out·k·k, N·H·W] in one GEMM and folds P onto bias-filled output images. Backward unfolds dY into
/// dP: dW = X'·dPᵀ and dX' = W·dP.
/// </remarks>
public sealed class ConvTranspose2d : SpatialLayer
{
    // The convolution whose data gradient this layer is: over the output images, producing H×W.
    private readonly ConvGeometry geometry;
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Parameter[] parameters;
    private Tensor? inputMoved;   // X', [in, N·H·W] (stored in a [N, …] tensor, as the others)
    private Tensor? columns;      // P, [out·k·k, N·H·W]; in backward dP (P is not needed there)
    private Tensor? gradMoved;    // dX', [in, N·H·W]
    private Tensor? output;
    private Tensor? gradInput;
    private int lastBatch = -1;

    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int outputPadding,
        int inputHeight, int inputWidth, Rng rng)
        : this(Geometry(inChannels, outChannels, kernelSize, stride, padding, outputPadding, inputHeight, inputWidth),
            inChannels, outputPadding, inputHeight, inputWidth, rng)
    {
    }

    private ConvTranspose2d(ConvGeometry g, int inChannels, int outputPadding, int inputHeight, int inputWidth, Rng rng)
        : base(inChannels, inputHeight, inputWidth, g.Channels, g.Height, g.Width)
    {
        geometry = g;
        InChannels = inChannels;
        OutChannels = g.Channels;
        KernelSize = g.KernelHeight;
        Stride = g.StrideHeight;
        Padding = g.PaddingHeight;
        OutputPadding = outputPadding;
        weight = new Parameter("weight", inChannels, OutChannels, KernelSize, KernelSize);
        bias = new Parameter("bias", OutChannels);
        // PyTorch computes fan_in from weight.size(1)·k·k, which for a transposed convolution is
        // out_channels·k·k (not in_channels), for the weight and the bias alike.
        int fanIn = g.ColumnRows;
        Init.UniformFanIn(weight.Value, fanIn, rng);
        Init.UniformFanIn(bias.Value, fanIn, rng);
        parameters = [weight, bias];
    }

    private static ConvGeometry Geometry(int inChannels, int outChannels, int kernelSize, int stride, int padding, int outputPadding,
        int inputHeight, int inputWidth)
    {
        if (inChannels < 1 || outChannels < 1)
            throw new BottleneckException($"ConvTranspose2d channels must be positive, got {inChannels}→{outChannels}");
        if (kernelSize < 1 || stride < 1 || padding < 0)
            throw new BottleneckException($"ConvTranspose2d needs a positive kernel size and stride and a padding ≥ 0, got kernel {kernelSize}, stride {stride}, padding {padding}");
        if (outputPadding < 0 || outputPadding >= stride)
            throw new BottleneckException($"ConvTranspose2d output padding must be at least 0 and smaller than the stride {stride}, got {outputPadding}");
        if (inputHeight < 1 || inputWidth < 1)
            throw new BottleneckException($"ConvTranspose2d input size must be positive, got {inputHeight}x{inputWidth}");
        long height = (long)(inputHeight - 1) * stride - 2L * padding + kernelSize + outputPadding;
        long width = (long)(inputWidth - 1) * stride - 2L * padding + kernelSize + outputPadding;
        if (height < 1 || width < 1)
            throw new BottleneckException($"ConvTranspose2d over {inputHeight}x{inputWidth} with kernel {kernelSize}, stride {stride}, padding {padding} gives an empty {height}x{width} output");
        if (height * width > int.MaxValue)
            throw new BottleneckException($"ConvTranspose2d output {height}x{width} is too large");
        var g = new ConvGeometry(outChannels, (int)height, (int)width, kernelSize, kernelSize, stride, stride, padding, padding);
        // With output_padding < stride the forward convolution of the output lands on the input size exactly.
        if (g.OutputHeight != inputHeight || g.OutputWidth != inputWidth)
            throw new InvalidOperationException($"ConvTranspose2d geometry mismatch: {g.OutputHeight}x{g.OutputWidth} vs {inputHeight}x{inputWidth}");
        return g;
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public int KernelSize { get; }

    public int Stride { get; }

    public int Padding { get; }

    public int OutputPadding { get; }

    public Parameter Weight => weight;

    public Parameter Bias => bias;

    public override IReadOnlyList<Parameter> Parameters => parameters;

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        int batch = x.Rows, plane = geometry.OutputPlane, k = geometry.ColumnRows, n = batch * plane;
        lastBatch = batch;
        EnsureShape(ref inputMoved, batch, InChannels * plane);
        EnsureShape(ref columns, batch, k * plane);
        EnsureShape(ref output, batch, OutputItemSize);

        Im2Col.SwapLeadingAxes(batch, InChannels, plane, x.Span, inputMoved!.Span, default, engine: Engine);
        // P [out·k·k, N·H·W] = Wᵀ·X', with W read as [in, out·k·k].
        Gemm.Multiply(true, false, k, n, InChannels,
            weight.Value.Span, k, inputMoved.Span, n, columns!.Span, n, accumulate: false, engine: Engine);

        // Seed each output channel with its bias, then fold the patches on top of it.
        var y = output!.Span;
        var b = bias.Value.Span;
        int outPlane = geometry.Height * geometry.Width;
        for (int item = 0; item < batch; item++)
            for (int o = 0; o < OutChannels; o++)
                y.Slice((item * OutChannels + o) * outPlane, outPlane).Fill(b[o]);
        Im2Col.Fold(geometry, batch, columns.Span, y, accumulate: true, engine: Engine);
        return output;
    }

    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        if (lastBatch < 0) throw new InvalidOperationException("ConvTranspose2d.Backward called before Forward");
        int batch = lastBatch, plane = geometry.OutputPlane, k = geometry.ColumnRows, n = batch * plane;
        CheckGradient(gradOutput, batch);

        var dyAll = gradOutput.Span;
        var db = bias.Grad.Span;
        int outPlane = geometry.Height * geometry.Width;
        for (int o = 0; o < OutChannels; o++)
        {
            double sum = 0;
            for (int item = 0; item < batch; item++)
                sum += System.Numerics.Tensors.TensorPrimitives.Sum(dyAll.Slice((item * OutChannels + o) * outPlane, outPlane));
            db[o] = (float)sum;
        }

        // dP [out·k·k, N·H·W]: the patches of dY, as the forward's fold read them.
        var dp = columns!.Span;
        Im2Col.Unfold(geometry, batch, dyAll, dp, engine: Engine);

        // dW [in, out·k·k] = X'·dPᵀ
        Gemm.Multiply(false, true, InChannels, k, n,
            inputMoved!.Span, n, dp, n, weight.Grad.Span, k, accumulate: false, engine: Engine);

        if (!needInputGrad) return null;
        // dX' [in, N·H·W] = W·dP, then back to NCHW.
        EnsureShape(ref gradMoved, batch, InChannels * plane);
        Gemm.Multiply(false, false, InChannels, n, k,
            weight.Value.Span, k, dp, n, gradMoved!.Span, n, accumulate: false, engine: Engine);
        EnsureShape(ref gradInput, batch, InputSize);
        Im2Col.SwapLeadingAxes(InChannels, batch, plane, gradMoved.Span, gradInput!.Span, default, engine: Engine);
        return gradInput;
    }

    public override string Describe()
    {
        string text = $"ConvTranspose2d({InChannels}, {OutChannels}, kernel_size={PythonRepr.Pair(KernelSize, KernelSize)}, stride={PythonRepr.Pair(Stride, Stride)}";
        if (Padding != 0) text += $", padding={PythonRepr.Pair(Padding, Padding)}";
        if (OutputPadding != 0) text += $", output_padding={PythonRepr.Pair(OutputPadding, OutputPadding)}";
        return text + ")";
    }
}
