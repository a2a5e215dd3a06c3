using Bottleneck.Layers;
using Bottleneck.Tensors;

namespace Bottleneck.Models;

/// <summary>
/// The adversarial autoencoder's middle (Makhzani et al. 2015): a discriminator D on codes learns
/// to tell draws of the prior (label 1) from the encoder's codes (label 0), and the encoder is
/// pushed to fool it, which makes the codes' distribution match the prior. Each training step:
/// (1) one Adam step of D on a batch of prior draws and the batch's codes, with binary
/// cross-entropy on D's logits; (2) the generator penalty λ·Σ softplus(−D(z)), the cross-entropy
/// of the codes labelled as prior, joins the reconstruction loss, its gradient flowing through D
/// (unchanged by it) into the encoder. Outside training the code passes through untouched.
/// </summary>
/// <remarks>
/// The two phases share the autoencoder's step rather than alternating whole batches, a common
/// form of AAE training. D (<see cref="CodeDiscriminator"/>) uses Adam(lr 2e-4, β₁ 0.5), GAN
/// practice.
/// </remarks>
public sealed class AdversarialPrior : CodeRegularizer
{
    private const double DiscriminatorRate = 2e-4, DiscriminatorBeta1 = 0.5;
    private readonly double weight;
    private readonly CodeDiscriminator discriminator;
    private readonly Func<float, (double, double)> generatorTerm;
    private Tensor? both, codeGrad, gradEncoded;

    public AdversarialPrior(LatentPrior prior, double weight, Rng init)
    {
        Prior = prior;
        this.weight = weight;
        discriminator = new CodeDiscriminator(prior.Latent, init, DiscriminatorRate, DiscriminatorBeta1);
        // λ·softplus(−s), the cross-entropy of a code labelled as prior; its slope is λ·(σ(s) − 1).
        generatorTerm = s => (CodeDiscriminator.CrossEntropy(s, 1), weight * (CodeDiscriminator.Sigmoid(s) - 1));
    }

    public LatentPrior Prior { get; }

    /// <summary>D: codes [N, latent] to logits [N, 1], high for the prior.</summary>
    public Sequential Discriminator => discriminator.Network;

    /// <summary>The discriminator's loss (binary cross-entropy summed over prior draws and codes) at its last step.</summary>
    public double DiscriminatorLoss => discriminator.Loss;

    public override string PenaltyName => "adversarial";

    public override Tensor Forward(Tensor encoded, Tensor input, Rng? sampler, bool training)
    {
        if (!training || sampler is null)
        {
            Penalty = 0;
            codeGrad = null;
            return encoded;
        }
        TrainDiscriminator(encoded, sampler);
        Penalty = GeneratorPenalty(encoded);
        return encoded;
    }

    public override Tensor Backward(Tensor gradCode)
    {
        if (codeGrad is null) return gradCode;
        Tensor.Ensure(ref gradEncoded, gradCode.Rows, gradCode.RowLength);
        System.Numerics.Tensors.TensorPrimitives.Add(gradCode.Span, codeGrad.Span, gradEncoded!.Span);
        return gradEncoded;
    }

    /// <summary>One Adam step of D on as many prior draws as <paramref name="codes"/> has rows (label 1) and the codes themselves (label 0).</summary>
    internal void TrainDiscriminator(Tensor codes, Rng sampler)
    {
        int n = codes.Rows, l = Prior.Latent;
        Tensor.Ensure(ref both, 2 * n, l);
        Prior.Sample(both!.Span[..(n * l)], sampler);
        codes.Span.CopyTo(both.Span[(n * l)..]);
        discriminator.Train(both, n);
    }

    /// <summary>λ·Σ softplus(−D(z)) over the rows of <paramref name="codes"/>, keeping its gradient for <see cref="Backward"/>.</summary>
    internal double GeneratorPenalty(Tensor codes)
    {
        (double penalty, codeGrad) = discriminator.Penalty(codes, generatorTerm);
        return weight * penalty;
    }
}
