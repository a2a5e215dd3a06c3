namespace Bottleneck.Tensors;

/// <summary>
/// Single-precision matrix multiply for row-major matrices:
/// C[m,n] (+)= op(A)·op(B), where op(A) is A[m,k] or, transposed, A[k,m] read column-wise;
/// likewise op(B) is B[k,n] or B[n,k]. Covers the three products of training without
/// materialising a transpose: X·Wᵀ (NT), dY·W (NN) and dYᵀ·X (TN).
/// </summary>
/// <remarks>
/// Packed, cache-blocked, register-tiled kernels (AVX-512, AVX2 or scalar), run on
/// <see cref="EngineOptions.Threads"/> threads by splitting the output. The k reduction is never split and
/// its blocking depends on k alone, so results are bit-identical for any thread count.
/// Steady-state calls allocate nothing.
/// </remarks>
public static class Gemm
{
    /// <param name="transA">A is stored as [k, m] (lda ≥ m) rather than [m, k] (lda ≥ k).</param>
    /// <param name="transB">B is stored as [n, k] (ldb ≥ k) rather than [k, n] (ldb ≥ n).</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    /// <param name="engine">Threads and kernel; <see cref="EngineOptions.Default"/> when null.</param>
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate, EngineOptions? engine = null) =>
        MultiplyCore(engine ?? EngineOptions.Default, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, default);

    /// <summary>
    /// C = (op(A)·op(B))ᵀ, C stored [n, m] (ldc ≥ m): the product [m, n] written transposed, tile
    /// by tile, with the same sums as computing it into [m, n]. This lets a product choose which
    /// operand the kernel sees as A: the weight gradient dW = dYᵀ·X of a layer whose input X is
    /// mostly zeros (images) is computed as (Xᵀ·dY)ᵀ, so X's zeros fall in panels of 8 pixels,
    /// which are all zero far more often (61% of the steps of an MNIST batch) than panels of 32
    /// (27%); see <see cref="GemmSparsity"/>.
    /// </summary>
    /// <param name="epilogue">Applied to each finished tile where it lies in C (so with rows and columns swapped), or null.</param>
    internal static void MultiplyTransposedC(EngineOptions engine, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, IGemmEpilogue? epilogue = null) =>
        MultiplyCore(engine, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate: false, default, transC: true, epilogue);

    /// <summary>
    /// C = bias + op(A)·op(B), <paramref name="bias"/> (n values) added to every row: the same
    /// sums as filling each row of C with the bias and accumulating the product onto it, without
    /// the pass that fills C. Each thread adds the bias to the tiles it computes, once its first
    /// reduction block is in them, so C is first written by the thread that computes it.
    /// </summary>
    /// <param name="epilogue">Applied to each tile once it holds its final values (bias included), or null.</param>
    internal static void MultiplyAddBias(EngineOptions engine, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, ReadOnlySpan<float> bias, IGemmEpilogue? epilogue = null)
    {
        if (n < 0 || bias.Length < n) throw new BottleneckException($"GEMM bias: {bias.Length} values for {n} columns");
        MultiplyCore(engine, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate: false, bias[..n], epilogue: epilogue);
    }

    /// <summary>C = op(A)·op(B), then <paramref name="epilogue"/> applied to each finished tile.</summary>
    internal static void MultiplyThen(EngineOptions engine, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, IGemmEpilogue epilogue) =>
        MultiplyCore(engine, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate: false, default, epilogue: epilogue);

    private static unsafe void MultiplyCore(EngineOptions engine, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate, ReadOnlySpan<float> bias, bool transC = false, IGemmEpilogue? epilogue = null)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new BottleneckException($"GEMM sizes must not be negative, got m={m}, n={n}, k={k}");
        if (transC && !bias.IsEmpty) throw new ArgumentException("GEMM: a bias on a transposed output is not supported");
        if (m == 0 || n == 0) return;
        CheckOperand("C", c.Length, transC ? n : m, transC ? m : n, ldc);
        if (k == 0)
        {
            if (!bias.IsEmpty)
            {
                for (int i = 0; i < m; i++) bias.CopyTo(c.Slice(i * ldc, n));
            }
            else if (!accumulate)
            {
                for (int i = 0, rows = transC ? n : m, cols = transC ? m : n; i < rows; i++) c.Slice(i * ldc, cols).Clear();
            }
            if (epilogue is not null)
            {
                fixed (float* pc = c) epilogue.Apply(pc, ldc, 0, 0, transC ? n : m, transC ? m : n);
            }
            return;
        }
        CheckOperand("A", a.Length, transA ? k : m, transA ? m : k, lda);
        CheckOperand("B", b.Length, transB ? n : k, transB ? k : n, ldb);

        GemmPath path = GemmPaths.Resolve(engine.Kernel);
        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        {
            var problem = new GemmProblem(transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, pbias, transC, epilogue, engine.SkipZeros, engine.NarrowEdges);
            switch (path)
            {
                case GemmPath.Vector512: Run<GemmKernel512>(problem, path, engine.Threads); break;
                case GemmPath.Vector256: Run<GemmKernel256>(problem, path, engine.Threads); break;
                default: Run<GemmKernelScalar>(problem, path, engine.Threads); break;
            }
        }
    }

    private static void Run<TKernel>(in GemmProblem problem, GemmPath path, int threads) where TKernel : IGemmKernel
    {
        var partition = GemmPartition.Choose(problem.M, problem.N, problem.K, TKernel.MR, TKernel.NR, threads, problem.TransA, problem.TransB);
        if (partition.Parts > 1 && WorkerPool.TryRun(problem, path, partition)) return;
        GemmDriver<TKernel>.Run(problem, 0, problem.M, 0, problem.N, GemmWorkspace.Current);
    }

    /// <summary>Checks that a rows×cols matrix with row stride ld fits in a span of the given length.</summary>
    private static void CheckOperand(string name, int length, int rows, int cols, int ld)
    {
        if (ld < cols)
            throw new BottleneckException($"GEMM {name}: leading dimension {ld} is less than its {cols} columns");
        long needed = (long)(rows - 1) * ld + cols;
        if (length < needed)
            throw new BottleneckException($"GEMM {name}: {rows}x{cols} with leading dimension {ld} needs {needed} elements, the span has {length}");
    }
}
