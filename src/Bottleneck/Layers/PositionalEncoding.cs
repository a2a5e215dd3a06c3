using Bottleneck.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bottleneck.Layers;

/// <summary>
/// The sinusoidal positional encoding of "Attention is all you need", added to a batch of
/// sequences [batch, steps·features]: PE[t, 2i] = sin(t / 10000^(2i/d)) and
/// PE[t, 2i+1] = cos(t / 10000^(2i/d)), d = features. Attention by itself does not see the order
/// of the steps; this gives each step a distinct, smoothly varying signature. It has no
/// parameters, and since it only adds a constant the gradient passes through unchanged.
/// </summary>
public sealed class PositionalEncoding : Layer
{
    private readonly float[] table; // [steps, features], laid out as one item
    private Tensor? output;
    private bool forwardSeen;

    public PositionalEncoding(int steps, int features)
    {
        if (steps < 1 || features < 1)
            throw new BottleneckException($"PositionalEncoding needs a positive number of steps and features, got {steps} and {features}");
        Steps = steps;
        Features = features;
        table = new float[steps * features];
        for (int t = 0; t < steps; t++)
        {
            for (int j = 0; j < features; j++)
            {
                int pair = j / 2; // columns 2i and 2i+1 share the frequency 10000^(-2i/d)
                // In double, then rounded once: the float32 formula drifts by a few ulps at large t.
                double angle = t * Math.Exp(-2.0 * pair * Math.Log(10000.0) / features);
                table[t * features + j] = (float)(j % 2 == 0 ? Math.Sin(angle) : Math.Cos(angle));
            }
        }
    }

    public int Steps { get; }

    public int Features { get; }

    /// <summary>The encoding added to every item, [steps·features] with step t at [t·features, (t+1)·features).</summary>
    public ReadOnlySpan<float> Table => table;

    public override int OutputSize(int inputSize)
    {
        if (inputSize != Steps * Features)
            throw new BottleneckException($"{Describe()} expects items of {Steps} steps × {Features} features = {Steps * Features} values, got {inputSize}");
        return inputSize;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        OutputSize(x.RowLength);
        EnsureShape(ref output, x.Rows, x.RowLength);
        for (int b = 0; b < x.Rows; b++) TensorPrimitives.Add(x.Row(b), table, output!.Row(b));
        forwardSeen = true;
        return output!;
    }

    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        if (!forwardSeen) throw new InvalidOperationException("PositionalEncoding.Backward called before Forward");
        return needInputGrad ? gradOutput : null;
    }

    public override string Describe() => $"PositionalEncoding(d_model={Features}, steps={Steps})";
}
