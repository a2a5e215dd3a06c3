using Bottleneck.Tensors;

namespace Bottleneck.Models;

/// <summary>
/// Sparse autoencoder (Ng's lecture notes): every code unit's mean activation ρ̂ⱼ over the batch
/// is pulled toward a small target ρ by β·Σⱼ KL(ρ‖ρ̂ⱼ). The penalty is multiplied by the batch
/// size so that, like the summed reconstruction loss, it counts once per item.
/// </summary>
public sealed class KlSparsityPenalty(double target, double weight) : CodeRegularizer
{
    // Keeps the logarithms finite when a unit is saturated for a whole batch.
    private const double Floor = 1e-6;
    private Tensor? code;
    private Tensor? grad;
    private double[] meanActivation = [];

    public override string PenaltyName => "kl";

    public override Tensor Forward(Tensor encoded, Tensor input, Rng? sampler, bool training)
    {
        code = encoded;
        int n = encoded.Rows, d = encoded.RowLength;
        if (meanActivation.Length != d) meanActivation = new double[d];
        Array.Clear(meanActivation);
        var z = encoded.Span;
        for (int r = 0; r < n; r++)
            for (int j = 0; j < d; j++) meanActivation[j] += z[r * d + j];
        double kl = 0;
        for (int j = 0; j < d; j++)
        {
            double m = Math.Clamp(meanActivation[j] / n, Floor, 1 - Floor);
            meanActivation[j] = m;
            kl += target * Math.Log(target / m) + (1 - target) * Math.Log((1 - target) / (1 - m));
        }
        Penalty = weight * n * kl;
        return encoded;
    }

    public override Tensor Backward(Tensor gradCode)
    {
        var z = code ?? throw new InvalidOperationException("Backward called before Forward");
        int n = z.Rows, d = z.RowLength;
        Tensor.Ensure(ref grad, n, d);
        var g = grad!.Span;
        var dz = gradCode.Span;
        // d/dz_rj of β·n·KL(ρ‖ρ̂ⱼ) with ρ̂ⱼ = mean_r z_rj: the n and the 1/n cancel.
        for (int j = 0; j < d; j++)
        {
            double m = meanActivation[j];
            float dj = (float)(weight * (-target / m + (1 - target) / (1 - m)));
            for (int r = 0; r < n; r++) g[r * d + j] = dz[r * d + j] + dj;
        }
        return grad;
    }
}
