namespace Bottleneck.Tensors;

/// <summary>Functions .NET's Math lacks.</summary>
public static class SpecialFunctions
{
    /// <summary>
    /// The error function, from the series for small |x| and the continued fraction of erfc for
    /// large |x|; accurate to about 1e-15, well beyond what float32 layers need.
    /// </summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        double ax = Math.Abs(x);
        if (ax < 2.5)
        {
            // erf(x) = 2/√π · Σ (-1)^n x^(2n+1) / (n! (2n+1))
            double term = ax, sum = ax, x2 = ax * ax;
            for (int n = 1; n < 60; n++)
            {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
            }
            double r = 2.0 / Math.Sqrt(Math.PI) * sum;
            return x < 0 ? -r : r;
        }
        if (ax > 6.0) return x < 0 ? -1.0 : 1.0;
        // erfc(x) = e^(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))) evaluated from the tail.
        double f = ax;
        for (int k = 60; k >= 1; k--) f = ax + k / 2.0 / f;
        double erfc = Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / f;
        return x < 0 ? erfc - 1.0 : 1.0 - erfc;
    }
}
