using Bottleneck.Models;
using Bottleneck.Tensors;
using Bottleneck.Tests.Layers;

namespace Bottleneck.Tests.Models;

/// <summary>
/// The two total-correlation penalties: FactorVAE's discriminator estimate (its gradient by
/// finite differences, a discriminator that tells correlated codes from shuffled ones) and
/// β-TCVAE's minibatch-weighted-sampling estimate (against a direct computation, and near zero
/// for independent dimensions but not for correlated ones).
/// </summary>
public class TotalCorrelationTests
{
    /// <summary>Codes [n, 2] whose two dimensions are equal up to small noise (high TC) or independent.</summary>
    private static Tensor Codes(Rng rng, int n, bool correlated)
    {
        var codes = new Tensor(n, 2);
        for (int i = 0; i < n; i++)
        {
            float a = (float)rng.NextNormal();
            codes[2 * i] = a;
            codes[2 * i + 1] = correlated ? a + 0.1f * (float)rng.NextNormal() : (float)rng.NextNormal();
        }
        return codes;
    }

    [Fact]
    public void The_factor_vae_penalty_gradient_matches_finite_differences()
    {
        var rng = new Rng(5);
        var factor = new FactorVaeReparameterization(3, tcWeight: 2.5, new Rng(9));
        for (int i = 0; i < 5; i++) factor.TrainDiscriminator(FiniteDifferences.Uniform(rng, 8, 3, 2f), rng);
        var codes = FiniteDifferences.Uniform(rng, 4, 3, 2f);
        factor.TcPenalty(codes);
        var analytic = factor.PenaltyGradient!.Span.ToArray();
        // A small step: D is piecewise linear (ReLU), and a wide one would straddle its kinks.
        FiniteDifferences.Check(codes, () => factor.TcPenalty(codes), analytic, "dPenalty/dcode", step: 1e-4f);
        Assert.Contains(analytic, g => MathF.Abs(g) > 1e-3f);
    }

    [Fact]
    public void The_factor_vae_discriminator_learns_to_tell_correlated_codes_from_their_shuffled_copy()
    {
        var rng = new Rng(1);
        var factor = new FactorVaeReparameterization(2, tcWeight: 1, new Rng(2));
        double first = 0;
        for (int step = 0; step < 400; step++)
        {
            factor.TrainDiscriminator(Codes(rng, 64, correlated: true), rng);
            if (step == 0) first = factor.DiscriminatorLoss;
        }
        Assert.True(factor.DiscriminatorLoss < first * 0.6, $"discriminator loss {first:F1} → {factor.DiscriminatorLoss:F1}");
        // Its logit estimates log q(z)/Π q(z_j): positive on average for correlated codes, about zero for independent ones.
        double correlated = factor.TcPenalty(Codes(rng, 512, correlated: true)) / 512;
        double independent = factor.TcPenalty(Codes(rng, 512, correlated: false)) / 512;
        Assert.True(correlated > 1 && correlated > independent + 1, $"mean logit: correlated {correlated:F2}, independent {independent:F2}");
    }

    [Fact]
    public void The_tc_estimate_is_the_minibatch_weighted_sampling_formula()
    {
        var rng = new Rng(3);
        const int m = 6, latent = 3, datasetSize = 100;
        var tc = new TotalCorrelationReparameterization(latent, beta: 3);
        tc.Prepare(datasetSize);
        var encoded = FiniteDifferences.Uniform(rng, m, 2 * latent, 1f);
        var z = tc.Forward(encoded, encoded, new Rng(4), training: true).Span.ToArray();

        double LogDensity(int i, int k, int j)
        {
            double mu = encoded[k * 2 * latent + j], logVar = encoded[k * 2 * latent + latent + j], d = z[i * latent + j] - mu;
            return -0.5 * Math.Log(2 * Math.PI) - 0.5 * logVar - 0.5 * d * d / Math.Exp(logVar);
        }
        double expected = 0, logNm = Math.Log(datasetSize * m);
        for (int i = 0; i < m; i++)
        {
            double joint = Math.Log(Enumerable.Range(0, m).Sum(k => Math.Exp(Enumerable.Range(0, latent).Sum(j => LogDensity(i, k, j))))) - logNm;
            double marginals = Enumerable.Range(0, latent).Sum(j => Math.Log(Enumerable.Range(0, m).Sum(k => Math.Exp(LogDensity(i, k, j)))) - logNm);
            expected += joint - marginals;
        }
        Assert.Equal(expected, tc.TotalCorrelation, 1e-9);
        var plain = new Reparameterization(latent, 1);
        plain.Forward(encoded, encoded, new Rng(4), training: true);
        Assert.Equal(plain.Penalty + 2 * expected, tc.Penalty, 1e-9);
    }

    [Fact]
    public void The_tc_estimate_is_larger_for_correlated_dimensions_than_for_independent_ones()
    {
        // Posteriors with small σ around codes whose two dimensions move together, or not.
        double Estimate(bool correlated)
        {
            var codes = Codes(new Rng(6), 256, correlated);
            var encoded = new Tensor(256, 4);
            for (int r = 0; r < 256; r++)
            {
                encoded[4 * r] = codes[2 * r];
                encoded[4 * r + 1] = codes[2 * r + 1];
                encoded[4 * r + 2] = encoded[4 * r + 3] = -4; // σ² = e⁻⁴
            }
            var tc = new TotalCorrelationReparameterization(2, beta: 6);
            tc.Prepare(256);
            tc.Forward(encoded, encoded, new Rng(7), training: true);
            return tc.TotalCorrelation / 256;
        }
        double dependent = Estimate(correlated: true), independent = Estimate(correlated: false);
        Assert.True(dependent > independent + 1, $"TC per code: correlated {dependent:F2}, independent {independent:F2}");
    }
}
