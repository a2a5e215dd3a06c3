using Bottleneck.Data;
using Bottleneck.Metrics;
using Bottleneck.Tensors;

namespace Bottleneck.Models;

/// <summary>One measured figure about a trained model, named for metrics files and reports.</summary>
public sealed record Diagnostic(string Name, double Value, string Description);

/// <summary>
/// The figures that show what each kind does, measured on held-out data: PSNR of noisy and
/// denoised images, how sparse the codes are, how contractive the encoder is, a VAE's KL term.
/// </summary>
public static class Diagnostics
{
    // Fixed so that two models (or two epochs) are compared on the same corrupted images.
    private const ulong NoiseSeed = 0xD15EA5EUL;
    private const ulong PriorSeed = 0x5EED0F9E10UL;
    private const int PriorItems = 1000;

    public static IReadOnlyList<Diagnostic> Measure(Autoencoder model, Dataset data, int maxItems = 10_000)
    {
        var list = new List<Diagnostic>();
        if (data.Count == 0 || data.FeatureCount != model.Config.InputSize) return list;
        int n = Math.Min(maxItems, data.Count);
        var x = new Tensor(n, data.FeatureCount);
        data.CopyRows(0, n, x);

        var codes = model.Encode(x).Span;
        list.Add(new("mean_code_activation", MeanAbs(codes), "mean |code| over the test items (smaller is sparser)"));
        list.Add(new("zero_code_fraction", Fraction(codes, v => MathF.Abs(v) < 1e-6f), "fraction of code values that are exactly zero"));
        list.Add(PriorMatch(model, codes[..(Math.Min(n, PriorItems) * model.Config.Latent)]));
        if (model.JacobianNorms(x) is { } norms)
            list.Add(new("jacobian_norm", norms.Average(), "mean Frobenius norm of the encoder's Jacobian ‖∂code/∂x‖_F"));
        if (model.Corruption is { } corruption)
        {
            var noisy = new Tensor(n, data.FeatureCount);
            corruption.Apply(x.Span, noisy.Span, new Rng(NoiseSeed));
            var denoised = model.Reconstruct(noisy);
            int d = data.FeatureCount;
            list.Add(new("psnr_noisy", ImageQuality.MeanPsnr(x.Span, noisy.Span, d), $"mean PSNR (dB) of the {corruption.Kind}-corrupted test images"));
            list.Add(new("psnr_denoised", ImageQuality.MeanPsnr(x.Span, denoised.Span, d), "mean PSNR (dB) of the model's reconstructions of them"));
        }
        return list;
    }

    /// <summary>
    /// How far the codes' distribution is from the prior generation would draw from (an AAE's own,
    /// N(0, I) for the others): MMD² of up to <see cref="PriorItems"/> test codes against as many
    /// fixed draws of it.
    /// </summary>
    private static Diagnostic PriorMatch(Autoencoder model, ReadOnlySpan<float> codes)
    {
        int l = model.Config.Latent;
        var prior = model.Regularizer is AdversarialPrior aae ? aae.Prior : new LatentPrior(LatentPrior.Gaussian, l, 2);
        var draws = new float[Math.Max(codes.Length, 2 * l)];
        prior.Sample(draws, new Rng(PriorSeed));
        string name = prior.Kind == LatentPrior.Mixture ? $"the {prior.Components}-component mixture prior" : prior.Kind == LatentPrior.Uniform ? "U(−1, 1)" : "N(0, I)";
        double mmd = codes.Length >= 2 * l ? MaximumMeanDiscrepancy.Squared(codes, draws, l) : double.NaN;
        return new("prior_mmd", mmd, $"MMD² of the test codes against {name} (Gaussian kernel, 2σ² = code size; 0 when they match)");
    }

    private static double MeanAbs(ReadOnlySpan<float> v) => System.Numerics.Tensors.TensorPrimitives.SumOfMagnitudes(v) / v.Length;

    private static double Fraction(ReadOnlySpan<float> v, Func<float, bool> test)
    {
        int count = 0;
        foreach (float f in v) if (test(f)) count++;
        return (double)count / v.Length;
    }
}
