using Bottleneck.Tensors;

namespace Bottleneck.Tests;

/// <summary>Tensor comparisons with relative tolerances, reporting the worst element.</summary>
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
}
