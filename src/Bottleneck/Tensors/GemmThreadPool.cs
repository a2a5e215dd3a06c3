using System.Diagnostics;

namespace Bottleneck.Tensors;

/// <summary>
/// A small persistent pool of background threads for <see cref="Gemm"/>. The job lives in static
/// fields and each worker is woken through its own flag, so a parallel call allocates nothing
/// (Parallel.For would allocate a closure and task state per call). Workers spin briefly after a
/// job before blocking, because training issues GEMMs back to back and a blocked thread takes
/// tens of microseconds to wake. One parallel call runs at a time; a call that finds the pool busy
/// runs on its own thread instead, which gives the same result since the split never changes the
/// arithmetic.
/// </summary>
internal static unsafe class GemmThreadPool
{
    // How long an idle worker polls for the next job before it blocks.
    private static readonly long SpinTicks = Stopwatch.Frequency / 20_000; // 50 µs

    private static readonly object Growing = new();
    private static Worker[] workers = [];
    private static int busy;

    // The current job; written before workers are released, read-only until they all finish.
    private static GemmProblem job;
    private static GemmPath jobPath;
    private static GemmPartition jobPartition;
    private static int pending;
    private static Exception? failure;

    /// <summary>
    /// Runs every part of <paramref name="partition"/>, part 0 on the calling thread. Returns false,
    /// having done nothing, when another call holds the pool.
    /// </summary>
    public static bool TryRun(in GemmProblem problem, GemmPath path, GemmPartition partition)
    {
        if (Interlocked.CompareExchange(ref busy, 1, 0) != 0) return false;
        try
        {
            int helpers = partition.Parts - 1;
            Worker[] pool = EnsureWorkers(helpers);
            job = problem;
            jobPath = path;
            jobPartition = partition;
            failure = null;
            Volatile.Write(ref pending, helpers);
            for (int w = 0; w < helpers; w++) pool[w].Release();

            RunPart(0, GemmWorkspace.Current);

            var spin = new SpinWait();
            while (Volatile.Read(ref pending) != 0) spin.SpinOnce(sleep1Threshold: -1);
            if (failure is { } error) throw new InvalidOperationException("GEMM worker failed", error);
            return true;
        }
        finally
        {
            job = default;
            Volatile.Write(ref busy, 0);
        }
    }

    /// <summary>Runs part <paramref name="part"/> of the current job with the right kernel.</summary>
    private static void RunPart(int part, GemmWorkspace workspace)
    {
        switch (jobPath)
        {
            case GemmPath.Vector512: RunPart<GemmKernel512>(part, workspace); break;
            case GemmPath.Vector256: RunPart<GemmKernel256>(part, workspace); break;
            default: RunPart<GemmKernelScalar>(part, workspace); break;
        }
    }

    private static void RunPart<TKernel>(int part, GemmWorkspace workspace) where TKernel : IGemmKernel
    {
        jobPartition.Bounds(part, job.M, job.N, TKernel.MR, TKernel.NR, out int m0, out int m1, out int n0, out int n1);
        if (m0 < m1 && n0 < n1) GemmDriver<TKernel>.Run(job, m0, m1, n0, n1, workspace);
    }

    private static Worker[] EnsureWorkers(int count)
    {
        Worker[] pool = workers;
        if (pool.Length >= count) return pool;
        lock (Growing)
        {
            pool = workers;
            if (pool.Length < count)
            {
                var grown = new Worker[count];
                Array.Copy(pool, grown, pool.Length);
                for (int w = pool.Length; w < count; w++) grown[w] = new Worker(w + 1);
                workers = pool = grown;
            }
            return pool;
        }
    }

    /// <summary>One helper thread; it runs part <c>index</c> of each job it is released for.</summary>
    private sealed class Worker
    {
        private readonly int index;
        private readonly object gate = new();
        private int released;

        public Worker(int index)
        {
            this.index = index;
            var thread = new Thread(Loop)
            {
                IsBackground = true, // never keep the process alive
                Name = $"Bottleneck GEMM {index}",
            };
            thread.Start();
        }

        public void Release()
        {
            lock (gate)
            {
                released = 1;
                Monitor.Pulse(gate);
            }
        }

        private void Loop()
        {
            var workspace = new GemmWorkspace();
            while (true)
            {
                WaitForRelease();
                try
                {
                    RunPart(index, workspace);
                }
                catch (Exception e)
                {
                    failure = e;
                }
                Interlocked.Decrement(ref pending);
            }
        }

        private void WaitForRelease()
        {
            long start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref released) == 0)
            {
                if (Stopwatch.GetTimestamp() - start > SpinTicks)
                {
                    lock (gate)
                    {
                        while (released == 0) Monitor.Wait(gate);
                    }
                    break;
                }
                Thread.SpinWait(8);
            }
            Volatile.Write(ref released, 0);
        }
    }
}
