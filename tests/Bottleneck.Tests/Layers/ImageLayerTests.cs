using Bottleneck.Layers;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Layers;

/// <summary>
/// Shapes, initialisation, PyTorch reprs, bad input, train/eval behaviour and buffers of the image
/// layers (Conv2d, ConvTranspose2d, MaxPool2d, UpsampleNearest2d, BatchNorm1d/2d, Dropout).
/// </summary>
public class ImageLayerTests
{
    private static Tensor Random(Rng rng, params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (float)(rng.NextDouble() * 2 - 1);
        return t;
    }

    private static void AssertUniformWithin(Tensor t, float bound, bool fillsRange)
    {
        var v = t.Span.ToArray();
        Assert.All(v, x => Assert.InRange(x, -bound, bound));
        if (fillsRange) Assert.True(v.Max() > 0.98f * bound && v.Min() < -0.98f * bound, $"values span [{v.Min()}, {v.Max()}], expected to fill ±{bound}");
    }

    [Fact]
    public void Conv2d_init_is_uniform_within_one_over_sqrt_of_in_channels_times_kernel_area()
    {
        var layer = new Conv2d(16, 32, 3, 2, 1, 14, 14, new Rng(1));
        Assert.Equal([32, 16, 3, 3], layer.Weight.Value.Shape.ToArray());
        Assert.Equal([32], layer.Bias.Value.Shape.ToArray());
        float bound = 1f / MathF.Sqrt(16 * 9);
        AssertUniformWithin(layer.Weight.Value, bound, fillsRange: true);
        AssertUniformWithin(layer.Bias.Value, bound, fillsRange: false);
        Assert.True(layer.Bias.Value.Span.ToArray().Max() > 0.5f * bound);
    }

    [Fact]
    public void ConvTranspose2d_init_uses_out_channels_times_kernel_area_as_fan_in_like_torch()
    {
        // PyTorch takes fan_in from weight.size(1)·k·k = out_channels·k·k for a transposed convolution.
        var layer = new ConvTranspose2d(32, 16, 3, 2, 1, 1, 7, 7, new Rng(2));
        Assert.Equal([32, 16, 3, 3], layer.Weight.Value.Shape.ToArray());
        Assert.Equal([16], layer.Bias.Value.Shape.ToArray());
        float bound = 1f / MathF.Sqrt(16 * 9);
        AssertUniformWithin(layer.Weight.Value, bound, fillsRange: true);
        AssertUniformWithin(layer.Bias.Value, bound, fillsRange: false);
        // With in_channels as fan_in the bound would be 1/√288 ≈ 0.059; values beyond it show which one is used.
        Assert.True(layer.Weight.Value.Span.ToArray().Max() > 1f / MathF.Sqrt(32 * 9));
    }

