using Bottleneck.Data;
using Bottleneck.Metrics;
using Bottleneck.Models;
using Bottleneck.Tensors;
using Bottleneck.Tests.Layers;
using Bottleneck.Training;

namespace Bottleneck.Tests.Metrics;

/// <summary>The MMD estimator, its gradient (finite differences), and InfoVAE's use of it on MNIST.</summary>
public class MaximumMeanDiscrepancyTests
{
    [Fact]
    public void The_estimate_follows_its_formula_and_its_gradient_matches_finite_differences()
    {
        // Two points each in one dimension: k(a, b) = exp(−(a − b)²).
        float[] x = [0f, 1f], y = [0.5f, 2f];
        double k(double a, double b) => Math.Exp(-(a - b) * (a - b));
        double expected = k(0, 1) + k(0.5, 2) - 2 * (k(0, 0.5) + k(0, 2) + k(1, 0.5) + k(1, 2)) / 4;
        Assert.Equal(expected, MaximumMeanDiscrepancy.Squared(x, y, 1), 12);

        var rng = new Rng(3);
        var codes = FiniteDifferences.Uniform(rng, 6, 3, 1.5f);
        var draws = FiniteDifferences.Uniform(rng, 5, 3, 1.5f);
        var grad = new float[codes.Length];
        MaximumMeanDiscrepancy.SquaredWithGradient(codes.Span, draws.Span, 3, grad);
        FiniteDifferences.Check(codes, () => MaximumMeanDiscrepancy.Squared(codes.Span, draws.Span, 3), grad, "dMMD²/dx", step: 1e-2f, tolerance: 2e-2);
    }

    [Fact]
    public void An_info_vae_brings_its_codes_nearer_the_prior_than_a_vae_on_mnist()
    {
        var (train, test) = Mnist.Load(SharedData.Mnist);
        train = train.Slice(0, 20000);
        test = test.Slice(0, 1000);
        double Mmd(ModelKind kind)
        {
            var model = new Autoencoder(ModelKinds.Defaults(kind), seed: 2);
            Trainer.Fit(model, train, new FitOptions { Epochs = 2 });
            return Diagnostics.Measure(model, test).Single(d => d.Name == "prior_mmd").Value;
        }
        double vae = Mmd(ModelKind.Vae), info = Mmd(ModelKind.InfoVae);
        Assert.True(info < vae, $"MMD² of the codes (μ) to N(0, I): vae {vae:F4}, info-vae {info:F4}");
    }
}
