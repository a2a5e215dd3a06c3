using Bottleneck.Tensors;

namespace Bottleneck.Tests.Tensors;

/// <summary>
/// The fast GEMM against the double-precision reference, for every transpose case, every kernel
/// path, awkward sizes and padded leading dimensions; plus determinism across thread counts and
/// zero steady-state allocation. Each call is given its own path and thread count.
/// </summary>
public class GemmTests
{
    public static TheoryData<int, int, int, int> Sizes => new()
    {
        // m, n, k, extra padding added to every leading dimension
        { 1, 1, 1, 0 },
        { 7, 13, 5, 0 },
        { 17, 33, 129, 0 },
        { 9, 40, 300, 3 },
        { 33, 65, 17, 5 },
        { 128, 400, 784, 0 },
        { 128, 784, 400, 0 },
        { 400, 784, 128, 0 },
        { 130, 70, 520, 11 },
        // Several column blocks (n > Nc), and a short last reduction block (k = 520 is 174 + 174 + 172).
        { 96, 2080, 130, 0 },
        { 200, 333, 520, 7 },
    };

    private static readonly GemmPath[] Paths = [GemmPath.Vector512, GemmPath.Vector256, GemmPath.Scalar];

    [Theory]
    [MemberData(nameof(Sizes))]
    public void MatchesReferenceForEveryTransposeAndPath(int m, int n, int k, int pad)
    {
        var random = new Random(m * 1_000_003 + n * 1009 + k + pad);
        foreach (bool transA in new[] { false, true })
        {
            foreach (bool transB in new[] { false, true })
            {
                int lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad;
                float[] a = RandomArray(random, (transA ? k : m) * lda);
                float[] b = RandomArray(random, (transB ? n : k) * ldb);
                float[] c0 = RandomArray(random, m * ldc);

                var expectedSet = (float[])c0.Clone();
                GemmReference.Multiply(transA, transB, m, n, k, a, lda, b, ldb, expectedSet, ldc, accumulate: false);
                // C + product, from the exact product rather than a second slow reference run.
                var expectedAdd = (float[])c0.Clone();
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < n; j++)
                        expectedAdd[i * ldc + j] = (float)(c0[i * ldc + j] + (double)expectedSet[i * ldc + j]);
                }

                foreach (GemmPath path in Paths)
                {
                    if (!GemmPaths.IsSupported(path)) continue;
                    foreach (bool accumulate in new[] { false, true })
                    {
                        var actual = (float[])c0.Clone();
                        RunWith(path, threads: 2, engine =>
                            Gemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, actual, ldc, accumulate, engine: engine));
                        AssertClose(accumulate ? expectedAdd : expectedSet, actual, c0, m, n, ldc, k,
                            $"{(transA ? 'T' : 'N')}{(transB ? 'T' : 'N')} {m}x{n}x{k} pad {pad} {path} accumulate={accumulate}");
                    }
                }
            }
        }
    }

    [Fact]
    public void ZeroDepthClearsOrKeepsC()
    {
        float[] c = [1f, 2f, 3f, 4f];
        Gemm.Multiply(false, false, 2, 2, 0, [], 0, [], 2, c, 2, accumulate: true);
        Assert.Equal([1f, 2f, 3f, 4f], c);
        Gemm.Multiply(false, false, 2, 2, 0, [], 0, [], 2, c, 2, accumulate: false);
        Assert.Equal([0f, 0f, 0f, 0f], c);
    }

    [Fact]
    public void RejectsOperandsThatDoNotFit()
    {
        var a = new float[6];
        var b = new float[6];
        var c = new float[3];
        Assert.Throws<BottleneckException>(() => Gemm.Multiply(false, false, 2, 2, 3, a, 3, b, 2, c, 2, false));
        Assert.Throws<BottleneckException>(() => Gemm.Multiply(false, false, 2, 2, 3, a, 2, b, 2, new float[4], 2, false));
    }

    [Theory]
    [InlineData(false, true, 128, 400, 784)]
    [InlineData(false, false, 128, 784, 400)]
    [InlineData(true, false, 400, 784, 128)]
    [InlineData(true, true, 67, 45, 300)]
    [InlineData(false, true, 96, 2080, 130)]
    [InlineData(false, false, 200, 333, 520)]
    public void ResultIsBitIdenticalForOneAndTwoThreads(bool transA, bool transB, int m, int n, int k)
    {
        var random = new Random(42);
        float[] a = RandomArray(random, m * k);
        float[] b = RandomArray(random, n * k);
        float[] c0 = RandomArray(random, m * n);
        int lda = transA ? m : k, ldb = transB ? k : n;
        foreach (GemmPath path in Paths)
        {
            if (!GemmPaths.IsSupported(path)) continue;
            var one = (float[])c0.Clone();
            var two = (float[])c0.Clone();
            var three = (float[])c0.Clone();
            RunWith(path, 1, engine => Gemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, one, n, true, engine: engine));
            RunWith(path, 2, engine => Gemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, two, n, true, engine: engine));
            RunWith(path, 3, engine => Gemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, three, n, true, engine: engine));
            Assert.Equal(one, two);
            Assert.Equal(one, three);
        }
    }

    [Theory]
    [InlineData(false, true, 128, 400, 784)]
    [InlineData(false, false, 128, 400, 784)]
    [InlineData(false, true, 96, 2080, 130)]
    public void ResultIsBitIdenticalWhenThePoolIsBusy(bool transA, bool transB, int m, int n, int k)
    {
        // A call made while another holds the worker pool multiplies on its own thread; it must
        // give what the pool would have.
        var random = new Random(11);
        float[] a = RandomArray(random, m * k);
        float[] b = RandomArray(random, n * k);
        int lda = transA ? m : k, ldb = transB ? k : n;
        foreach (GemmPath path in Paths)
        {
            if (!GemmPaths.IsSupported(path)) continue;
            var pooled = new float[m * n];
            var alone = new float[m * n];
            RunWith(path, 2, engine =>
            {
                Gemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, pooled, n, false, engine: engine);
                var holder = new CallInsideJob(() => Gemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, alone, n, false, engine: engine));
                // Tests run in parallel: another one may hold the pool for a moment.
                Assert.True(SpinWait.SpinUntil(() => WorkerPool.TryRun(holder, 2), TimeSpan.FromSeconds(30)));
                Assert.True(holder.Ran);
            });
            Assert.Equal(pooled, alone);
        }
    }

    /// <summary>A pool job whose first part runs an action, so the action runs while the pool is held.</summary>
    private sealed class CallInsideJob(Action action) : WorkerPool.IParallelJob
    {
        public bool Ran { get; private set; }

        public void RunPart(int part, int parts)
        {
            if (part != 0) return;
            action();
            Ran = true;
        }
    }

    [Theory]
    [InlineData(false, true, 128, 400, 784)]
    [InlineData(false, false, 128, 400, 784)]
    [InlineData(true, false, 130, 70, 300)]
    [InlineData(true, false, 400, 784, 128)]
    [InlineData(false, true, 1000, 40, 520)]
    [InlineData(false, true, 37, 45, 129)]
    [InlineData(true, true, 50, 100, 200)]
    public void SkippingZeroStepsGivesTheSameBits(bool transA, bool transB, int m, int n, int k)
    {
        // A like MNIST batches in X·Wᵀ: whole steps of zeros in every row, stray zeros, −0 entries.
        // B like MNIST batches in dYᵀ·X: runs of zeros along n in some steps. Then a NaN or an
        // infinity in one operand where the other is zero: nothing may be skipped against it.
        var random = new Random(21);
        int lda = transA ? m : k, ldb = transB ? k : n;
        float[] a = RandomArray(random, m * k);
        for (int i = 0; i < m; i++)
        {
            for (int p = 0; p < k; p++)
            {
                bool zero = p % 5 < 3 || (i % 7 == 0 && p % 3 == 0) || random.NextDouble() < 0.2;
                if (zero) a[transA ? p * lda + i : i * lda + p] = random.NextDouble() < 0.5 ? 0f : -0f;
            }
        }
        float[] b = RandomArray(random, n * k);
        for (int p = 0; p < k; p++)
        {
            for (int j = 0; j < n; j++)
            {
                bool zero = (p % 4 == 1 && j < 2 * n / 3) || (p % 4 == 2 && j % 40 < 33);
                if (zero) b[transB ? j * ldb + p : p * ldb + j] = 0f;
            }
        }
        float[] c0 = RandomArray(random, m * n);
        // bad: −1 none; 0, 1: infinity or NaN in B at step 0 (zero in all of A); 2, 3: the same in A at step 1 (zero in much of B).
        foreach (int bad in new[] { -1, 0, 1, 2, 3 })
        {
            float[] aa = (float[])a.Clone(), bb = (float[])b.Clone();
            float value = bad % 2 == 0 ? float.PositiveInfinity : float.NaN;
            if (bad is 0 or 1) bb[transB ? 3 * ldb + 0 : 0 * ldb + 3] = value;
            if (bad is 2 or 3) aa[transA ? 1 * lda + 2 : 2 * lda + 1] = value;
            foreach (GemmPath path in Paths)
            {
                if (!GemmPaths.IsSupported(path)) continue;
                foreach (bool accumulate in new[] { false, true })
                {
                    var skipped = (float[])c0.Clone();
                    var full = (float[])c0.Clone();
                    RunWith(path, 2, engine => Gemm.Multiply(transA, transB, m, n, k, aa, lda, bb, ldb, skipped, n, accumulate, engine: engine));
                    RunWith(path, 2, engine => Gemm.Multiply(transA, transB, m, n, k, aa, lda, bb, ldb, full, n, accumulate, engine: engine with { SkipZeros = false }));
                    TensorAssert.SameBits(full, skipped, $"{path} {(transA ? 'T' : 'N')}{(transB ? 'T' : 'N')} {m}x{n}x{k} bad={bad} accumulate={accumulate}: C with skipped steps against the full product");
                }
            }
        }
    }

    [Theory]
    [InlineData(true, false, 784, 400, 128)]
    [InlineData(true, false, 37, 45, 129)]
    [InlineData(false, true, 70, 33, 300)]
    [InlineData(false, false, 8, 32, 600)]
    [InlineData(true, true, 3, 1000, 7)]
    public void TransposedOutputHoldsTheSameBitsAsTheProduct(bool transA, bool transB, int m, int n, int k)
    {
        // The weight-gradient case (Xᵀ·dY with X an image batch of mostly zeros) and ragged edges,
        // a reduction of several blocks, every path and 1 to 3 threads; C with padding columns.
        var random = new Random(m * 7 + n + k);
        int lda = transA ? m : k, ldb = transB ? k : n, ldc = m + 3;
        float[] a = RandomArray(random, m * k);
        for (int i = 0; i < a.Length; i++)
        {
            if (random.NextDouble() < 0.8) a[i] = 0f;
        }
        float[] b = RandomArray(random, n * k);
        foreach (GemmPath path in Paths)
        {
            if (!GemmPaths.IsSupported(path)) continue;
            foreach (int threads in new[] { 1, 2, 3 })
            {
                var product = new float[m * n];
                var transposed = Enumerable.Repeat(7f, n * ldc).ToArray();
                RunWith(path, threads, engine =>
                {
                    Gemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, product, n, accumulate: false, engine: engine);
                    Gemm.MultiplyTransposedC(engine, transA, transB, m, n, k, a, lda, b, ldb, transposed, ldc);
                });
                for (int j = 0; j < n; j++)
                {
                    for (int i = 0; i < ldc; i++)
                    {
                        float expected = i < m ? product[i * n + j] : 7f;
                        if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(transposed[j * ldc + i]))
                            Assert.Fail($"{path}, {threads} threads, {m}x{n}x{k}: C[{j}, {i}] = {transposed[j * ldc + i]:R}, product {expected:R}");
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(false, true, 128, 400, 784)]
    [InlineData(false, false, 128, 784, 400)]
    [InlineData(true, false, 784, 400, 128)]
    [InlineData(true, true, 37, 45, 129)]
    [InlineData(false, true, 9, 1, 300)]
    [InlineData(false, false, 70, 2064, 30)]
    public void NarrowEdgeTilesGiveTheSameBitsAsWholeOnes(bool transA, bool transB, int m, int n, int k)
    {
        // Last panels 16, 16, 16, 13, 1 and 16 columns wide (the narrow form's range), several
        // column blocks in the last case; dense and mostly-zero A (the step lists), overwriting and
        // accumulating, plain and transposed C, 1 and 2 threads, and a bias with an epilogue.
        var random = new Random(m * 31 + n + k);
        int lda = transA ? m : k, ldb = transB ? k : n;
        float[] dense = RandomArray(random, m * k);
        float[] sparse = dense.Select(v => random.NextDouble() < 0.7 ? 0f : v).ToArray();
        float[] b = RandomArray(random, n * k);
        float[] bias = RandomArray(random, n);
        float[] c0 = RandomArray(random, m * n);
        foreach (GemmPath path in Paths)
        {
            if (!GemmPaths.IsSupported(path)) continue;
            foreach (float[] a in new[] { dense, sparse })
            {
                foreach (int threads in new[] { 1, 2 })
                {
                    float[][] Run(bool narrowEdges)
                    {
                        var set = (float[])c0.Clone();
                        var add = (float[])c0.Clone();
                        var transposed = new float[n * m];
                        var biased = new float[m * n];
                        RunWith(path, threads, engine =>
                        {
                            engine = engine with { NarrowEdges = narrowEdges };
                            Gemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, set, n, accumulate: false, engine: engine);
                            Gemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, add, n, accumulate: true, engine: engine);
                            Gemm.MultiplyTransposedC(engine, transA, transB, m, n, k, a, lda, b, ldb, transposed, m);
                            Gemm.MultiplyAddBias(engine, transA, transB, m, n, k, a, lda, b, ldb, biased, n, bias, new FiniteCheck());
                        });
                        return [set, add, transposed, biased];
                    }

                    var narrow = Run(narrowEdges: true);
                    var whole = Run(narrowEdges: false);
                    string[] names = ["set", "accumulate", "transposed C", "bias"];
                    for (int r = 0; r < names.Length; r++)
                        TensorAssert.SameBits(whole[r], narrow[r], $"{path} {(transA ? 'T' : 'N')}{(transB ? 'T' : 'N')} {m}x{n}x{k} {threads} threads {names[r]}: C with narrow tiles against whole ones");
                }
            }
        }
    }

    [Theory]
    [InlineData(128, 400, 784)]
    [InlineData(128, 784, 400)]
    [InlineData(1000, 20, 400)]
    [InlineData(37, 45, 1)]
    [InlineData(9, 70, 300)]
    public void BiasAddedInTheProductEqualsRowsSeededWithIt(int m, int n, int k)
    {
        // y = b + x·Wᵀ as Linear computes it: against filling each row with b, then accumulating.
        var random = new Random(m + n + k);
        float[] x = RandomArray(random, m * k);
        for (int i = 0; i < x.Length; i += 3) x[i] = 0f; // some zeros for the step lists
        float[] w = RandomArray(random, n * k);
        float[] bias = RandomArray(random, n);
        foreach (GemmPath path in Paths)
        {
            if (!GemmPaths.IsSupported(path)) continue;
            foreach (int threads in new[] { 1, 2, 3 })
            {
                var seeded = new float[m * n];
                var fused = RandomArray(random, m * n); // overwritten
                RunWith(path, threads, engine =>
                {
                    for (int i = 0; i < m; i++) bias.CopyTo(seeded, i * n);
                    Gemm.Multiply(false, true, m, n, k, x, k, w, k, seeded, n, accumulate: true, engine: engine);
                    Gemm.MultiplyAddBias(engine, false, true, m, n, k, x, k, w, k, fused, n, bias);
                });
                Assert.Equal(seeded.Select(BitConverter.SingleToInt32Bits), fused.Select(BitConverter.SingleToInt32Bits));
            }
        }
    }

    [Fact]
    public void StepListsKeepTheNonZeroStepsInOrder()
    {
        unsafe
        {
            const int Mr = 8, Kc = 40;
            var panel = new float[Kc * Mr];
            var steps = new int[Kc];
            for (int p = 0; p < Kc; p++)
            {
                // Steps 3, 7, 11, ... hold a value in one row; step 20 holds −0 only; the rest zeros.
                if (p % 4 == 3) panel[p * Mr + p % Mr] = p + 1;
                if (p == 20) panel[p * Mr] = -0f;
            }
            int kept;
            fixed (float* pp = panel)
            fixed (int* ps = steps)
                kept = GemmSparsity.ListSteps(pp, Kc, Mr, ps);
            Assert.Equal(Enumerable.Range(0, 10).Select(i => 4 * i + 3), steps.Take(kept));

            // Mostly non-zero (a NaN is not zero): no list.
            var dense = Enumerable.Range(0, Kc * Mr).Select(i => i % 50 == 0 ? 0f : float.NaN).ToArray();
            fixed (float* pd = dense)
            fixed (int* ps = steps)
                Assert.Equal(-1, GemmSparsity.ListSteps(pd, Kc, Mr, ps));
        }
    }

    [Fact]
    public void SteadyStateCallsDoNotAllocate()
    {
        var random = new Random(7);
        const int m = 128, n = 400, k = 784;
        float[] a = RandomArray(random, m * k);
        float[] b = RandomArray(random, n * k);
        float[] c = new float[m * n];
        float[] small = new float[7 * 13];
        RunWith(GemmPath.Auto, 2, engine =>
        {
            void Calls()
            {
                for (int i = 0; i < 5; i++)
                {
                    Gemm.Multiply(false, true, m, n, k, a, k, b, k, c, n, accumulate: false, engine: engine);
                    Gemm.Multiply(true, false, 7, 13, 5, a, 7, b, 13, small, 13, accumulate: true, engine: engine);
                }
            }

            Calls(); // warm-up: workspaces, worker threads, JIT
            // The fewest bytes over three windows: other test classes run beside this one and can
            // hold the pool during the warm-up, so a one-time cost (a worker's first start) may
            // fall into one window; a call that allocates every time shows in all three.
            long fewest = long.MaxValue;
            for (int window = 0; window < 3; window++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                Calls();
                fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            Assert.True(fewest <= 256, $"10 steady-state GEMM calls allocated {fewest} bytes (fewest of three windows)");
        });
    }

    /// <summary>Runs <paramref name="action"/> with options for this kernel path and thread count (nothing global changes).</summary>
    private static void RunWith(GemmPath path, int threads, Action<EngineOptions> action) =>
        action(new EngineOptions { Kernel = path, Threads = threads });

    private static float[] RandomArray(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>
    /// Every element of the m×n window within 1e-5·(k + 1) of the reference (inputs are in
    /// [-1, 1], so this is relative to the largest possible term); padding columns left untouched.
    /// </summary>
    private static void AssertClose(float[] expected, float[] actual, float[] original, int m, int n, int ldc, int k, string what)
    {
        double tolerance = 1e-5 * (k + 1);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < ldc; j++)
            {
                int index = i * ldc + j;
                // Messages are built only on failure: formatting one per element would dominate the test time.
                if (j >= n)
                {
                    if (original[index] != actual[index]) Assert.Fail($"{what}: padding C[{i},{j}] was written");
                    continue;
                }
                double error = Math.Abs(expected[index] - (double)actual[index]);
                if (!(error <= tolerance))
                    Assert.Fail($"{what}: C[{i},{j}] = {actual[index]}, expected {expected[index]} (error {error:g3})");
            }
        }
    }
}