    [Fact]
    public void BatchNorm_starts_as_identity_affine_with_zero_mean_unit_variance_running_stats()
    {
        var bn = new BatchNorm2d(3, 4, 4);
        Assert.All(bn.Weight.Value.Span.ToArray(), v => Assert.Equal(1f, v));
        Assert.All(bn.Bias.Value.Span.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(bn.RunningMean.Span.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(bn.RunningVar.Span.ToArray(), v => Assert.Equal(1f, v));
        Assert.Equal(0f, bn.NumBatchesTracked[0]);
        Assert.Equal(0, bn.NumBatchesTracked.Rank);
    }

    [Fact]
    public void Output_shapes_of_the_mnist_conv_autoencoder_chain()
    {
        var rng = new Rng(3);
        var c1 = new Conv2d(1, 16, 3, 2, 1, 28, 28, rng);
        Assert.Equal([16, 14, 14], c1.OutputShape);
        var c2 = new Conv2d(16, 32, 3, 2, 1, 14, 14, rng);
        Assert.Equal([32, 7, 7], c2.OutputShape);
        var t1 = new ConvTranspose2d(32, 16, 3, 2, 1, 1, 7, 7, rng);
        Assert.Equal([16, 14, 14], t1.OutputShape);
        var t2 = new ConvTranspose2d(16, 1, 3, 2, 1, 1, 14, 14, rng);
        Assert.Equal([1, 28, 28], t2.OutputShape);
        Assert.Equal([16, 3, 3], new MaxPool2d(16, 7, 7).OutputShape);
        Assert.Equal([16, 14, 14], new MaxPool2d(16, 28, 28).OutputShape);
        Assert.Equal([8, 14, 14], new UpsampleNearest2d(8, 7, 7).OutputShape);
        Assert.Equal([1, 28, 28], c1.InputShape);
        Assert.Equal(16 * 14 * 14, c1.OutputSize(784));
        var stack = new Sequential([c1, new ReLU(), c2, new ReLU(), t1, new ReLU(), t2, new Sigmoid()]);
        Assert.Equal(784, stack.OutputSize(784));
        var y = stack.Forward(new Tensor(5, 784), training: false);
        Assert.Equal([5, 784], y.Shape.ToArray());
    }

    [Fact]
    public void Describe_gives_the_pytorch_module_repr()
    {
        var rng = new Rng(4);
        Assert.Equal("Conv2d(1, 16, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))", new Conv2d(1, 16, 3, 2, 1, 28, 28, rng).Describe());
        Assert.Equal("Conv2d(3, 4, kernel_size=(5, 5), stride=(1, 1))", new Conv2d(3, 4, 5, 1, 0, 8, 8, rng).Describe());
        Assert.Equal("ConvTranspose2d(32, 16, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))",
            new ConvTranspose2d(32, 16, 3, 2, 1, 1, 7, 7, rng).Describe());
        Assert.Equal("ConvTranspose2d(32, 16, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))",
            new ConvTranspose2d(32, 16, 3, 2, 1, 0, 7, 7, rng).Describe());
        Assert.Equal("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)", new MaxPool2d(3, 8, 8).Describe());
        Assert.Equal("Upsample(scale_factor=2.0, mode=nearest)", new UpsampleNearest2d(3, 4, 4).Describe());
        Assert.Equal("BatchNorm1d(6, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", new BatchNorm1d(6).Describe());
        Assert.Equal("BatchNorm2d(16, eps=0.001, momentum=0.01, affine=True, track_running_stats=True)", new BatchNorm2d(16, 4, 4, 1e-3, 0.01).Describe());
        Assert.Equal("Dropout(p=0.2, inplace=False)", new Dropout(0.2, rng).Describe());
        Assert.Equal("Dropout(p=0.5, inplace=False)", new Dropout(0.5, rng).Describe());
    }

    [Theory]
    [InlineData(1e-5, "1e-05")]
    [InlineData(0.1, "0.1")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(2.0, "2.0")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(123.25, "123.25")]
    [InlineData(-0.5, "-0.5")]
    public void Floats_are_written_as_python_repr_writes_them(double value, string expected) =>
        Assert.Equal(expected, PythonRepr.Float(value));

    public static TheoryData<string, Func<Layer>, int> BadInputs => new()
    {
        { "Conv2d", () => new Conv2d(1, 4, 3, 2, 1, 28, 28, new Rng(5)), 700 },
        { "ConvTranspose2d", () => new ConvTranspose2d(4, 1, 3, 2, 1, 1, 7, 7, new Rng(5)), 4 * 7 * 8 },
        { "MaxPool2d", () => new MaxPool2d(3, 8, 8), 3 * 8 * 7 },
        { "Upsample", () => new UpsampleNearest2d(3, 4, 4), 47 },
        { "BatchNorm1d", () => new BatchNorm1d(6), 7 },
        { "BatchNorm2d", () => new BatchNorm2d(2, 3, 3), 17 },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void A_wrongly_shaped_batch_gives_one_clear_line(string name, Func<Layer> create, int wrongSize)
    {
        var layer = create();
        var e = Assert.Throws<BottleneckException>(() => layer.Forward(new Tensor(2, wrongSize), training: true));
        Assert.StartsWith(name, e.Message);
        Assert.Contains($"got {wrongSize}", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        var sizeError = Assert.Throws<BottleneckException>(() => layer.OutputSize(wrongSize));
        Assert.Contains($"got {wrongSize}", sizeError.Message);
    }

    [Fact]
    public void A_wrongly_shaped_output_gradient_is_refused()
    {
        var layer = new Conv2d(1, 2, 3, 1, 1, 4, 4, new Rng(6));
        layer.Forward(new Tensor(3, 16), true);
        var e = Assert.Throws<BottleneckException>(() => layer.Backward(new Tensor(2, 32), true));
        Assert.Contains("expected 3 of 32", e.Message);
    }

    public static TheoryData<string, Action> BadSettings => new()
    {
        { "kernel 9x9 is larger than the padded input 7x7", () => new Conv2d(1, 1, 9, 1, 1, 5, 5, new Rng(0)) },
        { "stride must be positive", () => new Conv2d(1, 1, 3, 0, 1, 5, 5, new Rng(0)) },
        { "padding must not be negative", () => new Conv2d(1, 1, 3, 1, -1, 5, 5, new Rng(0)) },
        { "channels must be positive", () => new Conv2d(0, 1, 3, 1, 1, 5, 5, new Rng(0)) },
        { "output padding must be at least 0 and smaller than the stride 2", () => new ConvTranspose2d(1, 1, 3, 2, 1, 2, 5, 5, new Rng(0)) },
        { "empty", () => new ConvTranspose2d(1, 1, 1, 1, 1, 0, 2, 2, new Rng(0)) },
        { "kernel 3 is larger than the input side 2", () => new MaxPool2d(1, 2, 8, 3) },
        { "scale factor must be a positive integer", () => new UpsampleNearest2d(1, 2, 2, 0) },
        { "eps must be a positive number", () => new BatchNorm1d(4, eps: 0) },
        { "momentum must be between 0 and 1", () => new BatchNorm2d(4, 2, 2, momentum: 1.5) },
        { "between 0 and 1, got 1.5", () => new Dropout(1.5, new Rng(0)) },
        { "input shape must be positive", () => new BatchNorm2d(2, 0, 3) },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Nonsense_settings_are_refused_with_a_clear_message(string expected, Action create)
    {
        var e = Assert.Throws<BottleneckException>(create);
        Assert.Contains(expected, e.Message);
    }

    /// <summary>y[n,o,i,j] = b[o] + Σ w[o,c,ki,kj]·x[n,c,i·s−p+ki, j·s−p+kj], straight from the definition.</summary>
    private static float[] DirectConvolution(Tensor x, Tensor w, Tensor b, int n, int c, int h, int wd, int o, int k, int s, int p, int oh, int ow)
    {
        var y = new float[n * o * oh * ow];
        for (int item = 0; item < n; item++)
            for (int oc = 0; oc < o; oc++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++)
                    {
                        double sum = b[oc];
                        for (int ic = 0; ic < c; ic++)
                            for (int ki = 0; ki < k; ki++)
                                for (int kj = 0; kj < k; kj++)
                                {
                                    int r = i * s - p + ki, col = j * s - p + kj;
                                    if (r < 0 || r >= h || col < 0 || col >= wd) continue;
                                    sum += (double)w[((oc * c + ic) * k + ki) * k + kj] * x[((item * c + ic) * h + r) * wd + col];
                                }
                        y[((item * o + oc) * oh + i) * ow + j] = (float)sum;
                    }
        return y;
    }

    [Theory]
    [InlineData(1, 16, 3, 2, 1, 28, 28)]
    [InlineData(3, 5, 4, 3, 2, 11, 7)]
    [InlineData(2, 3, 1, 1, 0, 5, 6)]
    [InlineData(4, 2, 3, 1, 3, 4, 4)]
    public void Conv2d_forward_matches_the_direct_definition(int inC, int outC, int k, int s, int p, int h, int w)
    {
        var rng = new Rng(7);
        var layer = new Conv2d(inC, outC, k, s, p, h, w, rng);
        var x = Random(rng, 3, inC * h * w);
        var y = layer.Forward(x, true);
        var shape = layer.OutputShape;
        var expected = DirectConvolution(x, layer.Weight.Value, layer.Bias.Value, 3, inC, h, w, outC, k, s, p, shape[1], shape[2]);
        TensorAssert.Close(expected, y.Span, 1e-5, "y");
    }

    [Theory]
    [InlineData(3, 2, 3, 2, 1, 1, 4, 5)]
    [InlineData(2, 3, 4, 3, 0, 2, 3, 3)]
    public void ConvTranspose2d_forward_scatters_each_input_value_through_the_kernel(int inC, int outC, int k, int s, int p, int op, int h, int w)
    {
        var rng = new Rng(8);
        var layer = new ConvTranspose2d(inC, outC, k, s, p, op, h, w, rng);
        var x = Random(rng, 2, inC * h * w);
        var y = layer.Forward(x, true);
        var shape = layer.OutputShape;
        int oh = shape[1], ow = shape[2];
        // y[n,o,i·s−p+ki, j·s−p+kj] += x[n,c,i,j]·w[c,o,ki,kj], on top of the bias.
        var expected = new double[2 * outC * oh * ow];
        for (int n = 0; n < 2; n++)
            for (int o = 0; o < outC; o++)
                for (int q = 0; q < oh * ow; q++) expected[(n * outC + o) * oh * ow + q] = layer.Bias.Value[o];
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < inC; c++)
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < w; j++)
                        for (int o = 0; o < outC; o++)
                            for (int ki = 0; ki < k; ki++)
                                for (int kj = 0; kj < k; kj++)
                                {
                                    int r = i * s - p + ki, col = j * s - p + kj;
                                    if (r < 0 || r >= oh || col < 0 || col >= ow) continue;
                                    expected[((n * outC + o) * oh + r) * ow + col] +=
                                        (double)x[((n * inC + c) * h + i) * w + j] * layer.Weight.Value[((c * outC + o) * k + ki) * k + kj];
                                }
        TensorAssert.Close(expected.Select(v => (float)v).ToArray(), y.Span, 1e-5, "y");
    }

    [Fact]
    public void Backward_overwrites_parameter_gradients_and_can_skip_the_input_gradient()
    {
        var rng = new Rng(9);
        var layers = new Layer[] { new Conv2d(2, 3, 3, 2, 1, 6, 6, rng), new ConvTranspose2d(2, 3, 3, 2, 1, 1, 3, 3, rng), new BatchNorm2d(2, 6, 6) };
        foreach (var layer in layers)
        {
            var spatial = (SpatialLayer)layer;
            var x = Random(rng, 4, spatial.InputSize);
            var dy = Random(rng, 4, spatial.OutputItemSize);
            layer.Forward(x, true);
            Assert.NotNull(layer.Backward(dy, true));
            var first = layer.Parameters.Select(p => p.Grad.Clone()).ToArray();
            Assert.Null(layer.Backward(dy, false));
            for (int i = 0; i < first.Length; i++)
                Assert.True(first[i].Span.SequenceEqual(layer.Parameters[i].Grad.Span), $"{layer.Describe()} {layer.Parameters[i].Name} changed on a second backward");
        }
    }

    [Fact]
    public void MaxPool2d_takes_the_first_of_equal_maxima_and_propagates_nan()
    {
        var pool = new MaxPool2d(1, 2, 4);
        var x = new Tensor(1, 8);
        float[] values = [5, 5, 1, float.NaN, 5, 2, 3, 4];
        values.CopyTo(x.Span);
        var y = pool.Forward(x, true);
        Assert.Equal(5f, y[0]);
        Assert.True(float.IsNaN(y[1]));
        var dy = new Tensor(1, 2);
        dy[0] = 1;
        dy[1] = 2;
        var dx = pool.Backward(dy, true)!;
        Assert.Equal([1f, 0, 0, 2, 0, 0, 0, 0], dx.Span.ToArray());
    }

    [Fact]
    public void BatchNorm1d_training_normalises_with_batch_stats_and_evaluation_with_running_stats()
    {
        var bn = new BatchNorm1d(2);
        var x = new Tensor(4, 2);
        float[] values = [1, 10, 2, 20, 3, 30, 4, 70];
        values.CopyTo(x.Span);
        var y = bn.Forward(x, training: true).Span.ToArray();
        // Feature 0: mean 2.5, biased variance 1.25 → (x − 2.5)/√1.25.
        float[] expected0 = [-1.3416355f, -0.4472118f, 0.4472118f, 1.3416355f];
        TensorAssert.Close(expected0, Enumerable.Range(0, 4).Select(i => y[2 * i]).ToArray(), 1e-5, "feature 0");
        // Running stats: 0.1·mean, 0.9 + 0.1·unbiased variance (5/3 and 2166.67 for feature 1).
        TensorAssert.Close([0.25f, 3.25f], bn.RunningMean.Span, 1e-6, "running_mean");
        TensorAssert.Close([1.0666667f, 70.066666f], bn.RunningVar.Span, 1e-6, "running_var");
        Assert.Equal(1f, bn.NumBatchesTracked[0]);

        var item = new Tensor(1, 2);
        item[0] = 0.5f;
        item[1] = -1f;
        var before = (bn.RunningMean.Clone(), bn.RunningVar.Clone());
        var eval = bn.Forward(item, training: false);
        // (0.5 − 0.25)/√(1.0666667 + 1e-5) and (−1 − 3.25)/√(70.066666 + 1e-5), as PyTorch gives.
        TensorAssert.Close([0.24206f, -0.50773f], eval.Span, 1e-4, "eval");
        Assert.True(before.Item1.Span.SequenceEqual(bn.RunningMean.Span) && before.Item2.Span.SequenceEqual(bn.RunningVar.Span), "evaluation changed the running statistics");
        Assert.Equal(1f, bn.NumBatchesTracked[0]);
    }

    [Fact]
    public void BatchNorm2d_evaluation_applies_running_stats_and_affine_per_channel()
    {
        var bn = new BatchNorm2d(2, 2, 2);
        bn.Weight.Value[0] = 2f;
        bn.Weight.Value[1] = 0.5f;
        bn.Bias.Value[0] = 0.1f;
        bn.Bias.Value[1] = -0.3f;
        bn.RunningMean.Span.Fill(0.5f);
        bn.RunningVar.Span.Fill(4f);
        var x = new Tensor(1, 8);
        for (int i = 0; i < 8; i++) x[i] = i;
        // y = γ·(x − 0.5)/√(4 + 1e-5) + β, PyTorch's values for this case.
        float[] expected = [-0.39999941f, 0.59999943f, 1.5999982f, 2.5999970f, 0.57499897f, 0.82499862f, 1.0749984f, 1.3249980f];
        TensorAssert.Close(expected, bn.Forward(x, training: false).Span, 1e-6, "y");
    }

    [Fact]
    public void BatchNorm2d_is_BatchNorm1d_over_every_position_of_every_item()
    {
        // Normalising channels over (N, H, W) is BatchNorm1d on the [N·H·W, C] matrix of positions,
        // which the PyTorch fixture checks; this ties BatchNorm2d to it for forward, backward and running stats.
        var rng = new Rng(10);
        int n = 3, c = 4, hw = 6;
        var bn2 = new BatchNorm2d(c, 2, 3);
        var bn1 = new BatchNorm1d(c);
        var gamma = Random(rng, c);
        var beta = Random(rng, c);
        gamma.Span.CopyTo(bn2.Weight.Value.Span);
        gamma.Span.CopyTo(bn1.Weight.Value.Span);
        beta.Span.CopyTo(bn2.Bias.Value.Span);
        beta.Span.CopyTo(bn1.Bias.Value.Span);
        var x = Random(rng, n, c * hw);
        var dy = Random(rng, n, c * hw);
        Tensor ToPositions(Tensor t)
        {
            var r = new Tensor(n * hw, c);
            for (int item = 0; item < n; item++)
                for (int ch = 0; ch < c; ch++)
                    for (int q = 0; q < hw; q++) r[(item * hw + q) * c + ch] = t[(item * c + ch) * hw + q];
            return r;
        }
        var y2 = ToPositions(bn2.Forward(x, true));
        var y1 = bn1.Forward(ToPositions(x), true);
        TensorAssert.Close(y1.Span, y2.Span, 1e-5, "y");
        var dx2 = ToPositions(bn2.Backward(dy, true)!);
        var dx1 = bn1.Backward(ToPositions(dy), true)!;
        TensorAssert.Close(dx1.Span, dx2.Span, 1e-5, "dx");
        TensorAssert.Close(bn1.Weight.Grad.Span, bn2.Weight.Grad.Span, 1e-5, "dweight");
        TensorAssert.Close(bn1.Bias.Grad.Span, bn2.Bias.Grad.Span, 1e-5, "dbias");
        TensorAssert.Close(bn1.RunningMean.Span, bn2.RunningMean.Span, 1e-6, "running_mean");
        TensorAssert.Close(bn1.RunningVar.Span, bn2.RunningVar.Span, 1e-6, "running_var");
    }

    [Fact]
    public void BatchNorm_training_refuses_a_single_value_per_channel()
    {
        var e = Assert.Throws<BottleneckException>(() => new BatchNorm1d(3).Forward(new Tensor(1, 3), training: true));
        Assert.Contains("more than 1 value per channel", e.Message);
        // One item still has H·W values per channel in BatchNorm2d, and evaluation needs no batch statistics.
        new BatchNorm2d(3, 2, 2).Forward(new Tensor(1, 12), training: true);
        Assert.Equal([0f, 0, 0], new BatchNorm1d(3).Forward(new Tensor(1, 3), training: false).Span.ToArray());
    }

    [Fact]
    public void Dropout_in_training_zeroes_about_p_of_the_values_and_scales_the_rest()
    {
        var dropout = new Dropout(0.3, new Rng(11));
        var x = new Tensor(100, 200);
        x.Span.Fill(2f);
        var y = dropout.Forward(x, training: true).Span.ToArray();
        int zeros = y.Count(v => v == 0f);
        Assert.InRange(zeros / (double)y.Length, 0.29, 0.31);
        Assert.All(y, v => Assert.True(v == 0f || Math.Abs(v - 2f / 0.7f) < 1e-5f, $"unexpected value {v}"));
        // Backward lets the gradient through exactly where the value was kept, with the same scale.
        var dy = new Tensor(100, 200);
        dy.Span.Fill(1f);
        var dx = dropout.Backward(dy, true)!.Span.ToArray();
        for (int i = 0; i < y.Length; i++) Assert.Equal(y[i] / 2f, dx[i], 1e-6f);
    }

    [Fact]
    public void Dropout_in_evaluation_is_the_identity()
    {
        var rng = new Rng(12);
        var dropout = new Dropout(0.5, rng);
        var x = Random(rng, 4, 9);
        var state = rng.GetState();
        var y = dropout.Forward(x, training: false);
        Assert.True(x.Span.SequenceEqual(y.Span));
        Assert.Equal(state, rng.GetState()); // no random draws in evaluation
        var dy = Random(rng, 4, 9);
        Assert.True(dy.Span.SequenceEqual(dropout.Backward(dy, true)!.Span));
    }

    [Fact]
    public void Dropout_masks_are_determined_by_the_generator()
    {
        var x = new Tensor(8, 50);
        x.Span.Fill(1f);
        float[] Run(ulong seed) => new Dropout(0.5, new Rng(seed)).Forward(x, true).Span.ToArray();
        Assert.Equal(Run(13), Run(13));
        Assert.NotEqual(Run(13), Run(14));
        Assert.All(new Dropout(0, new Rng(1)).Forward(x, true).Span.ToArray(), v => Assert.Equal(1f, v));
        Assert.All(new Dropout(1, new Rng(1)).Forward(x, true).Span.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Sequential_names_buffers_like_a_pytorch_state_dict()
    {
        var rng = new Rng(14);
        var inner = new Sequential([new Conv2d(1, 2, 3, 1, 1, 4, 4, rng), new BatchNorm2d(2, 4, 4)]);
        var model = new Sequential([inner, new ReLU(), new Linear(32, 5, rng), new BatchNorm1d(5), new Dropout(0.1, rng)]);
        Assert.Equal(
            ["0.1.running_mean", "0.1.running_var", "0.1.num_batches_tracked", "3.running_mean", "3.running_var", "3.num_batches_tracked"],
            model.NamedBuffers.Select(b => b.Name).ToArray());
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias"], inner.NamedParameters.Select(p => p.Name).ToArray());
        Assert.Same(((BatchNorm1d)model.Layers[3]).RunningVar, model.NamedBuffers[4].Value);
        Assert.Empty(new Linear(2, 2, rng).Buffers);
        Assert.Empty(new Conv2d(1, 1, 1, 1, 0, 2, 2, rng).Buffers);
    }

    [Fact]
    public void A_training_step_of_the_image_layers_allocates_nothing_once_warm()
    {
        var rng = new Rng(15);
        var model = new Sequential(
        [
            new Conv2d(1, 4, 3, 2, 1, 12, 12, rng), new BatchNorm2d(4, 6, 6), new ReLU(),
            new MaxPool2d(4, 6, 6), new UpsampleNearest2d(4, 3, 3), new Dropout(0.2, rng),
            new ConvTranspose2d(4, 1, 3, 2, 1, 1, 6, 6, rng), new Sigmoid(),
        ]);
        var x = Random(rng, 16, 144);
        var dy = Random(rng, 16, 144);
        for (int i = 0; i < 3; i++)
        {
            model.Forward(x, true);
            model.Backward(dy, true);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
        {
            model.Forward(x, true);
            model.Backward(dy, true);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}

/// <summary>Results of the image layers do not depend on the thread count (set on the network, which hands it to its layers).</summary>
public class ImageLayerThreadingTests
{
    [Fact]
    public void One_and_several_threads_give_identical_bits()
    {
        (float[] Y, float[] Dx, float[][] Grads) Run(int threads)
        {
            var rng = new Rng(16);
            var model = new Sequential(
            [
                new Conv2d(1, 16, 3, 2, 1, 28, 28, rng), new ReLU(), new Conv2d(16, 32, 3, 2, 1, 14, 14, rng), new ReLU(),
                new ConvTranspose2d(32, 16, 3, 2, 1, 1, 7, 7, rng), new ReLU(), new ConvTranspose2d(16, 1, 3, 2, 1, 1, 14, 14, rng),
            ])
            { Engine = new EngineOptions { Threads = threads } };
            Assert.All(model.Layers, layer => Assert.Equal(threads, layer.Engine.Threads));
            var x = new Tensor(64, 784);
            var dy = new Tensor(64, 784);
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = (float)rng.NextDouble();
                dy[i] = (float)(rng.NextDouble() - 0.5);
            }
            var y = model.Forward(x, true).Span.ToArray();
            var dx = model.Backward(dy, true)!.Span.ToArray();
            return (y, dx, model.Parameters.Select(p => p.Grad.Span.ToArray()).ToArray());
        }
        var one = Run(1);
        foreach (int threads in new[] { 2, 3 })
        {
            var many = Run(threads);
            Assert.True(one.Y.AsSpan().SequenceEqual(many.Y), $"forward differs with {threads} threads");
            Assert.True(one.Dx.AsSpan().SequenceEqual(many.Dx), $"input gradient differs with {threads} threads");
            for (int i = 0; i < one.Grads.Length; i++)
                Assert.True(one.Grads[i].AsSpan().SequenceEqual(many.Grads[i]), $"parameter gradient {i} differs with {threads} threads");
        }
    }
}
