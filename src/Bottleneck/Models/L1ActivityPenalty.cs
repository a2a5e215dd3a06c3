using Bottleneck.Tensors;

namespace Bottleneck.Models;

/// <summary>Sparse autoencoder: λ·Σ|z| over the code (Keras' activity_regularizer=l1(λ)).</summary>
public sealed class L1ActivityPenalty(double weight) : CodeRegularizer
{
    private readonly float lambda = (float)weight;
    private Tensor? code;
    private Tensor? grad;

    public override string PenaltyName => "l1";

    public override Tensor Forward(Tensor encoded, Tensor input, Rng? sampler, bool training)
    {
        code = encoded;
        Penalty = weight * System.Numerics.Tensors.TensorPrimitives.SumOfMagnitudes<float>(encoded.Span);
        return encoded;
    }

    public override Tensor Backward(Tensor gradCode)
    {
        var z = code ?? throw new InvalidOperationException("Backward called before Forward");
        Tensor.Ensure(ref grad, z.Rows, z.RowLength);
        var g = grad!.Span;
        var dz = gradCode.Span;
        var zs = z.Span;
        // The subgradient at 0 is 0, as PyTorch's sign() gives.
        for (int i = 0; i < g.Length; i++) g[i] = dz[i] + lambda * MathF.Sign(zs[i]);
        return grad;
    }
}
