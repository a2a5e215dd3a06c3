using Bottleneck.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bottleneck.Layers;

/// <summary>
/// Keras' RepeatVector: each item [features] repeated at every step, [batch, steps·features].
/// A recurrent decoder unrolls from it, seeing the code at each step. Backward sums the
/// gradient over the steps.
/// </summary>
public sealed class RepeatSteps : Layer
{
    private Tensor? output, gradInput;
    private int features = -1;

    public RepeatSteps(int steps)
    {
        if (steps < 1) throw new BottleneckException($"RepeatSteps needs a positive number of steps, got {steps}");
        Steps = steps;
    }

    public int Steps { get; }

    public override int OutputSize(int inputSize) => checked(inputSize * Steps);

    public override Tensor Forward(Tensor x, bool training)
    {
        features = x.RowLength;
        EnsureShape(ref output, x.Rows, OutputSize(features));
        for (int b = 0; b < x.Rows; b++)
        {
            var row = x.Row(b);
            var dest = output!.Row(b);
            for (int t = 0; t < Steps; t++) row.CopyTo(dest.Slice(t * features, features));
        }
        return output!;
    }

    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        if (features < 0) throw new InvalidOperationException("RepeatSteps.Backward called before Forward");
        if (!needInputGrad) return null;
        EnsureShape(ref gradInput, gradOutput.Rows, features);
        for (int b = 0; b < gradOutput.Rows; b++)
        {
            var dy = gradOutput.Row(b);
            var dx = gradInput!.Row(b);
            dy[..features].CopyTo(dx);
            for (int t = 1; t < Steps; t++) TensorPrimitives.Add(dx, dy.Slice(t * features, features), dx);
        }
        return gradInput;
    }

    public override string Describe() => $"RepeatSteps(steps={Steps})";
}
