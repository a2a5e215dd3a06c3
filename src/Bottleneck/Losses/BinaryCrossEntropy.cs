using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Bottleneck.Tensors;

namespace Bottleneck.Losses;

/// <summary>
/// −[t·log p + (1−t)·log(1−p)] for probabilities p, with each log clamped at −100 and the
/// gradient's denominator at 1e−12, exactly as torch.nn.functional.binary_cross_entropy does
/// (in float32 like PyTorch; the sum is accumulated in double).
/// </summary>
public sealed class BinaryCrossEntropy(Reduction reduction = Reduction.Sum) : Loss(reduction)
{
    private const float LogFloor = -100f;
    private const float GradEpsilon = 1e-12f;

    public override string Name => "bce";

    protected override double Sum(ReadOnlySpan<float> p, ReadOnlySpan<float> t)
    {
        // One pass: both clamped logs, the weighted sum per lane in float, lanes added in double
        // every few hundred elements so the float partial sums stay short.
        double sum = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var pv = MemoryMarshal.Cast<float, Vector256<float>>(p);
            var tv = MemoryMarshal.Cast<float, Vector256<float>>(t);
            const int Block = 64;
            for (int start = 0; start < pv.Length; start += Block)
            {
                var acc = Vector256<float>.Zero;
                int end = Math.Min(start + Block, pv.Length);
                for (int k = start; k < end; k++)
                {
                    var a = VectorMath.LogClamped(pv[k], LogFloor);
                    var b = VectorMath.LogClamped(Vector256<float>.One - pv[k], LogFloor);
                    acc += tv[k] * (a - b) + b;
                }
                sum += Vector256.Sum(acc);
            }
            i = pv.Length * Vector256<float>.Count;
        }
        for (; i < p.Length; i++)
            sum += t[i] * MathF.Max(MathF.Log(p[i]), LogFloor) + (1f - t[i]) * MathF.Max(MathF.Log(1f - p[i]), LogFloor);
        return -sum;
    }

    protected override void Gradient(ReadOnlySpan<float> p, ReadOnlySpan<float> t, Span<float> grad, float scale)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var pv = MemoryMarshal.Cast<float, Vector<float>>(p);
            var tv = MemoryMarshal.Cast<float, Vector<float>>(t);
            var gv = MemoryMarshal.Cast<float, Vector<float>>(grad);
            var one = Vector<float>.One;
            var eps = new Vector<float>(GradEpsilon);
            var s = new Vector<float>(scale);
            for (int v = 0; v < pv.Length; v++)
                gv[v] = s * (pv[v] - tv[v]) / Vector.Max((one - pv[v]) * pv[v], eps);
            i = pv.Length * Vector<float>.Count;
        }
        for (; i < p.Length; i++)
            grad[i] = scale * (p[i] - t[i]) / MathF.Max((1f - p[i]) * p[i], GradEpsilon);
    }
}
