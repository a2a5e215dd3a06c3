using System.Runtime.Intrinsics;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Tensors;

public class VectorMathTests
{
    [Fact]
    public void Clamped_log_matches_MathF_log_across_the_float_range()
    {
        var rng = new Rng(17);
        var values = new List<float> { 1f, 0.5f, 2f, 1.4142135f, 1.4142137f, 0.70710677f, float.MaxValue, 1.1754944e-38f, 1e-30f, 0.999999f, 1.000001f };
        for (int i = 0; i < 4000; i++) values.Add(MathF.Exp((float)(rng.NextDouble() * 170 - 85)));
        for (int i = 0; i + 8 <= values.Count; i += 8)
        {
            var x = Vector256.Create(values.GetRange(i, 8).ToArray());
            var log = VectorMath.LogClamped(x, -100f);
            for (int lane = 0; lane < 8; lane++)
            {
                float expected = MathF.Max(MathF.Log(values[i + lane]), -100f);
                Assert.True(Math.Abs(log[lane] - expected) <= 2e-7 * Math.Max(1, Math.Abs(expected)),
                    $"log({values[i + lane]:R}) = {log[lane]:R}, expected {expected:R}");
            }
        }
    }

    [Fact]
    public void Zero_and_subnormal_inputs_give_the_floor()
    {
        var x = Vector256.Create(0f, 1e-40f, -0f, 1e-45f, 1f, 1f, 1f, 1f);
        var log = VectorMath.LogClamped(x, -100f);
        for (int lane = 0; lane < 4; lane++) Assert.Equal(-100f, log[lane]);
        Assert.Equal(0f, log[4]);
    }

    [Fact]
    public void Flushing_zeroes_subnormals_and_keeps_every_other_value()
    {
        float[] values = [1e-40f, -1e-40f, float.Epsilon, -0f, VectorMath.SmallestNormal, -VectorMath.SmallestNormal, 1f, float.NaN,
            float.PositiveInfinity, 1.1754942e-38f, -3f, 0f, 1e-45f, 2e-38f, float.NegativeInfinity, 1e-39f];
        // Subnormals and −0 become +0.
        var expected = values.Select(x => MathF.Abs(x) < VectorMath.SmallestNormal ? 0f : x).ToArray();
        var scalar = values.Select(VectorMath.FlushSubnormal).ToArray();
        var wide = VectorMath.FlushSubnormal(Vector512.Create(values));
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(scalar[i]));
            Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(wide[i]));
        }
        for (int i = 0; i + System.Numerics.Vector<float>.Count <= values.Length; i += System.Numerics.Vector<float>.Count)
        {
            var v = VectorMath.FlushSubnormal(new System.Numerics.Vector<float>(values, i));
            for (int lane = 0; lane < System.Numerics.Vector<float>.Count; lane++)
                Assert.Equal(BitConverter.SingleToInt32Bits(expected[i + lane]), BitConverter.SingleToInt32Bits(v[lane]));
        }
    }
}
