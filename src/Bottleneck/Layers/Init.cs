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
}
