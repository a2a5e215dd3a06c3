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
    private const ulong VoteSeed = 0xFAC702UL;

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
        list.Add(PriorMatch(model, PriorCodes(model, x, codes, Math.Min(n, PriorItems))));
        if (model.Prior is { ClusterHead: > 0 } clustering && data.Labels is { } labels)
        {
            var clusters = ClusterAccuracy.ArgMax(codes, model.Config.Latent, clustering.ClusterHead);
            list.Add(new("cluster_error", ClusterAccuracy.MajorityError(clusters, labels.AsSpan(0, n)),
                $"clustering error: share of test items whose cluster (the largest of the {clustering.ClusterHead} cluster values) is labelled, by its majority, with another class"));
        }
        if (model.Prior is { Kind: PriorKind.Mixture } mixture && data.Labels is { } itemLabels)
            list.AddRange(MixtureErrors(mixture, codes, model.Config.Latent, itemLabels.AsSpan(0, n), model.Config.PriorLabels));
        if (data.Factors is { } factors) list.AddRange(Disentanglement(codes, model.Config.Latent, Head(factors, n)));
        if (model.JacobianNorms(x) is { } norms)
            list.Add(new("jacobian_norm", norms.Average(), "mean Frobenius norm of the encoder's Jacobian ‖∂code/∂x‖_F"));
        if (model.Corruption is { } corruption)
        {
            var noisy = new Tensor(n, data.FeatureCount);
            corruption.Apply(x.Span, noisy.Span, new Rng(NoiseSeed));
            var denoised = model.Reconstruct(noisy);
            int d = data.FeatureCount;
            list.Add(new("psnr_noisy", ImageQuality.MeanPsnr(x.Span, noisy.Span, d), $"mean PSNR (dB) of the {corruption.Kind.Name()}-corrupted test images"));
            list.Add(new("psnr_denoised", ImageQuality.MeanPsnr(x.Span, denoised.Span, d), "mean PSNR (dB) of the model's reconstructions of them"));
        }
        return list;
    }

    /// <summary>
    /// How well a mixture prior's components sort the classes: each item goes to the component
    /// nearest its code. Unsupervised, each component is labelled by its majority class (as for a
    /// cluster head); under a label-conditioned prior component k was class k's in training, so
    /// the share of items whose nearest component is not their label's is an error with no such mapping.
    /// </summary>
    private static IEnumerable<Diagnostic> MixtureErrors(LatentPrior mixture, ReadOnlySpan<float> codes, int latent, ReadOnlySpan<int> labels, bool conditioned)
    {
        var components = new int[labels.Length];
        int wrong = 0;
        for (int i = 0; i < components.Length; i++)
        {
            components[i] = mixture.NearestComponent(codes.Slice(i * latent, latent));
            if (components[i] != labels[i]) wrong++;
        }
        var list = new List<Diagnostic>
        {
            new("cluster_error", ClusterAccuracy.MajorityError(components, labels),
                $"clustering error: share of test items whose nearest of the {mixture.Components} mixture components is labelled, by its majority, with another class"),
        };
        if (conditioned)
            list.Add(new("label_component_error", (double)wrong / components.Length,
                "share of test items whose code is nearest another component than their label's (each label had its own component in training)"));
        return list;
    }

    /// <summary>
    /// How far the codes' distribution is from the prior generation would draw from (an AAE's own,
    /// N(0, I) for the others): MMD² of up to <see cref="PriorItems"/> test codes against as many
    /// fixed draws of it.
    /// </summary>
    /// <summary>
    /// The codes whose distribution should match the prior: the first <paramref name="count"/>
    /// codes, or for a variational model draws z = μ + σ·ε of its posteriors (fixed ε), since the
    /// aggregate posterior q(z) is what its prior is about (μ alone is narrower).
    /// </summary>
    private static float[] PriorCodes(Autoencoder model, Tensor x, ReadOnlySpan<float> codes, int count)
    {
        int l = model.Config.Latent;
        if (!ModelKinds.IsVariational(model.Config.Kind)) return codes[..(count * l)].ToArray();
        var rows = new Tensor(count, x.RowLength);
        x.Span[..(count * x.RowLength)].CopyTo(rows.Span);
        var distribution = model.EncodeDistribution(rows);
        var rng = new Rng(PriorSeed + 1);
        var z = new float[count * l];
        for (int r = 0; r < count; r++)
        {
            var row = distribution.Row(r);
            for (int j = 0; j < l; j++) z[r * l + j] = row[j] + (float)rng.NextNormal() * MathF.Exp(0.5f * row[l + j]);
        }
        return z;
    }

    private static Diagnostic PriorMatch(Autoencoder model, ReadOnlySpan<float> codes)
    {
        int l = model.Config.Latent;
        var prior = model.Prior ?? new LatentPrior(PriorKind.Gaussian, l, 2);
        var draws = new float[Math.Max(codes.Length, 2 * l)];
        prior.Sample(draws, new Rng(PriorSeed));
        string name = prior.Kind switch
        {
            PriorKind.Mixture => $"the {prior.Components}-component mixture prior",
            PriorKind.Categorical => $"the {prior.Components}-cluster categorical prior",
            PriorKind.Uniform => "U(−1, 1)",
            _ => "N(0, I)",
        };
        double mmd = codes.Length >= 2 * l ? MaximumMeanDiscrepancy.Squared(codes, draws, l) : double.NaN;
        string what = ModelKinds.IsVariational(model.Config.Kind) ? "sampled test codes" : "test codes";
        return new("prior_mmd", mmd, $"MMD² of the {what} against {name} (Gaussian kernel, 2σ² = code size; 0 when they match)");
    }

    /// <summary>
    /// MIG and the FactorVAE score of the test codes (a VAE's means) against the data's known
    /// factors of variation, as disentanglement papers report them.
    /// </summary>
    private static IEnumerable<Diagnostic> Disentanglement(ReadOnlySpan<float> codes, int latent, FactorTable factors)
    {
        var mig = Metrics.Disentanglement.Mig(codes, latent, factors);
        var vote = Metrics.Disentanglement.FactorVae(codes, latent, factors, new Rng(VoteSeed));
        return
        [
            new("mig", mig.Score, $"mutual information gap of the test codes over the factors {string.Join(", ", factors.Names)} (0 to 1; higher is more disentangled)"),
            new("factor_vae_score", vote.Score, "FactorVAE score: accuracy of the majority-vote classifier from the least-varying code dimension to the fixed factor (chance is 1 / factors)"),
        ];
    }

    /// <summary>The factors of the first <paramref name="n"/> items.</summary>
    private static FactorTable Head(FactorTable factors, int n) =>
        n == factors.Count ? factors : new FactorTable(factors.Names, factors.Levels, factors.Values[..(n * factors.FactorCount)]);

    private static double MeanAbs(ReadOnlySpan<float> v) => System.Numerics.Tensors.TensorPrimitives.SumOfMagnitudes(v) / v.Length;

    private static double Fraction(ReadOnlySpan<float> v, Func<float, bool> test)
    {
        int count = 0;
        foreach (float f in v) if (test(f)) count++;
        return (double)count / v.Length;
    }
}
