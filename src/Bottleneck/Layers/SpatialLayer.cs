using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>
/// A layer over images. Tensors stay [batch, values]: an item is one flat row of C·H·W values in
/// NCHW order, so the layer is built with its input shape and checks every batch against it.
/// </summary>
public abstract class SpatialLayer : Layer
{
    private readonly int[] inputShape;
    private readonly int[] outputShape;

    protected SpatialLayer(int channels, int height, int width, int outputChannels, int outputHeight, int outputWidth)
    {
        if (channels < 1 || height < 1 || width < 1)
            throw new BottleneckException($"image layer input shape must be positive, got {channels}x{height}x{width}");
        if (outputChannels < 1 || outputHeight < 1 || outputWidth < 1)
            throw new BottleneckException($"image layer output shape must be positive, got {outputChannels}x{outputHeight}x{outputWidth} from input {channels}x{height}x{width}");
        if ((long)channels * height * width > int.MaxValue || (long)outputChannels * outputHeight * outputWidth > int.MaxValue)
            throw new BottleneckException($"image layer shape {channels}x{height}x{width} → {outputChannels}x{outputHeight}x{outputWidth} is too large");
        inputShape = [channels, height, width];
        outputShape = [outputChannels, outputHeight, outputWidth];
        InputSize = channels * height * width;
        OutputItemSize = outputChannels * outputHeight * outputWidth;
    }

    /// <summary>{C, H, W} of an input item (a copy).</summary>
    public int[] InputShape => (int[])inputShape.Clone();

    /// <summary>{C, H, W} of an output item (a copy).</summary>
    public int[] OutputShape => (int[])outputShape.Clone();

    /// <summary>Values in one input item, C·H·W.</summary>
    public int InputSize { get; }

    /// <summary>Values in one output item.</summary>
    public int OutputItemSize { get; }

    public override int OutputSize(int inputSize)
    {
        if (inputSize != InputSize)
            throw new BottleneckException($"{Describe()} expects {InputSize} values per item ({ShapeText(inputShape)}), got {inputSize}");
        return OutputItemSize;
    }

    /// <summary>Throws a one-line <see cref="BottleneckException"/> when a batch's items are not of the input shape.</summary>
    protected void CheckInput(Tensor x)
    {
        if (x.RowLength != InputSize)
            throw new BottleneckException($"{Describe()} expects {InputSize} values per item ({ShapeText(inputShape)}), got {x.RowLength}");
    }

    /// <summary>Throws when a gradient does not have the shape of the last output.</summary>
    protected void CheckGradient(Tensor gradOutput, int rows)
    {
        if (gradOutput.Rows != rows || gradOutput.RowLength != OutputItemSize)
            throw new BottleneckException($"{Describe()}: the output gradient has {gradOutput.Rows} items of {gradOutput.RowLength} values, expected {rows} of {OutputItemSize} ({ShapeText(outputShape)})");
    }

    private static string ShapeText(int[] shape) => string.Join("x", shape);
}
