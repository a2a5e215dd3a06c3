namespace Bottleneck.Metrics;

/// <summary>
/// The squared maximum mean discrepancy between two samples of points in d dimensions, with the
/// Gaussian kernel k(x, y) = exp(−‖x − y‖² / d) (2σ² = d, the choice of InfoVAE's authors for
/// codes compared with N(0, I)): 0 in expectation when both come from one distribution, larger
/// the further apart they are. The unbiased estimator (Gretton et al. 2012), which can dip
/// slightly below 0 for matching samples.
/// </summary>
public static class MaximumMeanDiscrepancy
{
    /// <summary>MMD² of <paramref name="x"/> and <paramref name="y"/>, rows of <paramref name="dimension"/> values, at least two rows each.</summary>
    public static double Squared(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int dimension)
    {
        if (dimension < 1 || x.Length % dimension != 0 || y.Length % dimension != 0)
            throw new ArgumentException($"the samples are not rows of {dimension} values");
        int n = x.Length / dimension, m = y.Length / dimension;
        if (n < 2 || m < 2) throw new ArgumentException("MMD needs at least two points in each sample");
        double xx = WithinSum(x, n, dimension) / ((double)n * (n - 1));
        double yy = WithinSum(y, m, dimension) / ((double)m * (m - 1));
        double xy = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) xy += Kernel(x.Slice(i * dimension, dimension), y.Slice(j * dimension, dimension), dimension);
        return xx + yy - 2 * xy / ((double)n * m);
    }

    /// <summary>Σ over ordered pairs i ≠ j of k(rᵢ, rⱼ).</summary>
    private static double WithinSum(ReadOnlySpan<float> rows, int count, int dimension)
    {
        double sum = 0;
        for (int i = 0; i < count; i++)
            for (int j = i + 1; j < count; j++) sum += Kernel(rows.Slice(i * dimension, dimension), rows.Slice(j * dimension, dimension), dimension);
        return 2 * sum;
    }

    private static double Kernel(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int dimension)
    {
        double distance = System.Numerics.Tensors.TensorPrimitives.Distance(a, b);
        return Math.Exp(-distance * distance / dimension);
    }
}
