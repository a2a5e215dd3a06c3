using System.Numerics;
using System.Runtime.InteropServices;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

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
    // Scratch for the two logarithms, grown to the largest batch once.
    private float[] logP = [];
    private float[] log1mP = [];

    public override string Name => "bce";

    protected override double Sum(ReadOnlySpan<float> p, ReadOnlySpan<float> t)
    {
        if (logP.Length < p.Length)
        {
            logP = new float[p.Length];
            log1mP = new float[p.Length];
        }
        var a = logP.AsSpan(0, p.Length);
        var b = log1mP.AsSpan(0, p.Length);
        TensorPrimitives.Log(p, a);
        TensorPrimitives.Max(a, LogFloor, a);
        TensorPrimitives.Subtract(1f, p, b);
        TensorPrimitives.Log(b, b);
        TensorPrimitives.Max(b, LogFloor, b);
        // t·a + (1−t)·b = t·(a − b) + b; summed per row in float, rows in double.
        TensorPrimitives.Subtract(a, b, a);
        TensorPrimitives.MultiplyAdd(t, a, b, a);
        double sum = 0;
        const int Chunk = 1024;
        for (int i = 0; i < a.Length; i += Chunk)
            sum += TensorPrimitives.Sum<float>(a.Slice(i, Math.Min(Chunk, a.Length - i)));
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
