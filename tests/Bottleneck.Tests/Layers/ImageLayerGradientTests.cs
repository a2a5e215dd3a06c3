using Bottleneck.Layers;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Layers;

/// <summary>
/// Finite-difference checks of the image layers: for L = Σ r ⊙ f(x) with a random r, every
/// analytic gradient from backward must match central differences of L. Geometries are chosen to
/// reach the edge cases of im2col and col2im: padding wider than the stride, strides that skip
/// input, non-square images, output padding.
/// </summary>
public class ImageLayerGradientTests
{

    private static Tensor Random(Rng rng, params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (float)(rng.NextDouble() * 4 - 2);
        return t;
    }



    private static void CheckLayer(Layer layer, Tensor x, int outputSize, Rng rng, Action? beforeForward = null, bool training = true) =>
        FiniteDifferences.CheckLayer(layer, x, Random(rng, x.Rows, outputSize), beforeForward, training);

    [Theory]
    [InlineData(2, 3, 3, 2, 1, 5, 5)]
    [InlineData(1, 2, 2, 1, 0, 4, 6)]
    [InlineData(3, 2, 3, 3, 2, 7, 5)]
    [InlineData(2, 4, 1, 1, 0, 3, 3)]
    [InlineData(1, 1, 5, 2, 0, 5, 9)]
    public void Conv2d_backward_matches_finite_differences(int inC, int outC, int kernel, int stride, int padding, int h, int w)
    {
        var rng = new Rng(21);
        var layer = new Conv2d(inC, outC, kernel, stride, padding, h, w, rng);
        var x = Random(rng, 3, inC * h * w);
        CheckLayer(layer, x, layer.OutputItemSize, rng);
    }

    [Theory]
    [InlineData(2, 3, 3, 2, 1, 1, 4, 4)]
    [InlineData(3, 2, 3, 2, 1, 0, 3, 5)]
    [InlineData(1, 2, 2, 1, 0, 0, 4, 3)]
    [InlineData(2, 1, 4, 3, 2, 2, 3, 3)]
    public void ConvTranspose2d_backward_matches_finite_differences(int inC, int outC, int kernel, int stride, int padding, int outputPadding, int h, int w)
    {
        var rng = new Rng(22);
        var layer = new ConvTranspose2d(inC, outC, kernel, stride, padding, outputPadding, h, w, rng);
        var x = Random(rng, 3, inC * h * w);
        CheckLayer(layer, x, layer.OutputItemSize, rng);
    }

    [Theory]
    [InlineData(2, 2, 6, 6)]
    [InlineData(3, 2, 7, 5)]
    [InlineData(2, 1, 4, 5)]
    public void MaxPool2d_backward_matches_finite_differences(int kernel, int stride, int h, int w)
    {
        var rng = new Rng(23);
        var layer = new MaxPool2d(2, h, w, kernel, stride);
        // Distinct values at least 5 steps apart: no window maximum changes hands within ±Step.
        int n = 2 * 2 * h * w;
        var order = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(order);
        var x = new Tensor(2, 2 * h * w);
        for (int i = 0; i < n; i++) x[i] = order[i] * 0.05f - n * 0.025f;
        CheckLayer(layer, x, layer.OutputItemSize, rng);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void UpsampleNearest2d_backward_matches_finite_differences(int scale)
    {
        var rng = new Rng(24);
        var layer = new UpsampleNearest2d(2, 3, 4, scale);
        var x = Random(rng, 2, 2 * 3 * 4);
        CheckLayer(layer, x, layer.OutputItemSize, rng);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BatchNorm1d_backward_matches_finite_differences(bool training)
    {
        var rng = new Rng(25);
        var layer = new BatchNorm1d(4);
        Random(rng, 4).Span.CopyTo(layer.Weight.Value.Span);
        Random(rng, 4).Span.CopyTo(layer.Bias.Value.Span);
        // Running statistics away from (0, 1), so that evaluation does something to check.
        for (int c = 0; c < 4; c++)
        {
            layer.RunningMean[c] = 0.3f * c - 0.4f;
            layer.RunningVar[c] = 0.5f + c;
        }
        var x = Random(rng, 6, 4);
        // Training moves the running statistics and evaluation reads them: restore them before every forward.
        var state = (layer.RunningMean.Clone(), layer.RunningVar.Clone());
        CheckLayer(layer, x, 4, rng, () =>
        {
            state.Item1.Span.CopyTo(layer.RunningMean.Span);
            state.Item2.Span.CopyTo(layer.RunningVar.Span);
        }, training);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BatchNorm2d_backward_matches_finite_differences(bool training)
    {
        var rng = new Rng(26);
        var layer = new BatchNorm2d(3, 2, 5);
        Random(rng, 3).Span.CopyTo(layer.Weight.Value.Span);
        Random(rng, 3).Span.CopyTo(layer.Bias.Value.Span);
        layer.RunningMean.Span.Fill(0.2f);
        layer.RunningVar.Span.Fill(1.7f);
        var x = Random(rng, 2, 3 * 2 * 5);
        var state = (layer.RunningMean.Clone(), layer.RunningVar.Clone());
        CheckLayer(layer, x, layer.OutputItemSize, rng, () =>
        {
            state.Item1.Span.CopyTo(layer.RunningMean.Span);
            state.Item2.Span.CopyTo(layer.RunningVar.Span);
        }, training);
    }

    [Fact]
    public void Dropout_backward_matches_finite_differences_for_a_fixed_mask()
    {
        var rng = new Rng(27);
        var maskRng = new Rng(99);
        var layer = new Dropout(0.4, maskRng);
        var start = maskRng.GetState();
        var x = Random(rng, 3, 7);
        // The same generator state before every forward draws the same mask each time.
        CheckLayer(layer, x, 7, rng, () => maskRng.SetState(start));
    }

    [Fact]
    public void A_conv_autoencoder_stack_backward_matches_finite_differences()
    {
        var rng = new Rng(28);
        var layers = new Layer[]
        {
            new Conv2d(1, 2, 3, 2, 1, 6, 6, rng),       // → 2x3x3
            // Tanh before the batch norm: right after a convolution the norm cancels the conv bias,
            // whose gradient would then be zero and leave nothing to check.
            new Tanh(),
            new BatchNorm2d(2, 3, 3),
            new ConvTranspose2d(2, 1, 3, 2, 1, 1, 3, 3, rng), // → 1x6x6
            new Sigmoid(),
        };
        var model = new Sequential(layers);
        var x = Random(rng, 3, 36);
        var r = Random(rng, 3, 36);
        model.Forward(x, true);
        var dx = model.Backward(r, true)!.Clone();
        var grads = model.NamedParameters.Select(p => (p.Name, p.Parameter, Grad: p.Parameter.Grad.Clone())).ToArray();
        double L() => FiniteDifferences.Dot(model.Forward(x, true), r);
        FiniteDifferences.Check(x, L, dx.Span, "dx");
        foreach (var (name, p, grad) in grads) FiniteDifferences.Check(p.Value, L, grad.Span, name);
    }
}
