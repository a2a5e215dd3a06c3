namespace Bottleneck.Losses;

/// <summary>
/// −[t·log p + (1−t)·log(1−p)] for probabilities p, with each log clamped at −100 and the
/// gradient's denominator at 1e−12, exactly as torch.nn.functional.binary_cross_entropy does.
/// </summary>
public sealed class BinaryCrossEntropy(Reduction reduction = Reduction.Sum) : Loss(reduction)
{
    private const double LogFloor = -100.0;
    private const float GradEpsilon = 1e-12f;

    public override string Name => "bce";

    protected override double Sum(ReadOnlySpan<float> p, ReadOnlySpan<float> t)
    {
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double logP = Math.Max(Math.Log(p[i]), LogFloor);
            double log1mP = Math.Max(Math.Log(1.0 - p[i]), LogFloor);
            sum -= t[i] * logP + (1.0 - t[i]) * log1mP;
        }
        return sum;
    }

    protected override void Gradient(ReadOnlySpan<float> p, ReadOnlySpan<float> t, Span<float> grad, float scale)
    {
        for (int i = 0; i < p.Length; i++)
            grad[i] = scale * (p[i] - t[i]) / MathF.Max((1f - p[i]) * p[i], GradEpsilon);
    }
}
