using Bottleneck.Tensors;

namespace Bottleneck.Tests;

/// <summary>Tensor comparisons, with relative tolerances (reporting the worst element) or bit for bit.</summary>
internal static class TensorAssert
{
    /// <summary>max|a − e| ≤ tolerance · max(max|e|, floor): relative to the tensor's scale.</summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what, double floor = 1e-6)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        double scale = floor, worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            double d = Math.Abs((double)expected[i] - actual[i]);
            if (!(d <= worst)) { worst = d; worstAt = i; }
        }
        double relative = worst / scale;
        Assert.True(relative <= tolerance,
            $"{what}: relative error {relative:E2} > {tolerance:E0} at [{worstAt}] (expected {(worstAt >= 0 ? expected[worstAt] : 0)}, got {(worstAt >= 0 ? actual[worstAt] : 0)})");
    }

    public static void Close(Tensor expected, Tensor actual, double tolerance, string what)
    {
        Assert.True(expected.Shape.SequenceEqual(actual.Shape), $"{what}: shape [{string.Join(",", actual.Shape.ToArray())}], expected [{string.Join(",", expected.Shape.ToArray())}]");
        Close(expected.Span, actual.Span, tolerance, what);
    }

    public static void CloseScalar(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: got {actual}, expected {expected}");

    /// <summary>The same floats bit for bit (−0 and +0 differ, a NaN equals the same NaN); names the first that differs.</summary>
    public static void SameBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: [{i}] = {actual[i]:R}, expected {expected[i]:R}");
        }
    }

    public static void SameBits(Tensor expected, Tensor actual, string what)
    {
        Assert.True(expected.Shape.SequenceEqual(actual.Shape), $"{what}: shape [{string.Join(",", actual.Shape.ToArray())}], expected [{string.Join(",", expected.Shape.ToArray())}]");
        SameBits(expected.Span, actual.Span, what);
    }
}
