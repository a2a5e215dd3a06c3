using Bottleneck.Layers;
using Bottleneck.Optimizers;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Optimizers;

public class AdamTests
{
    [Fact]
    public void Moments_that_decay_below_the_smallest_normal_float_become_zero_and_the_weights_are_unchanged()
    {
        // One gradient, then none for 850 steps: the first moment decays as 0.1·g·0.9ⁿ and, without
        // flushing, would be subnormal by now for every g up to 1. 37 values: vector loop and tail.
        const int Size = 37, Steps = 851;
        var p = new Parameter("p", Size);
        var rng = new Rng(3);
        for (int j = 0; j < Size; j++) p.Value[j] = (float)(rng.NextDouble() * 2 - 1);
        var adam = new Adam([p]);
        var expected = p.Value.Span.ToArray();
        var m = new float[Size];
        var v = new float[Size];
        for (int step = 1; step <= Steps; step++)
        {
            for (int j = 0; j < Size; j++) p.Grad[j] = step == 1 ? (float)(0.001 + rng.NextDouble()) : 0f;
            var grads = p.Grad.Span.ToArray();
            adam.Update();
            // torch.optim.Adam's arithmetic without any flushing.
            float stepSize = (float)(1e-3 / (1.0 - Math.Pow(0.9, step)));
            float bias2Sqrt = (float)Math.Sqrt(1.0 - Math.Pow(0.999, step));
            for (int j = 0; j < Size; j++)
            {
                m[j] = m[j] * 0.9f + (float)(1.0 - 0.9) * grads[j];
                v[j] = v[j] * 0.999f + (float)(1.0 - 0.999) * grads[j] * grads[j];
                expected[j] -= stepSize * (m[j] / (MathF.Sqrt(v[j]) / bias2Sqrt + 1e-8f));
            }
        }
        Assert.All(m, mj => Assert.True(mj != 0 && MathF.Abs(mj) < VectorMath.SmallestNormal, $"reference moment {mj:R} is not subnormal"));
        Assert.All(adam.FirstMoments[0].Span.ToArray(), mj => Assert.Equal(0f, mj));
        Assert.All(adam.SecondMoments[0].Span.ToArray(), vj => Assert.True(vj >= VectorMath.SmallestNormal));
        for (int j = 0; j < Size; j++)
            Assert.Equal(BitConverter.SingleToInt32Bits(expected[j]), BitConverter.SingleToInt32Bits(p.Value[j]));
    }
}
