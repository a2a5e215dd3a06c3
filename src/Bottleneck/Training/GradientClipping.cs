using System.Numerics.Tensors;
using Bottleneck.Layers;

namespace Bottleneck.Training;

/// <summary>
/// torch.nn.utils.clip_grad_norm_ for a step whose loss is summed over its items: the norm is
/// that of the gradient of the loss per item (the batch's mean), taken over all parameters.
/// Recurrent networks now and then meet a steep cliff in the loss, and one unclipped step off it
/// undoes epochs of training.
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales the gradients (of the batch's summed loss) so that the gradient of the loss per
    /// item has a norm of at most <paramref name="maxNorm"/>; returns that norm before clipping.
    /// </summary>
    public static double ClipNorm(IReadOnlyList<(string Name, Parameter Parameter)> parameters, double maxNorm, int items)
    {
        double squares = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            var g = parameters[i].Parameter.Grad.Span;
            squares += TensorPrimitives.Dot(g, g);
        }
        double norm = Math.Sqrt(squares) / items;
        if (norm <= maxNorm) return norm;
        float scale = (float)(maxNorm / norm);
        for (int i = 0; i < parameters.Count; i++)
        {
            var g = parameters[i].Parameter.Grad.Span;
            TensorPrimitives.Multiply(g, scale, g);
        }
        return norm;
    }
}
