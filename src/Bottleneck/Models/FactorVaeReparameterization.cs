using Bottleneck.Tensors;

namespace Bottleneck.Models;

/// <summary>
/// FactorVAE's middle (Kim and Mnih 2018): a VAE's reparameterised code and KL term, plus
/// γ·TC(z), the total correlation of the codes, which a discriminator estimates. D learns to tell
/// the batch's codes (drawn from q(z), label 1) from the same codes with each dimension shuffled
/// across the batch on its own (drawn from the product of the marginals Π q(z_j), label 0); its
/// logit s = log D/(1 − D) then estimates log q(z)/Π q(z_j), so γ·Σ s(z) over the batch is the TC
/// penalty, its gradient flowing through D into the encoder. Lower TC means the code's dimensions
/// are closer to independent, the sense of "disentangled" the kind is after.
/// </summary>
/// <remarks>
/// D is the paper's: five hidden layers of 1000 with LeakyReLU(0.2), Adam (lr 1e-4, β 0.5/0.9).
/// With two hidden layers of 256, D's loss stayed at chance on dSprites and the TC term did
/// nothing (MIG 0.087 over three seeds); the paper's D makes a factor-vae run about ten
/// times a β-VAE's. Each training step takes one Adam step of D on the
/// batch's codes and their shuffled copy (the paper draws the shuffled codes from a second
/// batch), then the penalty with the updated D. Outside training the penalty is the KL term
/// alone: D is not saved with the model.
/// </remarks>
public sealed class FactorVaeReparameterization : CodeRegularizer
{
    private const double DiscriminatorRate = 1e-4, DiscriminatorBeta1 = 0.5, DiscriminatorBeta2 = 0.9;
    private const int DiscriminatorWidth = 1000, DiscriminatorLayers = 5;
    private const float DiscriminatorLeak = 0.2f;
    private readonly int latent;
    private readonly Reparameterization inner;
    private readonly CodeDiscriminator discriminator;
    private readonly Func<float, (double, double)> tcTerm;
    private Tensor? both, codeGrad, total;
    private int[]? order;

    /// <param name="engine">The engine settings of the discriminator; <see cref="EngineOptions.Default"/> when null.</param>
    public FactorVaeReparameterization(int latent, double tcWeight, Rng init, EngineOptions? engine = null)
    {
        this.latent = latent;
        inner = new Reparameterization(latent, beta: 1);
        discriminator = new CodeDiscriminator(latent, init, DiscriminatorRate, DiscriminatorBeta1, DiscriminatorBeta2, DiscriminatorWidth, DiscriminatorLayers, DiscriminatorLeak, engine);
        tcTerm = s => (s, tcWeight);
        TcWeight = tcWeight;
    }

    public double TcWeight { get; }

    /// <summary>D: codes [N, latent] to logits [N, 1], high for codes as they come.</summary>
    public Layers.Sequential Discriminator => discriminator.Network;

    /// <summary>D's loss at its last step (binary cross-entropy summed over the codes and their shuffled copy).</summary>
    public double DiscriminatorLoss => discriminator.Loss;

    /// <summary>The unweighted TC estimate of the last training batch, summed over its codes.</summary>
    public double TotalCorrelation { get; private set; }

    public override string PenaltyName => "kl+tc";

    public override int EncodedSize(int latent) => inner.EncodedSize(latent);

    public override Tensor Forward(Tensor encoded, Tensor input, Rng? sampler, bool training)
    {
        var code = inner.Forward(encoded, input, sampler, training);
        Penalty = inner.Penalty;
        codeGrad = null;
        if (!training || sampler is null || code.Rows < 2) return code;
        TrainDiscriminator(code, sampler);
        Penalty += TcPenalty(code);
        return code;
    }

    public override Tensor Backward(Tensor gradCode)
    {
        return inner.Backward(codeGrad is null ? gradCode : WithPenaltyGradient(ref total, gradCode, codeGrad));
    }

    /// <summary>One Adam step of D on <paramref name="codes"/> (label 1) and a copy with every dimension permuted across the rows on its own (label 0).</summary>
    internal void TrainDiscriminator(Tensor codes, Rng sampler)
    {
        int n = codes.Rows;
        Tensor.Ensure(ref both, 2 * n, latent);
        var all = both!.Span;
        var z = codes.Span;
        z.CopyTo(all);
        if (order is null || order.Length != n) order = new int[n];
        for (int j = 0; j < latent; j++)
        {
            for (int i = 0; i < n; i++) order[i] = i;
            sampler.Shuffle(order);
            for (int i = 0; i < n; i++) all[(n + i) * latent + j] = z[order[i] * latent + j];
        }
        discriminator.Train(both, n);
    }

    /// <summary>d(γ·TC)/dz of the last <see cref="TcPenalty"/>.</summary>
    internal Tensor? PenaltyGradient => codeGrad;

    /// <summary>γ·Σ D's logit over the rows of <paramref name="codes"/>, keeping its gradient for <see cref="Backward"/>.</summary>
    internal double TcPenalty(Tensor codes)
    {
        (double sum, codeGrad) = discriminator.Penalty(codes, tcTerm);
        TotalCorrelation = sum;
        return TcWeight * sum;
    }
}
