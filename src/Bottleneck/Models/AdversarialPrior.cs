using Bottleneck.Layers;
using Bottleneck.Optimizers;
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
/// form of AAE training. D is Linear(latent, 256)-ReLU-Linear(256, 256)-ReLU-Linear(256, 1) with
/// Adam(lr 2e-4, β₁ 0.5), GAN practice. D is not part of the saved model: encoding, decoding and
/// generating do not need it, and a resumed run starts a new one.
/// </remarks>
public sealed class AdversarialPrior : CodeRegularizer
{
    private const int Width = 256;
    private const double DiscriminatorRate = 2e-4, DiscriminatorBeta1 = 0.5;
    private readonly double weight;
    private readonly Adam discriminatorOptimizer;
    private Tensor? both, logitsGrad, codeGrad, gradEncoded, codesCopy;

    public AdversarialPrior(LatentPrior prior, double weight, Rng init)
    {
        Prior = prior;
        this.weight = weight;
        int l = prior.Latent;
        Discriminator = new Sequential([new Linear(l, Width, init), new ReLU(), new Linear(Width, Width, init), new ReLU(), new Linear(Width, 1, init)]);
        discriminatorOptimizer = new Adam(Discriminator.Parameters, DiscriminatorRate, DiscriminatorBeta1);
    }

    public LatentPrior Prior { get; }

    /// <summary>D: codes [N, latent] to logits [N, 1], high for the prior.</summary>
    public Sequential Discriminator { get; }

    /// <summary>The discriminator's loss (binary cross-entropy summed over prior draws and codes) at its last step.</summary>
    public double DiscriminatorLoss { get; private set; }

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
        var logits = Discriminator.Forward(both, training: true).Span;
        Tensor.Ensure(ref logitsGrad, 2 * n, 1);
        var grad = logitsGrad!.Span;
        double loss = 0;
        for (int i = 0; i < 2 * n; i++)
        {
            int label = i < n ? 1 : 0;
            loss += CrossEntropy(logits[i], label);
            grad[i] = Sigmoid(logits[i]) - label;
        }
        DiscriminatorLoss = loss;
        Discriminator.Backward(logitsGrad, needInputGrad: false);
        discriminatorOptimizer.Update();
    }

    /// <summary>λ·Σ softplus(−D(z)) over the rows of <paramref name="codes"/>, keeping its gradient for <see cref="Backward"/>.</summary>
    internal double GeneratorPenalty(Tensor codes)
    {
        int n = codes.Rows;
        // D keeps its input for backward; a copy keeps the caller's tensor out of its buffers.
        Tensor.Ensure(ref codesCopy, n, codes.RowLength);
        codes.Span.CopyTo(codesCopy!.Span);
        var logits = Discriminator.Forward(codesCopy, training: true).Span;
        Tensor.Ensure(ref logitsGrad, n, 1);
        var grad = logitsGrad!.Span;
        double penalty = 0;
        for (int i = 0; i < n; i++)
        {
            penalty += CrossEntropy(logits[i], 1);
            grad[i] = (float)(weight * (Sigmoid(logits[i]) - 1));
        }
        // D's own gradients from this pass are left unused: its next step overwrites them.
        codeGrad = Discriminator.Backward(logitsGrad, needInputGrad: true);
        return weight * penalty;
    }

    /// <summary>Binary cross-entropy of a logit s for label t, max(s, 0) − s·t + log(1 + e^−|s|), exact for large |s|.</summary>
    private static double CrossEntropy(float s, int t) => Math.Max(s, 0) - s * t + Math.Log(1 + Math.Exp(-Math.Abs(s)));

    private static float Sigmoid(float s) => (float)(1 / (1 + Math.Exp(-s)));
}
