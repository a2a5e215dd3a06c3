using System.Numerics;
using System.Runtime.InteropServices;
using Bottleneck.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bottleneck.Layers;

/// <summary>
/// The arithmetic shared by <see cref="BatchNorm1d"/> and <see cref="BatchNorm2d"/>: items of
/// C channels × S values (S = 1 for BatchNorm1d, H·W for BatchNorm2d), normalised per channel over
/// the batch and the S positions. Training normalises with the batch mean and biased variance
/// and moves the running statistics towards the batch mean and unbiased variance
/// (r ← (1 − momentum)·r + momentum·batch value), as PyTorch does; evaluation uses the running
/// statistics. y = x·a + b with a = γ/√(σ² + ε) and b = β − μ·a per channel, PyTorch's own form.
/// </summary>
internal sealed class BatchNormCore
{
    private readonly int channels;
    private readonly int spatial;
    private readonly double epsilon;
    private readonly double momentum;
    private readonly float[] mean;        // statistics the last forward normalised with
    private readonly float[] invStd;
    private readonly float[] scale;       // a
    private readonly float[] shift;       // b
    private readonly double[] sumA;       // per-channel accumulators, owned so that a step allocates nothing
    private readonly double[] sumB;
    private Tensor? input;
    private bool lastTraining;

    public BatchNormCore(int channels, int spatial, double epsilon, double momentum)
    {
        if (!(epsilon > 0) || double.IsInfinity(epsilon))
            throw new BottleneckException($"batch norm eps must be a positive number, got {epsilon}");
        if (!(momentum >= 0 && momentum <= 1))
            throw new BottleneckException($"batch norm momentum must be between 0 and 1, got {momentum}");
        this.channels = channels;
        this.spatial = spatial;
        this.epsilon = epsilon;
        this.momentum = momentum;
        Weight = new Parameter("weight", channels);
        Bias = new Parameter("bias", channels);
        Weight.Value.Span.Fill(1f);
        RunningMean = new Tensor(channels);
        RunningVar = new Tensor(channels);
        RunningVar.Span.Fill(1f);
        NumBatchesTracked = new Tensor(Array.Empty<int>());
        Parameters = [Weight, Bias];
        Buffers = [("running_mean", RunningMean), ("running_var", RunningVar), ("num_batches_tracked", NumBatchesTracked)];
        mean = new float[channels];
        invStd = new float[channels];
        scale = new float[channels];
        shift = new float[channels];
        sumA = new double[channels];
        sumB = new double[channels];
    }

    public Parameter Weight { get; }

    public Parameter Bias { get; }

    public Tensor RunningMean { get; }

    public Tensor RunningVar { get; }

    public Tensor NumBatchesTracked { get; }

    public Parameter[] Parameters { get; }

    public (string Name, Tensor Value)[] Buffers { get; }

