using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>
/// nn.BatchNorm2d(channels, eps, momentum) over NCHW items: each channel normalised over the batch
/// and all H·W positions, with batch statistics in training and running ones in evaluation; then
/// γ ("weight", initially 1) and β ("bias", initially 0) per channel. Buffers as in PyTorch:
/// running_mean, running_var, num_batches_tracked.
/// </summary>
public sealed class BatchNorm2d : SpatialLayer
{
    private readonly BatchNormCore core;
    private Tensor? output;
    private Tensor? gradInput;
    private int lastBatch = -1;

    public BatchNorm2d(int channels, int inputHeight, int inputWidth, double eps = 1e-5, double momentum = 0.1)
        : base(channels, inputHeight, inputWidth, channels, inputHeight, inputWidth)
    {
        Channels = channels;
        Eps = eps;
        Momentum = momentum;
        core = new BatchNormCore(channels, inputHeight * inputWidth, eps, momentum);
    }

    public int Channels { get; }

    public double Eps { get; }

    public double Momentum { get; }

    /// <summary>γ, [channels].</summary>
    public Parameter Weight => core.Weight;

    /// <summary>β, [channels].</summary>
    public Parameter Bias => core.Bias;

    /// <summary>[channels], initially 0.</summary>
    public Tensor RunningMean => core.RunningMean;

    /// <summary>[channels], initially 1.</summary>
    public Tensor RunningVar => core.RunningVar;

    /// <summary>Training batches seen, a scalar (an int64 in PyTorch; exact here up to 2²⁴).</summary>
    public Tensor NumBatchesTracked => core.NumBatchesTracked;

    public override IReadOnlyList<Parameter> Parameters => core.Parameters;

    public override IReadOnlyList<(string Name, Tensor Value)> Buffers => core.Buffers;

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        EnsureShape(ref output, x.Rows, InputSize);
        core.Forward(x, training, output!, "BatchNorm2d");
        lastBatch = x.Rows;
        return output!;
    }

    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        if (lastBatch < 0) throw new InvalidOperationException("BatchNorm2d.Backward called before Forward");
        CheckGradient(gradOutput, lastBatch);
        if (needInputGrad) EnsureShape(ref gradInput, lastBatch, InputSize);
        core.Backward(gradOutput, needInputGrad ? gradInput : null);
        return needInputGrad ? gradInput : null;
    }

    public override string Describe() =>
        $"BatchNorm2d({Channels}, eps={PythonRepr.Float(Eps)}, momentum={PythonRepr.Float(Momentum)}, affine=True, track_running_stats=True)";
}
