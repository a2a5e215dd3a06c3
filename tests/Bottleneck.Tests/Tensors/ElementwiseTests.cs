using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Bottleneck.Layers;
using Bottleneck.Losses;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Tensors;

/// <summary>
/// The elementwise passes split across the worker pool (activations, the BCE loss and its gradient,
/// the bias gradient) give the same bits as one thread, for any thread count and for sizes that do
/// not divide evenly, and the same bits as the plain serial loops they replace.
/// </summary>
public class ElementwiseTests
{
    // 128×784 (a training batch), 1000×784 (an evaluation batch), and sizes with ragged tails.
    public static TheoryData<int, int> Shapes => new() { { 128, 784 }, { 1000, 784 }, { 37, 1111 }, { 3, 7 }, { 129, 401 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Activations_are_bit_identical_for_any_thread_count_and_match_the_serial_map(int rows, int cols)
    {
        foreach (string name in Activation.Names)
        {
            var x = RandomTensor(new Rng(1), rows, cols, -6, 6);
            var dy = RandomTensor(new Rng(2), rows, cols, -1, 1);
            (float[] Y, float[] Dx)? first = null;
            foreach (int threads in new[] { 1, 2, 3 })
            {
                var act = Activation.Create(name);
                act.Engine = Threads(threads);
                var y = act.Forward(x, training: true).Span.ToArray();
                var dx = act.Backward(dy, needInputGrad: true)!.Span.ToArray();
                if (first is null)
                {
                    // The serial maps over the whole spans, as before the split.
                    var expectedY = new float[x.Length];
                    var expectedDx = new float[x.Length];
                    act.Apply(x.Span, expectedY);
                    act.Derivative(x.Span, expectedY, dy.Span, expectedDx);
                    TensorAssert.SameBits(expectedY, y, $"{name} forward {rows}x{cols}");
                    TensorAssert.SameBits(expectedDx, dx, $"{name} backward {rows}x{cols}");
                    first = (y, dx);
                }
                else
                {
                    TensorAssert.SameBits(first.Value.Y, y, $"{name} forward {rows}x{cols}, {threads} threads");
                    TensorAssert.SameBits(first.Value.Dx, dx, $"{name} backward {rows}x{cols}, {threads} threads");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Bce_loss_and_gradient_are_bit_identical_for_any_thread_count_and_match_the_serial_sum(int rows, int cols)
    {
        var p = RandomTensor(new Rng(3), rows, cols, 0, 1);
        // MNIST-like targets: mostly exact zeros (whole vectors of them), some ones, some in between.
        var t = new Tensor(rows, cols);
        var rng = new Rng(4);
        for (int i = 0; i < t.Length; i++)
        {
            double u = rng.NextDouble();
            t[i] = (i / 40) % 3 == 0 ? 0f : u < 0.5 ? 0f : u < 0.7 ? 1f : (float)rng.NextDouble();
        }
        // Saturated predictions and the clamps: log(0) and log(1 − 1).
        p[0] = 0f;
        p[Math.Min(1, p.Length - 1)] = 1f;
        double expected = SerialBceSum(p.Span, t.Span);
        foreach (var reduction in new[] { Reduction.Sum, Reduction.Mean })
        {
            var bce = new BinaryCrossEntropy(reduction);
            float[]? firstGrad = null;
            foreach (int threads in new[] { 1, 2, 3 })
            {
                bce.Engine = Threads(threads);
                double loss = bce.Forward(p, t);
                double want = reduction == Reduction.Sum ? expected : expected / p.Length;
                Assert.True(BitConverter.DoubleToInt64Bits(want) == BitConverter.DoubleToInt64Bits(loss),
                    $"{reduction} loss {rows}x{cols}, {threads} threads: {loss:R}, expected {want:R}");
                var grad = new Tensor(rows, cols);
                bce.Backward(p, t, grad);
                if (firstGrad is null) firstGrad = grad.Span.ToArray();
                else TensorAssert.SameBits(firstGrad, grad.Span.ToArray(), $"{reduction} gradient {rows}x{cols}, {threads} threads");
            }
        }
    }

    [Theory]
    [InlineData(128, 784, 400)]
    [InlineData(128, 400, 784)]
    [InlineData(33, 20, 400)]
    [InlineData(1000, 400, 20)]
    [InlineData(7, 5, 37)]
    public void Bias_gradient_is_the_ordered_column_sum_for_any_thread_count(int batch, int inFeatures, int outFeatures)
    {
        var x = RandomTensor(new Rng(5), batch, inFeatures, -1, 1);
        var dy = RandomTensor(new Rng(6), batch, outFeatures, -1, 1);
        var expected = new float[outFeatures];
        for (int r = 0; r < batch; r++)
        {
            for (int j = 0; j < outFeatures; j++) expected[j] += dy[r * outFeatures + j];
        }
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var layer = new Linear(inFeatures, outFeatures, new Rng(7)) { Engine = Threads(threads) };
            layer.Forward(x, training: true);
            layer.Backward(dy, needInputGrad: false);
            TensorAssert.SameBits(expected, layer.Bias.Grad.Span.ToArray(), $"bias gradient {batch}x{outFeatures}, {threads} threads");
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    public void Adam_matches_the_scalar_update_bit_for_bit_for_any_thread_count(double weightDecay)
    {
        // Sizes with ragged tails around the vector widths, one large enough to be split.
        int[] sizes = [313_600, 400, 17, 1, 8_003];
        float[][]? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var rng = new Rng(12);
            var parameters = sizes.Select((n, i) => new Parameter("p" + i, n)).ToArray();
            foreach (var p in parameters)
            {
                for (int j = 0; j < p.Value.Length; j++) p.Value[j] = (float)(rng.NextDouble() * 2 - 1);
            }
            var adam = new Bottleneck.Optimizers.Adam(parameters, 1e-3, weightDecay: weightDecay, engine: Threads(threads));
            var expected = parameters.Select(p => p.Value.Span.ToArray()).ToArray();
            var m = sizes.Select(n => new float[n]).ToArray();
            var v = sizes.Select(n => new float[n]).ToArray();
            for (int step = 1; step <= 3; step++)
            {
                foreach (var p in parameters)
                {
                    for (int j = 0; j < p.Grad.Length; j++) p.Grad[j] = (float)(rng.NextDouble() * 2 - 1) * (j % 7 == 0 ? 1e-6f : 1f);
                }
                adam.Update();
                // torch.optim.Adam's arithmetic, one element at a time.
                float stepSize = (float)(1e-3 / (1.0 - Math.Pow(0.9, step)));
                float bias2Sqrt = (float)Math.Sqrt(1.0 - Math.Pow(0.999, step));
                float wd = (float)weightDecay;
                for (int i = 0; i < parameters.Length; i++)
                {
                    for (int j = 0; j < sizes[i]; j++)
                    {
                        float grad = wd == 0f ? parameters[i].Grad[j] : parameters[i].Grad[j] + wd * expected[i][j];
                        m[i][j] = m[i][j] * 0.9f + (float)(1.0 - 0.9) * grad;
                        v[i][j] = v[i][j] * 0.999f + (float)(1.0 - 0.999) * grad * grad;
                        float denom = MathF.Sqrt(v[i][j]) / bias2Sqrt + 1e-8f;
                        expected[i][j] -= stepSize * (m[i][j] / denom);
                    }
                }
            }
            for (int i = 0; i < parameters.Length; i++)
                TensorAssert.SameBits(expected[i], parameters[i].Value.Span.ToArray(), $"parameter {i} ({sizes[i]} values), {threads} threads");
            var values = parameters.Select(p => p.Value.Span.ToArray()).ToArray();
            if (first is null) first = values;
            for (int i = 0; i < parameters.Length; i++) TensorAssert.SameBits(first[i], values[i], $"parameter {i}, {threads} threads against 1");
        }
    }

    [Theory]
    [InlineData(313_600)]
    [InlineData(400_003)]
    [InlineData(8_000)]
    [InlineData(13)]
    public void AllFinite_finds_every_NaN_and_infinity_wherever_it_is(int length)
    {
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var t = RandomTensor(new Rng(13), 1, length, -3e38, 3e38); // huge but finite: a sum would overflow
            var engine = Threads(threads);
            Assert.True(t.AllFinite(engine), $"finite {length}, {threads} threads");
            foreach (int at in new[] { 0, length / 3, length / 2, length - 17, length - 1 })
            {
                if (at < 0) continue;
                foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
                {
                    float saved = t[at];
                    t[at] = bad;
                    Assert.False(t.AllFinite(engine), $"{bad} at {at} of {length}, {threads} threads");
                    t[at] = saved;
                }
            }
        }
    }

    [Theory]
    [InlineData(128, 400, 784)]
    [InlineData(128, 784, 400)]
    [InlineData(128, 20, 400)]
    [InlineData(1000, 400, 20)]
    [InlineData(9, 33, 17)]
    public void Linear_backward_gives_the_same_bits_for_any_thread_count(int batch, int inFeatures, int outFeatures)
    {
        // With two threads dW and dX are computed side by side, one per thread; otherwise one after
        // the other, each split across the threads. Either way the same products.
        var x = RandomTensor(new Rng(14), batch, inFeatures, -1, 1);
        var dy = RandomTensor(new Rng(15), batch, outFeatures, -1, 1);
        (float[] W, float[] B, float[] X)? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var layer = new Linear(inFeatures, outFeatures, new Rng(16)) { Engine = Threads(threads) };
            layer.Forward(x, training: true);
            var dx = layer.Backward(dy, needInputGrad: true)!.Span.ToArray();
            var grads = (layer.Weight.Grad.Span.ToArray(), layer.Bias.Grad.Span.ToArray(), dx);
            if (first is null)
            {
                first = grads;
                continue;
            }
            TensorAssert.SameBits(first.Value.W, grads.Item1, $"dW {batch}x{inFeatures}x{outFeatures}, {threads} threads");
            TensorAssert.SameBits(first.Value.B, grads.Item2, $"db {batch}x{inFeatures}x{outFeatures}, {threads} threads");
            TensorAssert.SameBits(first.Value.X, grads.Item3, $"dX {batch}x{inFeatures}x{outFeatures}, {threads} threads");
        }
    }

    [Theory]
    [InlineData(128, 784)]
    [InlineData(1000, 784)]
    [InlineData(7, 13)]
    [InlineData(333, 100)]
    public void Batches_gathered_on_several_threads_hold_the_right_rows(int batch, int features)
    {
        const int Items = 2000;
        var values = new float[Items * features];
        var rng = new Rng(17);
        for (int i = 0; i < values.Length; i++) values[i] = (float)rng.NextDouble();
        var data = new Bottleneck.Data.Dataset("gather test", values, Items, features);
        var order = Enumerable.Range(0, Items).ToArray();
        rng.Shuffle(order);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var x = new Tensor(batch, features);
            var engine = Threads(threads);
            data.GetBatch(order.AsSpan(0, batch), x, engine);
            for (int r = 0; r < batch; r++)
                TensorAssert.SameBits(data.Sample(order[r]).ToArray(), x.Row(r).ToArray(), $"row {r} of {batch}, {threads} threads");
            long before = GC.GetAllocatedBytesForCurrentThread();
            data.GetBatch(order.AsSpan(batch, batch), x, engine);
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before <= 64, "a steady-state gather allocated");
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => data.GetBatch([0, Items], new Tensor(2, features)));
    }

    [Fact]
    public void Parts_are_aligned_cover_the_range_and_do_not_overlap()
    {
        foreach (int length in new[] { 0, 1, 15, 16, 17, 100_352, 784_000, 123_457 })
        {
            foreach (int parts in new[] { 1, 2, 3, 7 })
            {
                Assert.Equal(0, Elementwise.Start(length, 0, parts));
                Assert.Equal(length, Elementwise.Start(length, parts, parts));
                for (int part = 1; part < parts; part++)
                {
                    int start = Elementwise.Start(length, part, parts);
                    Assert.Equal(0, start % Elementwise.Alignment);
                    Assert.True(start >= Elementwise.Start(length, part - 1, parts) && start <= length);
                }
            }
        }
    }

    [Fact]
    public void Wide_clamped_log_gives_the_bits_of_the_256_bit_one()
    {
        var rng = new Rng(8);
        var values = new float[4096];
        for (int i = 0; i < values.Length; i++) values[i] = MathF.Exp((float)(rng.NextDouble() * 180 - 90));
        values[0] = 0f;
        values[1] = 1f;
        values[2] = float.PositiveInfinity;
        values[3] = 1e-42f;
        for (int i = 0; i < values.Length; i += 16)
        {
            var wide = VectorMath.LogClamped(Vector512.Create(values.AsSpan(i, 16)), -100f);
            var low = VectorMath.LogClamped(Vector256.Create(values.AsSpan(i, 8)), -100f);
            var high = VectorMath.LogClamped(Vector256.Create(values.AsSpan(i + 8, 8)), -100f);
            for (int lane = 0; lane < 8; lane++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(low[lane]), BitConverter.SingleToInt32Bits(wide[lane]));
                Assert.Equal(BitConverter.SingleToInt32Bits(high[lane]), BitConverter.SingleToInt32Bits(wide[lane + 8]));
            }
        }
    }

    [Fact]
    public void Steady_state_passes_do_not_allocate()
    {
        var x = RandomTensor(new Rng(9), 128, 784, 0, 1);
        var engine = Threads(2);
        var sigmoid = new Sigmoid { Engine = engine };
        var linear = new Linear(784, 784, new Rng(10)) { Engine = engine };
        var bce = new BinaryCrossEntropy { Engine = engine };
        var grad = new Tensor(128, 784);
        {
            void Pass()
            {
                var y = sigmoid.Forward(linear.Forward(x, true), true);
                bce.Forward(y, x);
                bce.Backward(y, x, grad);
                linear.Backward(sigmoid.Backward(grad, true)!, false);
            }

            // Warm-up: buffers, the pool's worker thread, per-thread job objects.
            for (int i = 0; i < 3; i++) Pass();
            // Up to three rounds of 5 passes, one clean round enough: an allocation in the passes
            // themselves recurs in every round, while the runtime now and then allocates once on
            // this thread on its own account (7,824 bytes once in a CI run of the whole suite; the
            // same passes allocated nothing on rerun).
            var rounds = new List<long>();
            for (int round = 0; round < 3; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 5; i++) Pass();
                rounds.Add(GC.GetAllocatedBytesForCurrentThread() - before);
                if (rounds[^1] <= 256) break;
            }
            Assert.True(rounds[^1] <= 256, $"every round of 5 steady-state passes allocated: {string.Join(", ", rounds)} bytes");
        }
    }

