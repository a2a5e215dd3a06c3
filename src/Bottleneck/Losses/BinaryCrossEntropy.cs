using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Bottleneck.Layers;
using Bottleneck.Tensors;

namespace Bottleneck.Losses;

/// <summary>
/// −[t·log p + (1−t)·log(1−p)] for probabilities p, with each log clamped at −100 and the
/// gradient's denominator at 1e−12, exactly as torch.nn.functional.binary_cross_entropy does
/// (in float32 like PyTorch; the sum is accumulated in double).
/// </summary>
/// <remarks>
/// Large tensors are split across the worker pool. The sum is formed block by block (each block's
/// float lanes added into one double) and the blocks are added in order on the calling thread, so
/// the result has the same bits for any thread count.
/// </remarks>
public sealed class BinaryCrossEntropy(Reduction reduction = Reduction.Sum) : Loss(reduction)
{
    private const float LogFloor = -100f;
    private const float GradEpsilon = 1e-12f;

    // 256-bit vectors per block of the sum: the float lane sums stay short, then go to double.
    private const int BlockVectors = 64;
    private const int BlockValues = BlockVectors * 8;

    public override string Name => "bce";

    protected override double Sum(ReadOnlySpan<float> p, ReadOnlySpan<float> t)
    {
        // One pass: both clamped logs, the weighted sum per lane in float, lanes added in double
        // every few hundred elements so the float partial sums stay short.
        double sum = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            int vectors = p.Length / Vector256<float>.Count;
            for (int start = 0; start < vectors; start += BlockVectors)
                sum += BlockSum(p, t, start, Math.Min(start + BlockVectors, vectors));
            i = vectors * Vector256<float>.Count;
        }
        return -TailSum(p, t, i, sum);
    }

    private protected override double Sum(Tensor prediction, Tensor target)
    {
        int blocks = Vector256.IsHardwareAccelerated ? (prediction.Length / 8 + BlockVectors - 1) / BlockVectors : 0;
        int parts = Math.Min(Elementwise.Parts(Engine, prediction.Length, Elementwise.MinValuesPerPart / 4), blocks);
        if (parts < 2) return Sum(prediction.Span, target.Span);
        var job = Job.ForThisThread;
        job.Start(prediction, target, null, 0f, blocks);
        try
        {
            Elementwise.Run(job, parts);
            // The blocks' sums in block order: the serial loop's additions exactly.
            double sum = 0;
            for (int b = 0; b < blocks; b++) sum += job.Partials[b];
            return -TailSum(prediction.Span, target.Span, prediction.Length / 8 * 8, sum);
        }
        finally
        {
            job.Clear();
        }
    }

    /// <summary>Σ over 256-bit vectors [start, end) (at most one block) of t·log p + (1−t)·log(1−p), lanes in float.</summary>
    private static double BlockSum(ReadOnlySpan<float> p, ReadOnlySpan<float> t, int start, int end)
    {
        var pv = MemoryMarshal.Cast<float, Vector256<float>>(p);
        var tv = MemoryMarshal.Cast<float, Vector256<float>>(t);
        var acc = Vector256<float>.Zero;
        int k = start;
        if (Vector512.IsHardwareAccelerated)
        {
            // Two 256-bit vectors at a time in one 512-bit register: each lane's arithmetic is the
            // 256-bit one, and the halves go into the accumulator in the same order as below.
            var p512 = MemoryMarshal.Cast<float, Vector512<float>>(p);
            var t512 = MemoryMarshal.Cast<float, Vector512<float>>(t);
            for (; k + 2 <= end && (k & 1) == 0; k += 2)
            {
                var pk = p512[k >> 1];
                var tk = t512[k >> 1];
                var b = VectorMath.LogClamped(Vector512<float>.One - pk, LogFloor);
                Vector512<float> value;
                if (Vector512.EqualsAll(tk, Vector512<float>.Zero))
                {
                    // t = 0 in every lane: t·(a − b) + b is exactly b, since a and b are finite.
                    value = b;
                }
                else
                {
                    var a = VectorMath.LogClamped(pk, LogFloor);
                    value = tk * (a - b) + b;
                }
                acc += value.GetLower();
                acc += value.GetUpper();
            }
        }
        for (; k < end; k++)
        {
            var b = VectorMath.LogClamped(Vector256<float>.One - pv[k], LogFloor);
            if (Vector256.EqualsAll(tv[k], Vector256<float>.Zero))
            {
                acc += b;
            }
            else
            {
                var a = VectorMath.LogClamped(pv[k], LogFloor);
                acc += tv[k] * (a - b) + b;
            }
        }
        return Vector256.Sum(acc);
    }

    /// <summary>The values from <paramref name="from"/> on, one at a time, added to <paramref name="sum"/>.</summary>
    private static double TailSum(ReadOnlySpan<float> p, ReadOnlySpan<float> t, int from, double sum)
    {
        for (int i = from; i < p.Length; i++)
            sum += t[i] * MathF.Max(MathF.Log(p[i]), LogFloor) + (1f - t[i]) * MathF.Max(MathF.Log(1f - p[i]), LogFloor);
        return sum;
    }

    protected override void Gradient(ReadOnlySpan<float> p, ReadOnlySpan<float> t, Span<float> grad, float scale) =>
        GradientValues(p, t, grad, scale, throughSigmoid: false);

    /// <summary>
    /// dL/dp, or with <paramref name="throughSigmoid"/> dL/dz for p = sigmoid(z): the same gradient
    /// then the sigmoid's backward (<see cref="Sigmoid.Derivative"/>) value by value, in one pass.
    /// </summary>
    private static void GradientValues(ReadOnlySpan<float> p, ReadOnlySpan<float> t, Span<float> grad, float scale, bool throughSigmoid)
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
            if (throughSigmoid)
            {
                for (int v = 0; v < pv.Length; v++)
                {
                    var g = s * (pv[v] - tv[v]) / Vector.Max((one - pv[v]) * pv[v], eps);
                    gv[v] = VectorMath.FlushSubnormal(g * (one - pv[v]) * pv[v]);
                }
            }
            else
            {
                for (int v = 0; v < pv.Length; v++)
                    gv[v] = s * (pv[v] - tv[v]) / Vector.Max((one - pv[v]) * pv[v], eps);
            }
            i = pv.Length * Vector<float>.Count;
        }
        for (; i < p.Length; i++)
        {
            float g = scale * (p[i] - t[i]) / MathF.Max((1f - p[i]) * p[i], GradEpsilon);
            grad[i] = throughSigmoid ? VectorMath.FlushSubnormal(g * (1f - p[i]) * p[i]) : g;
        }
    }

    private protected override void Gradient(Tensor prediction, Tensor target, Tensor grad, float scale) =>
        Gradient(prediction, target, grad, scale, throughSigmoid: false);

    private protected override bool GradientThroughSigmoid(Tensor prediction, Tensor target, Tensor gradLogits, float scale)
    {
        Gradient(prediction, target, gradLogits, scale, throughSigmoid: true);
        return true;
    }

    private void Gradient(Tensor prediction, Tensor target, Tensor grad, float scale, bool throughSigmoid)
    {
        int parts = Elementwise.Parts(Engine, prediction.Length);
        if (parts < 2)
        {
            GradientValues(prediction.Span, target.Span, grad.Span, scale, throughSigmoid);
            return;
        }
        var job = Job.ForThisThread;
        job.Start(prediction, target, grad, scale, 0, throughSigmoid);
        try
        {
            Elementwise.Run(job, parts);
        }
        finally
        {
            job.Clear();
        }
    }

    /// <summary>
    /// The state of one parallel sum or gradient. One per calling thread, so a loss object stays
    /// safe to share between threads as it was before it used the pool, and a call allocates nothing.
    /// </summary>
    private sealed class Job : WorkerPool.IParallelJob
    {
        [ThreadStatic]
        private static Job? current;

        private Tensor? prediction;
        private Tensor? target;
        private Tensor? grad;
        private float scale;
        private int blocks;
        private bool throughSigmoid;

        public static Job ForThisThread => current ??= new Job();

        /// <summary>One double per block of the sum; grows to the largest tensor seen.</summary>
        public double[] Partials { get; private set; } = [];

        /// <summary>Sets up a sum (<paramref name="grad"/> null) over <paramref name="blocks"/> blocks, or a gradient.</summary>
        public void Start(Tensor prediction, Tensor target, Tensor? grad, float scale, int blocks, bool throughSigmoid = false)
        {
            this.throughSigmoid = throughSigmoid;
            this.prediction = prediction;
            this.target = target;
            this.grad = grad;
            this.scale = scale;
            this.blocks = blocks;
            if (Partials.Length < blocks) Partials = new double[blocks];
        }

        public void Clear()
        {
            prediction = target = grad = null;
        }

        public void RunPart(int part, int parts)
        {
            ReadOnlySpan<float> p = prediction!.Span, t = target!.Span;
            if (grad is { } g)
            {
                int start = Elementwise.Start(p.Length, part, parts), end = Elementwise.Start(p.Length, part + 1, parts);
                if (start < end) GradientValues(p[start..end], t[start..end], g.Span[start..end], scale, throughSigmoid);
                return;
            }
            // Whole blocks per part; the sum's blocks are those of the serial loop.
            int vectors = p.Length / Vector256<float>.Count;
            int first = (int)((long)blocks * part / parts), last = (int)((long)blocks * (part + 1) / parts);
            for (int b = first; b < last; b++)
                Partials[b] = BlockSum(p, t, b * BlockVectors, Math.Min((b + 1) * BlockVectors, vectors));
        }
    }
}
