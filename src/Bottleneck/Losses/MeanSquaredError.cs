namespace Bottleneck.Losses;

/// <summary>(p − t)², summed or averaged as torch.nn.functional.mse_loss.</summary>
public sealed class MeanSquaredError(Reduction reduction = Reduction.Sum) : Loss(reduction)
{
    public override string Name => "mse";

    protected override double Sum(ReadOnlySpan<float> p, ReadOnlySpan<float> t)
    {
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double d = p[i] - t[i];
            sum += d * d;
        }
        return sum;
    }

    protected override void Gradient(ReadOnlySpan<float> p, ReadOnlySpan<float> t, Span<float> grad, float scale)
    {
        float twice = 2f * scale;
        for (int i = 0; i < p.Length; i++) grad[i] = twice * (p[i] - t[i]);
    }
}