    /// <summary>The BCE sum as it was computed before it was split: 256-bit lanes in blocks of 64 vectors, then the tail.</summary>
    private static double SerialBceSum(ReadOnlySpan<float> p, ReadOnlySpan<float> t)
    {
        double sum = 0;
        var pv = MemoryMarshal.Cast<float, Vector256<float>>(p);
        var tv = MemoryMarshal.Cast<float, Vector256<float>>(t);
        for (int start = 0; start < pv.Length; start += 64)
        {
            var acc = Vector256<float>.Zero;
            for (int k = start; k < Math.Min(start + 64, pv.Length); k++)
            {
                var a = VectorMath.LogClamped(pv[k], -100f);
                var b = VectorMath.LogClamped(Vector256<float>.One - pv[k], -100f);
                acc += tv[k] * (a - b) + b;
            }
            sum += Vector256.Sum(acc);
        }
        for (int i = pv.Length * 8; i < p.Length; i++)
            sum += t[i] * MathF.Max(MathF.Log(p[i]), -100f) + (1f - t[i]) * MathF.Max(MathF.Log(1f - p[i]), -100f);
        return -sum;
    }

    private static Tensor RandomTensor(Rng rng, int rows, int cols, double low, double high)
    {
        var t = new Tensor(rows, cols);
        for (int i = 0; i < t.Length; i++) t[i] = (float)(low + rng.NextDouble() * (high - low));
        return t;
    }

    private static EngineOptions Threads(int threads) => new() { Threads = threads };
}
