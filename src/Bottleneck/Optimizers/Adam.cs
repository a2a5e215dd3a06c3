using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Bottleneck.Layers;
using Bottleneck.Tensors;

namespace Bottleneck.Optimizers;

/// <summary>
/// Adam (Kingma &amp; Ba), with the same arithmetic order as torch.optim.Adam so that runs agree
/// with PyTorch to float rounding. Weight decay, when set, is PyTorch's L2 form (added to the gradient).
/// One difference: moments below float's smallest normal value are stored as zero, as on a CPU in
/// flush-to-zero mode (<see cref="VectorMath.FlushSubnormal(float)"/>; why, above Update512).
/// PyTorch keeps the subnormal value, which moves no weight either.
/// </summary>
public sealed class Adam : IOptimizer, WorkerPool.IParallelJob
{
    private readonly Parameter[] parameters;
    private readonly Tensor[] firstMoments;
    private readonly Tensor[] secondMoments;

    /// <param name="engine">The threads the update is split across; <see cref="EngineOptions.Default"/> when null.</param>
    public Adam(IEnumerable<Parameter> parameters, double learningRate = 1e-3, double beta1 = 0.9,
        double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0, EngineOptions? engine = null)
    {
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
            throw new BottleneckException($"learning rate must be a positive number, got {learningRate}");
        if (!(weightDecay >= 0) || double.IsInfinity(weightDecay))
            throw new BottleneckException($"weight decay must be zero or positive, got {weightDecay}");
        this.parameters = parameters.ToArray();
        firstMoments = this.parameters.Select(p => new Tensor(p.Value.Shape.ToArray())).ToArray();
        secondMoments = this.parameters.Select(p => new Tensor(p.Value.Shape.ToArray())).ToArray();
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        Engine = engine ?? EngineOptions.Default;
    }

    /// <summary>The engine settings the update runs with.</summary>
    public EngineOptions Engine { get; }

    /// <summary>The step size; a schedule may change it between steps.</summary>
    public double LearningRate
    {
        get;
        set => field = value > 0 && double.IsFinite(value) ? value : throw new BottleneckException($"learning rate must be a positive number, got {value}");
    }

    public double Beta1 { get; }

    public double Beta2 { get; }

    public double Epsilon { get; }

    public double WeightDecay { get; }

    /// <summary>Number of steps taken, which drives the bias correction.</summary>
    public long Step { get; private set; }

    /// <summary>First and second moment tensors, in parameter order, for checkpoints.</summary>
    public IReadOnlyList<Tensor> FirstMoments => firstMoments;

    public IReadOnlyList<Tensor> SecondMoments => secondMoments;

    /// <summary>The moments under the names checkpoints have always stored them with.</summary>
    public IReadOnlyList<(string Prefix, IReadOnlyList<Tensor> Tensors)> State => [("adam.m.", firstMoments), ("adam.v.", secondMoments)];

    /// <summary>Restores the step count (the moments are restored through their tensors).</summary>
    public void RestoreStep(long step) => Step = step;

    // This step's bias-corrected factors, read by every part of the parallel update.
    private float stepSize;
    private float bias2Sqrt;

    public void Update()
    {
        Step++;
        double bias1 = 1.0 - Math.Pow(Beta1, Step);
        double bias2 = 1.0 - Math.Pow(Beta2, Step);
        stepSize = (float)(LearningRate / bias1);
        bias2Sqrt = (float)Math.Sqrt(bias2);
        // Each element's update is independent, so splitting the tensors between threads gives
        // the same bits as one thread; it halves a pass that is mostly memory traffic.
        if (!WorkerPool.TryRun(this, Engine.Threads))
            ((WorkerPool.IParallelJob)this).RunPart(0, 1);
    }

    void WorkerPool.IParallelJob.RunPart(int part, int parts)
    {
        for (int i = 0; i < parameters.Length; i++)
        {
            int length = parameters[i].Value.Length;
            // Split points on whole vectors keep each part's vector loop identical to the serial one.
            int start = Split(length, part, parts), end = Split(length, part + 1, parts);
            if (start >= end) continue;
            UpdateOne(parameters[i].Value.Span[start..end], parameters[i].Grad.Span[start..end],
                firstMoments[i].Span[start..end], secondMoments[i].Span[start..end], stepSize, bias2Sqrt);
        }
    }

    private static int Split(int length, int part, int parts)
    {
        if (part >= parts) return length;
        // Whole 512-bit vectors (a multiple of every vector width used below).
        int vectors = length / Vector512<float>.Count;
        return (int)((long)vectors * part / parts) * Vector512<float>.Count;
    }

