using Bottleneck.Layers;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Layers;

public class SigmoidTests
{
    [Fact]
    public void Gradients_below_the_smallest_normal_float_are_flushed_to_zero_and_the_others_are_exact()
    {
        // 19 values: the vector loop and the scalar tail both see every case.
        var y = new float[19];
        var dy = new float[19];
        for (int i = 0; i < y.Length; i++)
        {
            (y[i], dy[i]) = (i % 4) switch
            {
                0 => (1e-20f, 1e-19f),   // 1e-39: subnormal
                1 => (1e-25f, -1e-13f),  // −1e-38: subnormal, negative
                2 => (1e-18f, 1e-19f),   // 1e-37: normal, kept
                _ => (0.25f, 2f),
            };
        }
        var dx = new float[19];
        new Sigmoid().Derivative(new float[19], y, dy, dx);
        for (int i = 0; i < y.Length; i++)
        {
            float exact = dy[i] * (1f - y[i]) * y[i];
            float expected = MathF.Abs(exact) < VectorMath.SmallestNormal ? 0f : exact;
            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(dx[i]));
            Assert.True(dx[i] == 0f || MathF.Abs(dx[i]) >= VectorMath.SmallestNormal, $"dx[{i}] = {dx[i]:R} is subnormal");
        }
        Assert.Equal(0f, dx[0]);
        Assert.NotEqual(0f, dx[2]);
    }
}
