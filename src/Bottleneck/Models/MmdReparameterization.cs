using Bottleneck.Metrics;
using Bottleneck.Tensors;

namespace Bottleneck.Models;

/// <summary>
/// InfoVAE's middle (Zhao et al. 2017, the MMD form): a VAE's reparameterised code and β·KL,
/// plus λ·N·MMD²(z, p) between the batch's N sampled codes and as many draws of the prior
/// N(0, I), which pulls the aggregate posterior q(z) towards the prior as a whole rather than
/// each item's posterior towards it. The MMD uses the kernel of
/// <see cref="MaximumMeanDiscrepancy"/>; its gradient flows through the sampled codes into μ and
/// log σ². Outside training (no sampler) the code is μ and only the KL term is reported.
/// </summary>
public sealed class MmdReparameterization(int latent, double beta, double mmdWeight) : CodeRegularizer
{
    private readonly Reparameterization inner = new(latent, beta);
    private Tensor? prior, mmdGrad, total;
    private bool withMmd;

    public override string PenaltyName => "kl+mmd";

    /// <summary>MMD² of the last training batch's codes against the prior draws.</summary>
    public double Discrepancy { get; private set; }

    public override int EncodedSize(int latent) => inner.EncodedSize(latent);

    public override Tensor Forward(Tensor encoded, Tensor input, Rng? sampler, bool training)
    {
        var code = inner.Forward(encoded, input, sampler, training);
        withMmd = training && sampler is not null && code.Rows >= 2;
        Penalty = inner.Penalty;
        if (!withMmd) return code;
        int n = code.Rows;
        Tensor.Ensure(ref prior, n, latent);
        var draws = prior!.Span;
        for (int i = 0; i < draws.Length; i++) draws[i] = (float)sampler!.NextNormal();
        Tensor.Ensure(ref mmdGrad, n, latent);
        Discrepancy = MaximumMeanDiscrepancy.SquaredWithGradient(code.Span, draws, latent, mmdGrad!.Span);
        // λ·N·MMD², on the scale of losses summed over the batch.
        double scale = mmdWeight * n;
        System.Numerics.Tensors.TensorPrimitives.Multiply(mmdGrad.Span, (float)scale, mmdGrad.Span);
        Penalty += scale * Discrepancy;
        return code;
    }

    public override Tensor Backward(Tensor gradCode)
    {
        return inner.Backward(withMmd ? WithPenaltyGradient(ref total, gradCode, mmdGrad!) : gradCode);
    }
}
