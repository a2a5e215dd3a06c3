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
}