    public void Forward(Tensor x, bool training, Tensor output, string layer)
    {
        int batch = x.Rows;
        var xs = x.Span;
        long count = (long)batch * spatial;
        if (training)
        {
            if (count < 2)
                throw new BottleneckException($"{layer} in training needs more than 1 value per channel to compute batch statistics, got a batch of {batch} item(s) with {spatial} value(s) per channel");
            BatchStatistics(xs, batch, count);
        }
        else
        {
            var rm = RunningMean.Span;
            var rv = RunningVar.Span;
            for (int c = 0; c < channels; c++)
            {
                mean[c] = rm[c];
                invStd[c] = (float)(1.0 / Math.Sqrt(rv[c] + epsilon));
            }
        }
        input = x;
        lastTraining = training;

        var gamma = Weight.Value.Span;
        var beta = Bias.Value.Span;
        for (int c = 0; c < channels; c++)
        {
            scale[c] = invStd[c] * gamma[c];
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        var y = output.Span;
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < channels; c++)
            {
                int at = (n * channels + c) * spatial;
                Affine(xs.Slice(at, spatial), scale[c], shift[c], y.Slice(at, spatial));
            }
        }
    }

    private void BatchStatistics(ReadOnlySpan<float> xs, int batch, long count)
    {
        // Two passes (mean, then squared deviations) in double: no cancellation when |mean| ≫ std.
        var sums = sumA.AsSpan();
        sums.Clear();
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
                sums[c] += TensorPrimitives.Sum(xs.Slice((n * channels + c) * spatial, spatial));
        for (int c = 0; c < channels; c++) mean[c] = (float)(sums[c] / count);
        sums.Clear();
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
                sums[c] += SumSquaredDeviations(xs.Slice((n * channels + c) * spatial, spatial), mean[c]);

        var rm = RunningMean.Span;
        var rv = RunningVar.Span;
        for (int c = 0; c < channels; c++)
        {
            double variance = sums[c] / count;
            invStd[c] = (float)(1.0 / Math.Sqrt(variance + epsilon));
            double unbiased = sums[c] / (count - 1);
            rm[c] = (float)(momentum * mean[c] + (1 - momentum) * rm[c]);
            rv[c] = (float)(momentum * unbiased + (1 - momentum) * rv[c]);
        }
        NumBatchesTracked[0] += 1;
    }

    public void Backward(Tensor gradOutput, Tensor? gradInput)
    {
        var x = input ?? throw new InvalidOperationException("BatchNorm.Backward called before Forward");
        int batch = x.Rows;
        var xs = x.Span;
        var dy = gradOutput.Span;
        var sumDy = sumA.AsSpan();
        var sumDyCentered = sumB.AsSpan();
        sumDy.Clear();
        sumDyCentered.Clear();
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < channels; c++)
            {
                int at = (n * channels + c) * spatial;
                sumDy[c] += TensorPrimitives.Sum(dy.Slice(at, spatial));
                sumDyCentered[c] += SumProductCentered(dy.Slice(at, spatial), xs.Slice(at, spatial), mean[c]);
            }
        }
        // dβ = Σ dy, dγ = Σ dy·x̂ with x̂ = (x − μ)·invstd.
        var dGamma = Weight.Grad.Span;
        var dBeta = Bias.Grad.Span;
        for (int c = 0; c < channels; c++)
        {
            dBeta[c] = (float)sumDy[c];
            dGamma[c] = (float)(sumDyCentered[c] * invStd[c]);
        }
        if (gradInput is null) return;

        var dx = gradInput.Span;
        var gamma = Weight.Value.Span;
        long count = (long)batch * spatial;
        for (int c = 0; c < channels; c++)
        {
            if (lastTraining)
            {
                // dx = γ·invstd·(dy − mean(dy) − x̂·mean(dy·x̂)), written as dx = a·dy + k·(x − μ) + m
                // with a = γ·invstd, k = −a·invstd²·Σ dy·(x − μ)/M, m = −a·Σ dy/M.
                double a = (double)gamma[c] * invStd[c];
                double istd2 = (double)invStd[c] * invStd[c];
                scale[c] = (float)a;
                shift[c] = (float)(-a * sumDy[c] / count);
                sumDyCentered[c] = -a * istd2 * sumDyCentered[c] / count;
            }
            else
            {
                // The statistics are constants in evaluation: dx = γ·invstd·dy.
                scale[c] = gamma[c] * invStd[c];
                shift[c] = 0;
                sumDyCentered[c] = 0;
            }
        }
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < channels; c++)
            {
                int at = (n * channels + c) * spatial;
                InputGradient(dy.Slice(at, spatial), xs.Slice(at, spatial), dx.Slice(at, spatial),
                    scale[c], (float)sumDyCentered[c], mean[c], shift[c]);
            }
        }
        // The forward's a and b are recomputed by the next forward; nothing else reads them.
    }

    /// <summary>y = x·a + b.</summary>
    private static void Affine(ReadOnlySpan<float> x, float a, float b, Span<float> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            var yv = MemoryMarshal.Cast<float, Vector<float>>(y);
            var va = new Vector<float>(a);
            var vb = new Vector<float>(b);
            for (int v = 0; v < xv.Length; v++) yv[v] = xv[v] * va + vb;
            i = xv.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++) y[i] = x[i] * a + b;
    }

    private static double SumSquaredDeviations(ReadOnlySpan<float> x, float center)
    {
        int i = 0;
        double total = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            var c = new Vector<float>(center);
            var acc = Vector<float>.Zero;
            for (int v = 0; v < xv.Length; v++)
            {
                var d = xv[v] - c;
                acc += d * d;
            }
            total = Vector.Sum(acc);
            i = xv.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++)
        {
            double d = x[i] - center;
            total += d * d;
        }
        return total;
    }

    private static double SumProductCentered(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, float center)
    {
        int i = 0;
        double total = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            var dv = MemoryMarshal.Cast<float, Vector<float>>(dy);
            var c = new Vector<float>(center);
            var acc = Vector<float>.Zero;
            for (int v = 0; v < xv.Length; v++) acc += dv[v] * (xv[v] - c);
            total = Vector.Sum(acc);
            i = xv.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++) total += (double)dy[i] * (x[i] - center);
        return total;
    }

    /// <summary>dx = a·dy + k·(x − center) + m.</summary>
    private static void InputGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx, float a, float k, float center, float m)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            var dv = MemoryMarshal.Cast<float, Vector<float>>(dy);
            var ov = MemoryMarshal.Cast<float, Vector<float>>(dx);
            var va = new Vector<float>(a);
            var vk = new Vector<float>(k);
            var vc = new Vector<float>(center);
            var vm = new Vector<float>(m);
            for (int v = 0; v < xv.Length; v++) ov[v] = va * dv[v] + vk * (xv[v] - vc) + vm;
            i = xv.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++) dx[i] = a * dy[i] + k * (x[i] - center) + m;
    }
}
