using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>
/// nn.MaxPool2d(kernel_size, stride) without padding, dilation or ceil mode: each output is the
/// largest value of its window. Output side: (H − kernel) / stride + 1, rounded down.
/// </summary>
public sealed class MaxPool2d : SpatialLayer
{
    private readonly int inputHeight;
    private readonly int inputWidth;
    private readonly int outputHeight;
    private readonly int outputWidth;
    private int[] argmax = [];   // per output value: the offset of the chosen input within its item
    private int lastBatch = -1;
    private Tensor? output;
    private Tensor? gradInput;

    public MaxPool2d(int channels, int inputHeight, int inputWidth, int kernelSize = 2, int? stride = null)
        : base(channels, inputHeight, inputWidth, channels,
            OutputSide(inputHeight, kernelSize, stride ?? kernelSize), OutputSide(inputWidth, kernelSize, stride ?? kernelSize))
    {
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        this.inputHeight = inputHeight;
        this.inputWidth = inputWidth;
        outputHeight = OutputSide(inputHeight, kernelSize, Stride);
        outputWidth = OutputSide(inputWidth, kernelSize, Stride);
        Channels = channels;
    }

    private static int OutputSide(int side, int kernel, int stride)
    {
        if (kernel < 1 || stride < 1)
            throw new BottleneckException($"MaxPool2d kernel size and stride must be positive, got {kernel} and {stride}");
        if (side < kernel)
            throw new BottleneckException($"MaxPool2d kernel {kernel} is larger than the input side {side}");
        return (side - kernel) / stride + 1;
    }

    public int Channels { get; }

    public int KernelSize { get; }

    public int Stride { get; }

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        int batch = x.Rows;
        lastBatch = batch;
        EnsureShape(ref output, batch, OutputItemSize);
        int total = batch * OutputItemSize;
        if (argmax.Length < total) argmax = new int[total];
        var src = x.Span;
        var y = output!.Span;
        int inPlane = inputHeight * inputWidth;
        int o = 0;
        for (int plane = 0; plane < batch * Channels; plane++)
        {
            int planeStart = plane * inPlane;
            // Offsets are kept within the item so that backward needs no batch arithmetic.
            int itemBase = plane / Channels * InputSize;
            for (int oh = 0; oh < outputHeight; oh++)
            {
                for (int ow = 0; ow < outputWidth; ow++, o++)
                {
                    int top = planeStart + oh * Stride * inputWidth + ow * Stride;
                    int best = top;
                    float bestValue = src[top];
                    for (int i = 0; i < KernelSize; i++)
                    {
                        int rowStart = top + i * inputWidth;
                        for (int j = 0; j < KernelSize; j++)
                        {
                            float v = src[rowStart + j];
                            // The same test as PyTorch's kernel: the first maximum in scan order wins,
                            // and a NaN propagates (the last NaN's position is kept).
                            if (v > bestValue || float.IsNaN(v))
                            {
                                best = rowStart + j;
                                bestValue = v;
                            }
                        }
                    }
                    y[o] = bestValue;
                    argmax[o] = best - itemBase;
                }
            }
        }
        return output;
    }

    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        if (lastBatch < 0) throw new InvalidOperationException("MaxPool2d.Backward called before Forward");
        if (!needInputGrad) return null;
        int batch = lastBatch;
        CheckGradient(gradOutput, batch);
        EnsureShape(ref gradInput, batch, InputSize);
        var dx = gradInput!.Span;
        var dy = gradOutput.Span;
        dx.Clear();
        // Windows overlap when stride < kernel, so one input may collect several gradients.
        for (int item = 0; item < batch; item++)
        {
            var dxItem = dx.Slice(item * InputSize, InputSize);
            int first = item * OutputItemSize;
            for (int o = first; o < first + OutputItemSize; o++) dxItem[argmax[o]] += dy[o];
        }
        return gradInput;
    }

    public override string Describe() =>
        $"MaxPool2d(kernel_size={KernelSize}, stride={Stride}, padding=0, dilation=1, ceil_mode=False)";
}
