using Bottleneck.Data;
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
        if (model.JacobianNorms(x) is { } norms)
            list.Add(new("jacobian_norm", norms.Average(), "mean Frobenius norm of the encoder's Jacobian ‖∂code/∂x‖_F"));
        if (model.Corruption is { } corruption)
        {
            var noisy = new Tensor(n, data.FeatureCount);
            corruption.Apply(x.Span, noisy.Span, new Rng(NoiseSeed));
            var denoised = model.Reconstruct(noisy);
            list.Add(new("psnr_noisy", MeanPsnr(noisy, x), $"mean PSNR (dB) of the {corruption.Kind}-corrupted test images"));
            list.Add(new("psnr_denoised", MeanPsnr(denoised, x), "mean PSNR (dB) of the model's reconstructions of them"));
        }
        return list;
    }

    /// <summary>Mean over items of 10·log10(1 / MSE), for values in [0, 1]; identical items count as 100 dB.</summary>
    public static double MeanPsnr(Tensor estimate, Tensor reference)
    {
        int n = reference.Rows, d = reference.RowLength;
        double total = 0;
        for (int r = 0; r < n; r++)
        {
            double mse = 0;
            var a = estimate.Row(r);
            var b = reference.Row(r);
            for (int i = 0; i < d; i++)
            {
                double diff = a[i] - b[i];
                mse += diff * diff;
            }
            mse /= d;
            total += mse > 0 ? Math.Min(100, 10 * Math.Log10(1 / mse)) : 100;
        }
        return total / n;
    }

    private static double MeanAbs(ReadOnlySpan<float> v) => System.Numerics.Tensors.TensorPrimitives.SumOfMagnitudes(v) / v.Length;

    private static double Fraction(ReadOnlySpan<float> v, Func<float, bool> test)
    {
        int count = 0;
        foreach (float f in v) if (test(f)) count++;
        return (double)count / v.Length;
    }
}
