using Bottleneck.Tensors;

namespace Bottleneck.Models;

/// <summary>
/// The VAE's middle (Kingma and Welling): the encoder gives [μ, log σ²] per item, the code is
/// z = μ + ε·exp(½·log σ²) with ε ~ N(0, I), and β·KL(N(μ, σ²)‖N(0, I)) joins the loss, with
/// KL = −½·Σ(1 + log σ² − μ² − σ²) as in the PyTorch example. Without a sampler the code is μ.
/// </summary>
public sealed class Reparameterization(int latent, double beta) : CodeRegularizer
{
    private Tensor? encoded;
    private Tensor? code;
    private Tensor? epsilon;
    private Tensor? grad;
    private bool sampled;

    public override string PenaltyName => "kl";

    /// <summary>The unweighted KL divergence of the last forward, summed over the batch.</summary>
    public double Divergence { get; private set; }

    public override int EncodedSize(int latent) => 2 * latent;

    public override Tensor Forward(Tensor encoded, Tensor input, Rng? sampler, bool training)
    {
        Tensor.Ensure(ref epsilon, encoded.Rows, latent);
        var eps = epsilon!.Span;
        if (sampler is null) eps.Clear();
        else
            for (int i = 0; i < eps.Length; i++) eps[i] = (float)sampler.NextNormal();
        return Forward(encoded, sampled: sampler is not null);
    }

    /// <summary>The forward pass with given noise ε [N, latent] (the PyTorch parity check supplies it).</summary>
    internal Tensor Forward(Tensor encoded, ReadOnlySpan<float> noise)
    {
        Tensor.Ensure(ref epsilon, encoded.Rows, latent);
        noise.CopyTo(epsilon!.Span);
        return Forward(encoded, sampled: true);
    }

    private Tensor Forward(Tensor encoded, bool sampled)
    {
        this.encoded = encoded;
        this.sampled = sampled;
        int n = encoded.Rows;
        Tensor.Ensure(ref code, n, latent);
        var h = encoded.Span;
        var z = code!.Span;
        var eps = epsilon!.Span;
        double kl = 0;
        for (int r = 0; r < n; r++)
        {
            int mu0 = r * 2 * latent, lv0 = mu0 + latent, z0 = r * latent;
            for (int j = 0; j < latent; j++)
            {
                float mu = h[mu0 + j], logVar = h[lv0 + j];
                z[z0 + j] = mu + eps[z0 + j] * MathF.Exp(0.5f * logVar);
                kl += 1 + logVar - (double)mu * mu - Math.Exp(logVar);
            }
        }
        Divergence = -0.5 * kl;
        Penalty = beta * Divergence;
        return code;
    }

    public override Tensor Backward(Tensor gradCode)
    {
        var h = (encoded ?? throw new InvalidOperationException("Backward called before Forward")).Span;
        int n = encoded.Rows;
        Tensor.Ensure(ref grad, n, 2 * latent);
        var g = grad!.Span;
        var dz = gradCode.Span;
        var eps = epsilon!.Span;
        float b = (float)beta;
        for (int r = 0; r < n; r++)
        {
            int mu0 = r * 2 * latent, lv0 = mu0 + latent, z0 = r * latent;
            for (int j = 0; j < latent; j++)
            {
                float mu = h[mu0 + j], logVar = h[lv0 + j];
                // dz/dμ = 1, dz/dlogσ² = ½·ε·σ; dKL/dμ = μ, dKL/dlogσ² = ½·(σ² − 1).
                g[mu0 + j] = dz[z0 + j] + b * mu;
                float fromCode = sampled ? dz[z0 + j] * 0.5f * eps[z0 + j] * MathF.Exp(0.5f * logVar) : 0f;
                g[lv0 + j] = fromCode + b * 0.5f * (MathF.Exp(logVar) - 1);
            }
        }
        return grad;
    }
}
