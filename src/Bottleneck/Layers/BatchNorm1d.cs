using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>
/// nn.BatchNorm1d(features, eps, momentum) over [batch, features]: each feature normalised with
/// the batch's statistics in training and the running ones in evaluation, then scaled by γ
/// ("weight", initially 1) and shifted by β ("bias", initially 0). The running statistics are
/// buffers, named as in PyTorch's state_dict: running_mean, running_var, num_batches_tracked.
/// </summary>
public sealed class BatchNorm1d : Layer
{
    private readonly BatchNormCore core;
    private Tensor? output;
    private Tensor? gradInput;
    private int lastBatch = -1;

    public BatchNorm1d(int features, double eps = 1e-5, double momentum = 0.1)
    {
        if (features < 1) throw new BottleneckException($"BatchNorm1d needs a positive number of features, got {features}");
        Features = features;
        Eps = eps;
        Momentum = momentum;
        core = new BatchNormCore(features, 1, eps, momentum);
    }

    public int Features { get; }

    public double Eps { get; }

    public double Momentum { get; }

    /// <summary>γ, [features].</summary>
    public Parameter Weight => core.Weight;

    /// <summary>β, [features].</summary>
    public Parameter Bias => core.Bias;

    /// <summary>[features], initially 0.</summary>
    public Tensor RunningMean => core.RunningMean;

    /// <summary>[features], initially 1.</summary>
    public Tensor RunningVar => core.RunningVar;

    /// <summary>Training batches seen, a scalar (an int64 in PyTorch; exact here up to 2²⁴).</summary>
    public Tensor NumBatchesTracked => core.NumBatchesTracked;

    public override IReadOnlyList<Parameter> Parameters => core.Parameters;

    public override IReadOnlyList<(string Name, Tensor Value)> Buffers => core.Buffers;

    public override int OutputSize(int inputSize)
    {
        if (inputSize != Features)
            throw new BottleneckException($"{Describe()} expects {Features} features per item, got {inputSize}");
        return Features;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        if (x.RowLength != Features)
            throw new BottleneckException($"{Describe()} expects {Features} features per item, got {x.RowLength}");
        EnsureShape(ref output, x.Rows, Features);
        core.Forward(x, training, output!, "BatchNorm1d");
        lastBatch = x.Rows;
        return output!;
    }

    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        if (lastBatch < 0) throw new InvalidOperationException("BatchNorm1d.Backward called before Forward");
        if (gradOutput.Rows != lastBatch || gradOutput.RowLength != Features)
            throw new BottleneckException($"{Describe()}: the output gradient has {gradOutput.Rows} items of {gradOutput.RowLength} values, expected {lastBatch} of {Features}");
        if (needInputGrad) EnsureShape(ref gradInput, lastBatch, Features);
        core.Backward(gradOutput, needInputGrad ? gradInput : null);
        return needInputGrad ? gradInput : null;
    }

    public override string Describe() =>
        $"BatchNorm1d({Features}, eps={PythonRepr.Float(Eps)}, momentum={PythonRepr.Float(Momentum)}, affine=True, track_running_stats=True)";
}
