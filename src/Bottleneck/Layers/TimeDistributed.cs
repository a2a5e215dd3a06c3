using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>
/// A layer applied to every step of a batch of sequences [batch, steps·features] with the same
/// weights (Keras' TimeDistributed; in PyTorch, nn.Linear on a [batch, steps, features] tensor).
/// The batch is seen as [batch·steps, features] without a copy, so the inner layer runs once over
/// all steps. Its parameters keep their own names ("weight", "bias"), as in PyTorch.
/// </summary>
public sealed class TimeDistributed : Layer
{
    private readonly Layer inner;
    private readonly ReshapedView inputRows = new(), outputItems = new(), gradRows = new(), gradItems = new();
    private int stepFeatures = -1;

    public TimeDistributed(Layer inner, int steps)
    {
        if (steps < 1) throw new BottleneckException($"TimeDistributed needs a positive number of steps, got {steps}");
        this.inner = inner;
        Steps = steps;
    }

    public int Steps { get; }

    public Layer Inner => inner;

    protected override IEnumerable<Layer> InnerLayers => [inner];

    public override IReadOnlyList<Parameter> Parameters => inner.Parameters;

    public override int OutputSize(int inputSize)
    {
        if (inputSize % Steps != 0)
            throw new BottleneckException($"{Describe()} expects items of {Steps} steps, got {inputSize} values");
        return checked(inner.OutputSize(inputSize / Steps) * Steps);
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        OutputSize(x.RowLength);
        stepFeatures = x.RowLength / Steps;
        var y = inner.Forward(inputRows.Of(x, stepFeatures), training);
        return outputItems.Of(y, y.RowLength * Steps);
    }

    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        if (stepFeatures < 0) throw new InvalidOperationException("TimeDistributed.Backward called before Forward");
        var dx = inner.Backward(gradRows.Of(gradOutput, gradOutput.RowLength / Steps), needInputGrad);
        return dx is null ? null : gradItems.Of(dx, stepFeatures * Steps);
    }

    public override string Describe() => $"TimeDistributed({inner.Describe()})";
}
