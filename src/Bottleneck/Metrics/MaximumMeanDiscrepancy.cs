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
        var (n, m) = Rows(x, y, dimension);
        double xx = WithinSum(x, n, dimension) / ((double)n * (n - 1));
        double yy = WithinSum(y, m, dimension) / ((double)m * (m - 1));
        double xy = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) xy += Kernel(x.Slice(i * dimension, dimension), y.Slice(j * dimension, dimension), dimension);
        return xx + yy - 2 * xy / ((double)n * m);
    }

    /// <summary>
    /// MMD² of <paramref name="x"/> and <paramref name="y"/> as <see cref="Squared"/>, and its
    /// gradient with respect to every value of <paramref name="x"/> in <paramref name="gradX"/>
    /// (∂k(a, b)/∂a = −2·k(a, b)·(a − b)/d); <paramref name="y"/> is held fixed.
    /// </summary>
    public static double SquaredWithGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int dimension, Span<float> gradX)
    {
        var (n, m) = Rows(x, y, dimension);
        if (gradX.Length != x.Length) throw new ArgumentException("the gradient must be shaped as x", nameof(gradX));
        // Each kernel value of x against x and y is computed once, for the estimate and its gradient.
        double within = 2.0 / ((double)n * (n - 1)), across = -2.0 / ((double)n * m);
        double xx = 0, xy = 0;
        var g = new double[dimension];
        for (int i = 0; i < n; i++)
        {
            Array.Clear(g);
            var a = x.Slice(i * dimension, dimension);
            for (int j = 0; j < n; j++)
                if (j != i) xx += Accumulate(g, a, x.Slice(j * dimension, dimension), dimension, within);
            for (int j = 0; j < m; j++) xy += Accumulate(g, a, y.Slice(j * dimension, dimension), dimension, across);
            for (int k = 0; k < dimension; k++) gradX[i * dimension + k] = (float)g[k];
        }
        double yy = WithinSum(y, m, dimension) / ((double)m * (m - 1));
        return xx / ((double)n * (n - 1)) + yy - 2 * xy / ((double)n * m);
    }

    /// <summary>g += weight · ∂k(a, b)/∂a; returns k(a, b).</summary>
    private static double Accumulate(double[] g, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int dimension, double weight)
    {
        double kernel = Kernel(a, b, dimension);
        double scale = weight * kernel * -2.0 / dimension;
        for (int k = 0; k < dimension; k++) g[k] += scale * (a[k] - b[k]);
        return kernel;
    }

    private static (int N, int M) Rows(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int dimension)
    {
        if (dimension < 1 || x.Length % dimension != 0 || y.Length % dimension != 0)
            throw new ArgumentException($"the samples are not rows of {dimension} values");
        int n = x.Length / dimension, m = y.Length / dimension;
        if (n < 2 || m < 2) throw new ArgumentException("MMD needs at least two points in each sample");
        return (n, m);
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
