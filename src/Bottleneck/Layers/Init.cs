using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>PyTorch's default initialisations.</summary>
public static class Init
{
    /// <summary>
    /// nn.Linear / nn.Conv*: kaiming_uniform(a=√5) for the weight reduces to U(-1/√fan_in, 1/√fan_in),
    /// and the bias uses the same bound.
    /// </summary>
    public static void UniformFanIn(Tensor tensor, int fanIn, Rng rng)
    {
        float bound = fanIn > 0 ? 1f / MathF.Sqrt(fanIn) : 0f;
        rng.FillUniform(tensor.Span, -bound, bound);
    }

    /// <summary>
    /// nn.init.xavier_uniform_ (gain 1): U(-a, a) with a = √(6 / (fan_in + fan_out)), which keeps
    /// the variance of activations and of gradients alike through the layer (Glorot and Bengio).
    /// For a [rows, columns] weight PyTorch takes fan_in = columns and fan_out = rows.
    /// </summary>
    public static void XavierUniform(Tensor tensor, int fanIn, int fanOut, Rng rng)
    {
        float bound = fanIn + fanOut > 0 ? MathF.Sqrt(6f / (fanIn + fanOut)) : 0f;
        rng.FillUniform(tensor.Span, -bound, bound);
    }
}