    private void UpdateOne(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float stepSize, float bias2Sqrt)
    {
        // Hyper-parameters are doubles (Python floats in PyTorch) and become float32 the way
        // PyTorch's scalar arguments do, so that 1 − β is formed in double before rounding.
        float b1 = (float)Beta1, b2 = (float)Beta2, eps = (float)Epsilon, wd = (float)WeightDecay;
        float oneMinusB1 = (float)(1.0 - Beta1), oneMinusB2 = (float)(1.0 - Beta2);
        // The vector loops do the same operations in the same order as the scalar loop below, a
        // vector at a time (each is a correctly rounded IEEE operation, so any width gives the
        // same bits); they differ only in how many elements they take at once.
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            i = Update512(p, g, m, v, stepSize, bias2Sqrt, b1, b2, oneMinusB1, oneMinusB2, eps, wd);
        else if (Vector.IsHardwareAccelerated)
            i = UpdateVector(p, g, m, v, stepSize, bias2Sqrt, b1, b2, oneMinusB1, oneMinusB2, eps, wd);
        for (; i < p.Length; i++)
        {
            float grad = wd == 0f ? g[i] : g[i] + wd * p[i];
            float mi = VectorMath.FlushSubnormal(m[i] * b1 + oneMinusB1 * grad);
            float vi = VectorMath.FlushSubnormal(v[i] * b2 + oneMinusB2 * grad * grad);
            m[i] = mi;
            v[i] = vi;
            float denom = MathF.Sqrt(vi) / bias2Sqrt + eps;
            p[i] -= stepSize * (mi / denom);
        }
    }

    // A moment whose gradient has gone to zero decays by β every step; below float's smallest
    // normal value (2⁻¹²⁶ ≈ 1.2e-38) it would take ~150 more steps to reach zero, and every
    // arithmetic operation on such a subnormal value costs the CPU a microcode assist (late in the
    // seed run a fifth of the first layer's moments are subnormal and this pass runs 3x slower).
    // So moments are flushed to zero there (VectorMath.FlushSubnormal), as a CPU in flush-to-zero
    // mode would. A moment that small moves its weight by less than 1e-30, far below the rounding
    // step of any weight the networks hold, so the weights come out the same.

    /// <summary>The update 16 elements at a time; returns how many it did.</summary>
    private static int Update512(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float stepSize, float bias2Sqrt,
        float b1, float b2, float oneMinusB1, float oneMinusB2, float eps, float wd)
    {
        int n = p.Length - p.Length % Vector512<float>.Count;
        if (g.Length < n || m.Length < n || v.Length < n) throw new ArgumentException("Adam: state shorter than the parameter");
        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float mr = ref MemoryMarshal.GetReference(m);
        ref float vr = ref MemoryMarshal.GetReference(v);
        var vb1 = Vector512.Create(b1);
        var vb2 = Vector512.Create(b2);
        var v1mb1 = Vector512.Create(oneMinusB1);
        var v1mb2 = Vector512.Create(oneMinusB2);
        var veps = Vector512.Create(eps);
        var vwd = Vector512.Create(wd);
        var vstep = Vector512.Create(stepSize);
        var vbias2 = Vector512.Create(bias2Sqrt);
        bool decay = wd != 0f;
        for (int k = 0; k < n; k += Vector512<float>.Count)
        {
            nuint at = (nuint)k;
            var pk = Vector512.LoadUnsafe(ref pr, at);
            var grad = Vector512.LoadUnsafe(ref gr, at);
            if (decay) grad += vwd * pk;
            var mi = VectorMath.FlushSubnormal(Vector512.LoadUnsafe(ref mr, at) * vb1 + v1mb1 * grad);
            var vi = VectorMath.FlushSubnormal(Vector512.LoadUnsafe(ref vr, at) * vb2 + v1mb2 * grad * grad);
            mi.StoreUnsafe(ref mr, at);
            vi.StoreUnsafe(ref vr, at);
            var denom = Vector512.Sqrt(vi) / vbias2 + veps;
            (pk - vstep * (mi / denom)).StoreUnsafe(ref pr, at);
        }
        return n;
    }

    /// <summary>The update <see cref="Vector{T}.Count"/> elements at a time; returns how many it did.</summary>
    private static int UpdateVector(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float stepSize, float bias2Sqrt,
        float b1, float b2, float oneMinusB1, float oneMinusB2, float eps, float wd)
    {
        var pv = MemoryMarshal.Cast<float, Vector<float>>(p);
        var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
        var mv = MemoryMarshal.Cast<float, Vector<float>>(m);
        var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
        var vb1 = new Vector<float>(b1);
        var vb2 = new Vector<float>(b2);
        var v1mb1 = new Vector<float>(oneMinusB1);
        var v1mb2 = new Vector<float>(oneMinusB2);
        var veps = new Vector<float>(eps);
        var vwd = new Vector<float>(wd);
        var vstep = new Vector<float>(stepSize);
        var vbias2 = new Vector<float>(bias2Sqrt);
        for (int k = 0; k < pv.Length; k++)
        {
            var grad = wd == 0f ? gv[k] : gv[k] + vwd * pv[k];
            var mi = VectorMath.FlushSubnormal(mv[k] * vb1 + v1mb1 * grad);
            var vi = VectorMath.FlushSubnormal(vv[k] * vb2 + v1mb2 * grad * grad);
            mv[k] = mi;
            vv[k] = vi;
            var denom = Vector.SquareRoot(vi) / vbias2 + veps;
            pv[k] -= vstep * (mi / denom);
        }
        return pv.Length * Vector<float>.Count;
    }
}
