using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>
/// nn.Dropout(p): in training each value is zeroed with probability p and the survivors are scaled
/// by 1/(1 − p) (inverted dropout, so evaluation needs no rescaling); in evaluation it is the
/// identity. The mask is drawn from the given generator, one draw per value in order, so the same
/// generator state gives the same mask (and a checkpoint of that generator resumes it exactly).
/// </summary>
public sealed class Dropout : Layer
{
    private readonly Rng rng;
    private readonly float keepScale;
    private Tensor? mask;       // per value: 0 or 1/(1 − p)
    private Tensor? output;
    private Tensor? gradInput;
    private int lastBatch = -1;
    private bool lastTraining;

    public Dropout(double p, Rng rng)
    {
        if (!(p >= 0 && p <= 1))
            throw new BottleneckException($"dropout probability has to be between 0 and 1, got {p}");
        P = p;
        this.rng = rng ?? throw new ArgumentNullException(nameof(rng));
        // p = 1 drops everything; the scale is then never applied to a kept value.
        keepScale = p < 1 ? (float)(1.0 / (1.0 - p)) : 0f;
    }

    public double P { get; }

    public override int OutputSize(int inputSize) => inputSize;

    public override Tensor Forward(Tensor x, bool training)
    {
        lastBatch = x.Rows;
        lastTraining = training;
        // Evaluation passes the input through untouched: no copy, nothing to remember.
        if (!training) return x;
        EnsureShape(ref mask, x.Rows, x.RowLength);
        EnsureShape(ref output, x.Rows, x.RowLength);
        var m = mask!.Span;
        for (int i = 0; i < m.Length; i++) m[i] = rng.NextDouble() < P ? 0f : keepScale;
        // A multiply rather than a select: 0·inf gives NaN here as it does in PyTorch.
        System.Numerics.Tensors.TensorPrimitives.Multiply(x.Span, m, output!.Span);
        return output;
    }

    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        if (lastBatch < 0) throw new InvalidOperationException("Dropout.Backward called before Forward");
        if (!needInputGrad) return null;
        if (!lastTraining) return gradOutput;
        if (gradOutput.Rows != mask!.Rows || gradOutput.RowLength != mask.RowLength)
            throw new BottleneckException($"{Describe()}: the output gradient has {gradOutput.Rows} items of {gradOutput.RowLength} values, expected {mask.Rows} of {mask.RowLength}");
        EnsureShape(ref gradInput, gradOutput.Rows, gradOutput.RowLength);
        System.Numerics.Tensors.TensorPrimitives.Multiply(gradOutput.Span, mask.Span, gradInput!.Span);
        return gradInput;
    }

    public override string Describe() => $"Dropout(p={PythonRepr.Float(P)}, inplace=False)";
}
