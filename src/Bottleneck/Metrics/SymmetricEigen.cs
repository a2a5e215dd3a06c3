using System.Numerics.Tensors;
using Bottleneck.Tensors;

namespace Bottleneck.Metrics;

/// <summary>
/// The largest eigenpairs of a real symmetric matrix, in double: Householder reduction to
/// tridiagonal form, eigenvalues of the tridiagonal by implicit QL, eigenvectors of the chosen
/// ones by inverse iteration, then back through the reflectors (the LAPACK dsytrd → dsterf →
/// dstein → dormtr route). Its cost is ⁴⁄₃n³ for the reduction plus O(k·n²), where a full QL with
/// vectors would cost about 6n³: for n = 1600 and k = 32 that is seconds saved.
/// </summary>
/// <remarks>
/// Deterministic: every step has a fixed order, the parallel parts split rows whose arithmetic
/// does not depend on the split, and inverse iteration starts from a fixed pseudo-random vector.
/// </remarks>
internal static class SymmetricEigen
{
    /// <summary>
    /// The <paramref name="k"/> largest eigenvalues of the symmetric n×n <paramref name="matrix"/>
    /// (row-major, both triangles filled; destroyed), decreasing, and their orthonormal eigenvectors
    /// as the rows of a k×n array, each signed so that its largest-magnitude entry is positive (see <see cref="Orient"/>).
    /// </summary>
    /// <param name="engine">The threads the reduction and back-transformation are split across; <see cref="EngineOptions.Default"/> when null.</param>
    public static (double[] Values, double[] Vectors) Largest(double[] matrix, int n, int k, EngineOptions? engine = null)
    {
        int threads = (engine ?? EngineOptions.Default).Threads;
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), $"k = {k} must be in 1..{n}");
        var d = new double[n];
        var e = new double[n]; // e[i] couples d[i] and d[i+1]; e[n-1] = 0
        var tau = new double[n];
        Tridiagonalize(matrix, n, d, e, tau, threads);

        // Split into unreduced blocks: each has simple eigenvalues in exact arithmetic, and a zero
        // coupling (e.g. from a constant input column) would otherwise mix their eigenvectors.
        var blocks = new List<(int Start, int Length)>();
        int start = 0;
        for (int i = 0; i < n; i++)
        {
            if (i == n - 1 || Math.Abs(e[i]) <= 2.2e-16 * (Math.Abs(d[i]) + Math.Abs(d[i + 1])))
            {
                if (i < n - 1) e[i] = 0;
                blocks.Add((start, i + 1 - start));
                start = i + 1;
            }
        }

        var candidates = new List<(double Value, int Block)>(n);
        for (int b = 0; b < blocks.Count; b++)
        {
            var (s, m) = blocks[b];
            foreach (double w in TridiagonalEigenvalues(d.AsSpan(s, m), e.AsSpan(s, m - 1)))
                candidates.Add((w, b));
        }
        // Largest first; equal values in block order, so the choice is reproducible.
        candidates.Sort((x, y) => x.Value != y.Value ? y.Value.CompareTo(x.Value) : x.Block.CompareTo(y.Block));

        var values = new double[k];
        var vectors = new double[k * n];
        for (int b = 0; b < blocks.Count; b++)
        {
            // This block's chosen eigenvalues, increasing, with the output rows they go to.
            var chosen = new List<(double Value, int Row)>();
            for (int r = 0; r < k; r++)
            {
                if (candidates[r].Block == b) chosen.Add((candidates[r].Value, r));
            }
            if (chosen.Count == 0) continue;
            chosen.Reverse();
            var (s, m) = blocks[b];
            // Block eigenvalues are chosen from the top, so the first chosen one has rank m − count.
            var blockVectors = InverseIteration(d.AsSpan(s, m), e.AsSpan(s, Math.Max(m - 1, 0)), chosen.Select(c => c.Value).ToArray(), m - chosen.Count);
            for (int c = 0; c < chosen.Count; c++)
            {
                values[chosen[c].Row] = chosen[c].Value;
                blockVectors.AsSpan(c * m, m).CopyTo(vectors.AsSpan(chosen[c].Row * n + s, m));
            }
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        Parallel.For(0, k, options, r =>
        {
            var z = vectors.AsSpan(r * n, n);
            BackTransform(matrix, n, tau, z);
            Orient(z);
        });
        return (values, vectors);
    }

    /// <summary>
    /// Flips the sign so that the entry of largest magnitude is positive. Entries within 10⁻⁶
    /// (relative) of the largest count as tied and the first of them decides: exact ties are common
    /// (symmetric data) and rounding alone must not pick the sign.
    /// </summary>
    internal static void Orient(Span<double> v)
    {
        double largest = TensorPrimitives.MaxMagnitude(v);
        double bar = Math.Abs(largest) * (1 - 1e-6);
        for (int i = 0; i < v.Length; i++)
        {
            if (Math.Abs(v[i]) >= bar)
            {
                if (v[i] < 0) TensorPrimitives.Negate(v, v);
                return;
            }
        }
    }

    /// <summary>
    /// Reduces A (lower triangle used, both updated) to T = QᵀAQ with diagonal d and off-diagonal e.
    /// Q = H₀H₁…Hₙ₋₃ with Hᵢ = I − τᵢvᵢvᵢᵀ; vᵢ acts on entries i+1.. with vᵢ[i+1] = 1 implicit and the
    /// rest stored below the subdiagonal in column i of A.
    /// </summary>
    internal static void Tridiagonalize(double[] a, int n, double[] d, double[] e, double[] tau, int threads)
    {
        var v = new double[n];
        var p = new double[n];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        for (int i = 0; i < n - 2; i++)
        {
            int m = n - i - 1, o = i + 1; // the trailing block is a[o.., o..], of size m
            double alpha = a[o * n + i];
            double tail = 0;
            for (int r = o + 1; r < n; r++) tail += a[r * n + i] * a[r * n + i];
            if (tail == 0)
            {
                // Already tridiagonal in this column: H = I.
                tau[i] = 0;
                e[i] = alpha;
                d[i] = a[i * n + i];
                continue;
            }
            double beta = -Math.CopySign(Math.Sqrt(alpha * alpha + tail), alpha);
            tau[i] = (beta - alpha) / beta;
            double scale = 1 / (alpha - beta);
            v[0] = 1;
            for (int r = o + 1; r < n; r++)
            {
                a[r * n + i] *= scale;
                v[r - o] = a[r * n + i];
            }
            e[i] = beta;
            d[i] = a[i * n + i];

            // p = τ·A₂₂v, w = p − (τ/2)(pᵀv)v, A₂₂ −= vwᵀ + wvᵀ. Rows are independent, so large
            // blocks are split across threads without changing a single rounding.
            double t = tau[i];
            var vs = v.AsSpan(0, m);
            int parts = m >= 192 ? Math.Min(threads, m / 96) : 1;
            void MatVec(int part)
            {
                int r0 = part * m / parts, r1 = (part + 1) * m / parts;
                for (int r = r0; r < r1; r++) p[r] = t * TensorPrimitives.Dot(a.AsSpan((o + r) * n + o, m), v.AsSpan(0, m));
            }
            if (parts == 1) MatVec(0);
            else Parallel.For(0, parts, options, MatVec);
            double half = 0.5 * t * TensorPrimitives.Dot(p.AsSpan(0, m), vs);
            for (int r = 0; r < m; r++) p[r] -= half * v[r]; // p now holds w
            void Update(int part)
            {
                int r0 = part * m / parts, r1 = (part + 1) * m / parts;
                for (int r = r0; r < r1; r++)
                {
                    var row = a.AsSpan((o + r) * n + o, m);
                    TensorPrimitives.MultiplyAdd(p.AsSpan(0, m), -v[r], row, row);
                    TensorPrimitives.MultiplyAdd(v.AsSpan(0, m), -p[r], row, row);
                }
            }
            if (parts == 1) Update(0);
            else Parallel.For(0, parts, options, Update);
        }
        if (n >= 2)
        {
            d[n - 2] = a[(n - 2) * n + n - 2];
            e[n - 2] = a[(n - 1) * n + n - 2];
            tau[n - 2] = 0;
        }
        d[n - 1] = a[(n - 1) * n + n - 1];
        e[n - 1] = 0;
        tau[n - 1] = 0;
    }

    /// <summary>z ← Q·z: the reflectors applied last to first.</summary>
    private static void BackTransform(double[] a, int n, double[] tau, Span<double> z)
    {
        for (int i = n - 3; i >= 0; i--)
        {
            if (tau[i] == 0) continue;
            int o = i + 1;
            double dot = z[o];
            for (int r = o + 1; r < n; r++) dot += a[r * n + i] * z[r];
            dot *= tau[i];
            z[o] -= dot;
            for (int r = o + 1; r < n; r++) z[r] -= dot * a[r * n + i];
        }
    }

    /// <summary>
    /// All eigenvalues of an unreduced symmetric tridiagonal block (diagonal d, off-diagonal e),
    /// increasing, by implicit QL with Wilkinson shifts and no vectors.
    /// </summary>
    internal static double[] TridiagonalEigenvalues(ReadOnlySpan<double> diagonal, ReadOnlySpan<double> offDiagonal)
    {
        int n = diagonal.Length;
        var d = diagonal.ToArray();
        var e = new double[n];
        offDiagonal.CopyTo(e);
        // QL deflates from the top and converges fast when the large entries sit at the bottom.
        // A covariance reduces to the opposite grading (its top rows carry the large variances),
        // where QL can take dozens of sweeps per eigenvalue; reversing the order (which leaves the
        // eigenvalues unchanged) is LAPACK's choice between QL and QR, made the same way.
        if (n > 1 && Math.Abs(d[n - 1]) < Math.Abs(d[0]))
        {
            Array.Reverse(d);
            Array.Reverse(e, 0, n - 1);
        }
        int budget = 30 * n; // LAPACK's total iteration allowance for a block
        for (int l = 0; l < n; l++)
        {
            while (true)
            {
                int m = l;
                for (; m < n - 1; m++)
                {
                    double dd = Math.Abs(d[m]) + Math.Abs(d[m + 1]);
                    if (Math.Abs(e[m]) <= 2.2e-16 * dd) break;
                }
                if (m == l) break;
                if (--budget < 0)
                    throw new BottleneckException("eigen-decomposition: QL iteration did not converge; the matrix may hold NaN or infinite values");
                // Shift from the leading 2×2 of the active part (Wilkinson), then chase the bulge up from m.
                double g = (d[l + 1] - d[l]) / (2 * e[l]);
                double r = Hypot(g, 1);
                g = d[m] - d[l] + e[l] / (g + Math.CopySign(r, g));
                double s = 1, c = 1, p = 0;
                bool deflated = false;
                for (int i = m - 1; i >= l; i--)
                {
                    double f = s * e[i], b = c * e[i];
                    r = Hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0)
                    {
                        // An exact underflow split: take what is done and restart on the smaller problem.
                        d[i + 1] -= p;
                        e[m] = 0;
                        deflated = true;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                }
                if (deflated) continue;
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            }
        }
        Array.Sort(d);
        return d;
    }

    /// <summary>√(a² + b²) without overflow, correctly rounded: the rotations must stay orthogonal to the last bit.</summary>
    private static double Hypot(double a, double b) => double.Hypot(a, b);

    /// <summary>
    /// Eigenvectors (rows of a count×n array, unit length) of an unreduced tridiagonal block for the
    /// given increasing eigenvalues, by inverse iteration as LAPACK's dstein does it: a pivoted LU of
    /// T − λI, a few solves from a fixed pseudo-random start, and Gram–Schmidt against the vectors of
    /// eigenvalues closer than 10⁻³‖T‖, without which clustered eigenvalues give parallel vectors.
    /// <paramref name="firstRank"/> is the rank of eigenvalues[0] among all of the block's (from the
    /// smallest); each start vector depends only on its eigenvalue's rank, so asking for fewer
    /// eigenpairs gives the same vectors for those it keeps (outside clusters, bit for bit).
    /// </summary>
    internal static double[] InverseIteration(ReadOnlySpan<double> d, ReadOnlySpan<double> e, double[] eigenvalues, int firstRank)
    {
        int n = d.Length, count = eigenvalues.Length;
        var result = new double[count * n];
        if (n == 1)
        {
            for (int j = 0; j < count; j++) result[j] = 1;
            return result;
        }
        double norm = 0;
        for (int i = 0; i < n; i++)
            norm = Math.Max(norm, Math.Abs(d[i]) + (i > 0 ? Math.Abs(e[i - 1]) : 0) + (i < n - 1 ? Math.Abs(e[i]) : 0));
        const double eps = 1.1102230246251565e-16; // unit roundoff, as LAPACK's dlamch('P') / 2
        double orthogonalTolerance = 1e-3 * norm;
        double convergedSize = Math.Sqrt(0.1 / n);
        double pivotFloor = eps * norm;

        var diag = new double[n];
        var sub = new double[n];
        var sup = new double[n];
        var sup2 = new double[n];
        var swapped = new bool[n];
        var x = new double[n];
        double previous = 0;
        int clusterStart = 0;
        for (int j = 0; j < count; j++)
        {
            double lambda = eigenvalues[j];
            if (j > 0)
            {
                // Equal eigenvalues would give the same vector: nudge apart by a few ulps.
                double separation = 10 * Math.Abs(eps * lambda);
                if (lambda - previous < separation) lambda = previous + separation;
                if (lambda - previous > orthogonalTolerance) clusterStart = j;
            }
            var random = new Rng(0x5EED_E16EUL + (ulong)(firstRank + j));
            for (int i = 0; i < n; i++) x[i] = 2 * random.NextDouble() - 1;

            Factor(d, e, lambda, pivotFloor, diag, sub, sup, sup2, swapped);
            int checksPassed = 0;
            for (int iteration = 0; iteration < 5; iteration++)
            {
                // Rescale before each solve so the growth that signals convergence cannot overflow.
                double sum = 0;
                for (int i = 0; i < n; i++) sum += Math.Abs(x[i]);
                double scale = n * norm * Math.Max(eps, Math.Abs(diag[n - 1])) / sum;
                for (int i = 0; i < n; i++) x[i] *= scale;
                Solve(n, diag, sub, sup, sup2, swapped, x);
                for (int c = clusterStart; c < j; c++)
                {
                    var z = result.AsSpan(c * n, n);
                    double dot = TensorPrimitives.Dot(x.AsSpan(), z);
                    TensorPrimitives.MultiplyAdd(z, -dot, x.AsSpan(), x.AsSpan());
                }
                double largest = TensorPrimitives.MaxMagnitude(x.AsSpan());
                if (Math.Abs(largest) < convergedSize) continue;
                // Converged: two more iterations for accuracy, as dstein does.
                if (++checksPassed == 3) break;
            }
            double length = TensorPrimitives.Norm(x.AsSpan());
            for (int i = 0; i < n; i++) result[j * n + i] = x[i] / length;
            previous = lambda;
        }
        return result;
    }

    /// <summary>
    /// LU with partial pivoting of the tridiagonal T − λI: U has two superdiagonals (sup, sup2),
    /// L is unit lower bidiagonal (sub) with row swaps. Pivots smaller than <paramref name="floor"/>
    /// are raised to it, since λ is an eigenvalue and T − λI is singular on purpose.
    /// </summary>
    private static void Factor(ReadOnlySpan<double> d, ReadOnlySpan<double> e, double lambda, double floor,
        double[] diag, double[] sub, double[] sup, double[] sup2, bool[] swapped)
    {
        int n = d.Length;
        for (int i = 0; i < n; i++) diag[i] = d[i] - lambda;
        for (int i = 0; i < n - 1; i++)
        {
            sub[i] = e[i];
            sup[i] = e[i];
        }
        for (int i = 0; i < n - 1; i++)
        {
            sup2[i] = 0;
            if (Math.Abs(diag[i]) >= Math.Abs(sub[i]))
            {
                swapped[i] = false;
                if (Math.Abs(diag[i]) < floor) diag[i] = diag[i] >= 0 ? floor : -floor;
                double factor = sub[i] / diag[i];
                sub[i] = factor;
                diag[i + 1] -= factor * sup[i];
            }
            else
            {
                // Row i+1 has the larger pivot: swap rows i and i+1.
                swapped[i] = true;
                double factor = diag[i] / sub[i];
                diag[i] = sub[i];
                sub[i] = factor;
                double t = sup[i];
                sup[i] = diag[i + 1];
                diag[i + 1] = t - factor * diag[i + 1];
                if (i < n - 2)
                {
                    sup2[i] = sup[i + 1];
                    sup[i + 1] = -factor * sup[i + 1];
                }
            }
        }
        if (Math.Abs(diag[n - 1]) < floor) diag[n - 1] = diag[n - 1] >= 0 ? floor : -floor;
    }

    private static void Solve(int n, double[] diag, double[] sub, double[] sup, double[] sup2, bool[] swapped, double[] x)
    {
        for (int i = 0; i < n - 1; i++)
        {
            if (!swapped[i])
            {
                x[i + 1] -= sub[i] * x[i];
            }
            else
            {
                double t = x[i];
                x[i] = x[i + 1];
                x[i + 1] = t - sub[i] * x[i];
            }
        }
        x[n - 1] /= diag[n - 1];
        if (n > 1) x[n - 2] = (x[n - 2] - sup[n - 2] * x[n - 1]) / diag[n - 2];
        for (int i = n - 3; i >= 0; i--) x[i] = (x[i] - sup[i] * x[i + 1] - sup2[i] * x[i + 2]) / diag[i];
    }
}
