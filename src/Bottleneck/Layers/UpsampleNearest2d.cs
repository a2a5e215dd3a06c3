using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>
/// nn.Upsample(scale_factor=s, mode='nearest') with an integer scale: each value becomes an s×s block.
/// </summary>
public sealed class UpsampleNearest2d : SpatialLayer
{
    private readonly int inputHeight;
    private readonly int inputWidth;
    private int lastBatch = -1;
    private Tensor? output;
    private Tensor? gradInput;

    public UpsampleNearest2d(int channels, int inputHeight, int inputWidth, int scale = 2)
        : base(channels, inputHeight, inputWidth, channels, Scaled(inputHeight, scale), Scaled(inputWidth, scale))
    {
        Scale = scale;
        Channels = channels;
        this.inputHeight = inputHeight;
        this.inputWidth = inputWidth;
    }

    private static int Scaled(int side, int scale)
    {
        if (scale < 1) throw new BottleneckException($"Upsample scale factor must be a positive integer, got {scale}");
        long scaled = (long)side * scale;
        if (scaled > int.MaxValue) throw new BottleneckException($"Upsample of side {side} by {scale} is too large");
        return (int)scaled;
    }

    public int Channels { get; }

    public int Scale { get; }

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        int batch = x.Rows;
        lastBatch = batch;
        EnsureShape(ref output, batch, OutputItemSize);
        var src = x.Span;
        var y = output!.Span;
        int s = Scale, outWidth = inputWidth * s;
        for (int plane = 0; plane < batch * Channels; plane++)
        {
            var inPlane = src.Slice(plane * inputHeight * inputWidth, inputHeight * inputWidth);
            var outPlane = y.Slice(plane * inputHeight * inputWidth * s * s, inputHeight * inputWidth * s * s);
            for (int h = 0; h < inputHeight; h++)
            {
                var inRow = inPlane.Slice(h * inputWidth, inputWidth);
                var firstRow = outPlane.Slice(h * s * outWidth, outWidth);
                for (int w = 0; w < inputWidth; w++) firstRow.Slice(w * s, s).Fill(inRow[w]);
                // The other s − 1 output rows repeat the first.
                for (int r = 1; r < s; r++) firstRow.CopyTo(outPlane.Slice((h * s + r) * outWidth, outWidth));
            }
        }
        return output;
    }

    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        if (lastBatch < 0) throw new InvalidOperationException("UpsampleNearest2d.Backward called before Forward");
        if (!needInputGrad) return null;
        int batch = lastBatch;
        CheckGradient(gradOutput, batch);
        EnsureShape(ref gradInput, batch, InputSize);
        var dy = gradOutput.Span;
        var dx = gradInput!.Span;
        int s = Scale, outWidth = inputWidth * s, inPlaneSize = inputHeight * inputWidth;
        // Each input gradient sums its s×s block, rows in order and left to right within a row.
        for (int plane = 0; plane < batch * Channels; plane++)
        {
            var dyPlane = dy.Slice(plane * inPlaneSize * s * s, inPlaneSize * s * s);
            var dxPlane = dx.Slice(plane * inPlaneSize, inPlaneSize);
            for (int h = 0; h < inputHeight; h++)
            {
                for (int w = 0; w < inputWidth; w++)
                {
                    float sum = 0;
                    for (int r = 0; r < s; r++)
                    {
                        var block = dyPlane.Slice((h * s + r) * outWidth + w * s, s);
                        for (int c = 0; c < s; c++) sum += block[c];
                    }
                    dxPlane[h * inputWidth + w] = sum;
                }
            }
        }
        return gradInput;
    }

    public override string Describe() => $"Upsample(scale_factor={PythonRepr.Float(Scale)}, mode=nearest)";
}
