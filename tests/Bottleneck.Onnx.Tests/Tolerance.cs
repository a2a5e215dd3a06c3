namespace Bottleneck.Onnx.Tests;

internal static class Tolerance
{
    /// <summary>
    /// Every value within 1e-5 of the expected one (relative above 1, so a score of 100 may differ
    /// by 1e-3): the two runtimes add the same products in different orders. Returns the largest
    /// difference seen, relative where the value is above 1.
    /// </summary>
    public static double AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            Assert.True(double.IsFinite(a), $"{what}[{i}] is {a}");
            double error = Math.Abs(a - e) / Math.Max(1, Math.Abs(e));
            if (error > tolerance) Assert.Fail($"{what}[{i}]: ONNX Runtime gives {a}, Bottleneck {e} (difference {error:E2} > {tolerance:E0})");
            worst = Math.Max(worst, error);
        }
        return worst;
    }
}
