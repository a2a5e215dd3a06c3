using Bottleneck.Layers;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Layers;

public class LinearTests
{
    [Theory]
    [InlineData(0.85)] // like an image batch: dW is computed as (Xᵀ·dY)ᵀ
    [InlineData(0.3)]  // like hidden activations: dW = dYᵀ·X
    public void Weight_gradient_has_the_bits_of_dY_transposed_times_X_whatever_the_input(double zeroFraction)
    {
        const int Batch = 64, In = 200, Out = 48;
        var rng = new Rng(9);
        var layer = new Linear(In, Out, rng);
        var x = new Tensor(Batch, In);
        rng.FillUniform(x.Span, 0f, 1f);
        var noise = new float[x.Length];
        rng.FillUniform(noise, 0f, 1f);
        for (int i = 0; i < x.Length; i++)
        {
            if (noise[i] < zeroFraction) x[i] = 0f;
        }
        var dy = new Tensor(Batch, Out);
        rng.FillUniform(dy.Span, -1f, 1f);
        layer.Forward(x, training: true);
        layer.Backward(dy, needInputGrad: true);
        var expected = new float[Out * In];
        Gemm.Multiply(true, false, Out, In, Batch, dy.Span, Out, x.Span, In, expected, In, accumulate: false);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), layer.Weight.Grad.Span.ToArray().Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public unsafe void The_fused_ReLU_tile_passes_compute_what_the_layer_computes()
    {
        // Special values in the vector part and in the tail of a 37-wide row.
        float[] specials = [float.NaN, -0f, 0f, -1e-40f, 1e-40f, -3f, 2.5f, float.NegativeInfinity, float.PositiveInfinity, -float.NaN];
        var rng = new Rng(4);
        var x = new float[3 * 37];
        rng.FillUniform(x, -1f, 1f);
        for (int i = 0; i < x.Length; i += 4) x[i] = specials[i / 4 % specials.Length];
        var relu = new ReLU();
        var expected = new float[x.Length];
        relu.Apply(x, expected);
        var tile = (float[])x.Clone();
        fixed (float* t = tile) relu.RectifyTiles.Apply(t, 37, 0, 0, 3, 37);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), tile.Select(BitConverter.SingleToInt32Bits));

        // The mask: the layer's backward from its last output, against the tile pass over dy.
        var y = relu.Forward(Tensor.Wrap(x, 3, 37), training: true);
        var dy = new float[x.Length];
        rng.FillUniform(dy, -1f, 1f);
        var dx = relu.Backward(Tensor.Wrap((float[])dy.Clone(), 3, 37), needInputGrad: true)!.Span.ToArray();
        fixed (float* t = dy) relu.MaskTiles.Apply(t, 37, 0, 0, 3, 37);
        Assert.Equal(dx.Select(BitConverter.SingleToInt32Bits), dy.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), y.Span.ToArray().Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void A_ReLU_fused_into_the_Linear_layers_gives_the_bits_of_separate_passes()
    {
        // Linear, ReLU, Linear, ReLU, Linear: both ReLUs fused in the forward and the backward.
        var rng = new Rng(11);
        var net = new Sequential([new Linear(30, 50, rng), new ReLU(), new Linear(50, 40, rng), new ReLU(), new Linear(40, 9, rng)]);
        var x = new Tensor(21, 30);
        rng.FillUniform(x.Span, -1f, 1f);
        var dy = new Tensor(21, 9);
        rng.FillUniform(dy.Span, -1f, 1f);
        float[][] Run(bool fuse)
        {
            net.Engine = new EngineOptions { FuseActivations = fuse };
            var y = net.Forward(x, training: true).Span.ToArray();
            var dx = net.Backward(dy, needInputGrad: true)!.Span.ToArray();
            return [y, dx, .. net.Parameters.Select(p => p.Grad.Span.ToArray())];
        }
        var separate = Run(false);
        var fused = Run(true);
        Assert.Equal(separate.Length, fused.Length);
        for (int i = 0; i < fused.Length; i++)
            Assert.Equal(separate[i].Select(BitConverter.SingleToInt32Bits), fused[i].Select(BitConverter.SingleToInt32Bits));
        // Some hidden units are off, so the masks matter.
        Assert.Contains(0f, ((ReLU)net.Layers[1]).LastOutput!.Span.ToArray());
    }

    [Theory]
    [InlineData(0.85, false)]
    [InlineData(0.85, true)]
    [InlineData(0.3, false)]
    [InlineData(0.3, true)]
    public void The_weight_gradient_is_vouched_finite_only_when_it_is(double zeroFraction, bool poison)
    {
        var rng = new Rng(13);
        var layer = new Linear(100, 40, rng);
        var x = new Tensor(32, 100);
        rng.FillUniform(x.Span, 0f, 1f);
        for (int i = 0; i < x.Length; i++)
        {
            if (i % 100 < zeroFraction * 100) x[i] = 0f;
        }
        var dy = new Tensor(32, 40);
        rng.FillUniform(dy.Span, -1f, 1f);
        // An infinity in dY reaches dW wherever its row of X is non-zero.
        if (poison) dy[5 * 40 + 7] = float.PositiveInfinity;
        layer.Forward(x, training: true);
        layer.Backward(dy, needInputGrad: false);
        Assert.Equal(!poison, layer.Weight.GradientKnownFinite);
        Assert.Equal(!poison, layer.Weight.Grad.AllFinite());
    }
}
