using System.Diagnostics;

namespace Bottleneck.Tensors;

/// <summary>
/// The library's persistent pool of background worker threads: GEMM tiles, optimizer updates,
/// elementwise passes (activations, losses, row gathers), im2col and k-NN blocks all run their
/// parts on it. The job lives in static fields and each worker is woken through its own flag, so
/// a parallel call allocates nothing (Parallel.For would allocate a closure and task state per
/// call). Workers spin briefly after a job before blocking, because training issues passes back
/// to back and a blocked thread takes tens of microseconds to wake. Parts are claimed from a
/// shared counter rather than assigned, so when a worker is late (blocked, or its core taken by
/// another process) the caller simply does its parts too instead of waiting. One parallel call
/// runs at a time; a call that finds the pool busy runs on its own thread instead. Neither changes
/// the result: the arithmetic of a part does not depend on which thread computes it. How many
/// parts a call is split into is the caller's choice (from its <see cref="EngineOptions.Threads"/>).
/// </summary>
internal static unsafe class WorkerPool
{
    /// <summary>
    /// Work other than a GEMM (optimizer updates, elementwise passes), split into parts whose
    /// results do not depend on which thread runs them. Implementations are reused objects, so
    /// dispatching one allocates nothing.
    /// </summary>
    public interface IParallelJob
    {
        void RunPart(int part, int parts);
    }

    // How long an idle worker polls for the next job before it blocks.
    private static readonly long SpinTicks = Stopwatch.Frequency / 1_000; // 1 ms

    private static readonly object Growing = new();
    private static Worker[] workers = [];
    private static int busy;

    // The current job; written before workers are released, read-only until they all finish.
    private static GemmProblem job;
    private static GemmPath jobPath;
    private static GemmPartition jobPartition;
    private static IParallelJob? customJob; // set instead of the GEMM fields for other work
    private static int customParts;
    // The claim word: job generation (16 bits) | part count (16 bits) | next unclaimed part (32
    // bits), changed only by compare-and-swap. Packing them together means a claim can only
    // succeed for the job that is published, never for a finished one or one being written.
    private static long claim;
    private static int generation;
    private static int unfinished; // parts not yet completed
    private static Exception? failure;

    /// <summary>
    /// Runs every part of <paramref name="partition"/>, the calling thread claiming parts alongside
    /// the workers. Returns false, having done nothing, when another call holds the pool.
    /// </summary>
    public static bool TryRun(in GemmProblem problem, GemmPath path, GemmPartition partition)
    {
        if (Interlocked.CompareExchange(ref busy, 1, 0) != 0) return false;
        try
        {
            job = problem;
            jobPath = path;
            jobPartition = partition;
            customJob = null;
            Dispatch(partition.Parts);
            return true;
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    /// <summary>Runs parts 0..parts-1 of <paramref name="work"/> across the pool; false when the pool is busy.</summary>
    public static bool TryRun(IParallelJob work, int parts)
    {
        if (parts < 2 || Interlocked.CompareExchange(ref busy, 1, 0) != 0) return false;
        try
        {
            customJob = work;
            customParts = parts;
            Dispatch(parts);
            return true;
        }
        finally
        {
            customJob = null;
            Volatile.Write(ref busy, 0);
        }
    }

    /// <summary>Publishes the job set in the static fields and runs it to the end; the caller holds <c>busy</c>.</summary>
    private static void Dispatch(int parts)
    {
        int helpers = parts - 1;
        Worker[] pool = EnsureWorkers(helpers);
        failure = null;
        Volatile.Write(ref unfinished, parts);
        // Publishing the claim word last makes the job visible to any thread that claims a part.
        generation++;
        Volatile.Write(ref claim, ((long)(ushort)generation << 48) | ((long)parts << 32));
        for (int w = 0; w < helpers; w++) pool[w].Release();

        RunClaimedParts(GemmWorkspace.Current);

        var spin = new SpinWait();
        while (Volatile.Read(ref unfinished) != 0) spin.SpinOnce(sleep1Threshold: -1);
        if (failure is { } error) throw new InvalidOperationException("worker failed", error);
    }

    /// <summary>
    /// Claims and runs parts of the current job until none are left. A worker that wakes after
    /// its job is over finds nothing to claim (or claims a part of the next job, which is fully
    /// published by then and waits for it), so it never touches a finished call's memory.
    /// </summary>
    private static void RunClaimedParts(GemmWorkspace workspace)
    {
        while (true)
        {
            int part = Claim();
            if (part < 0) return;
            try
            {
                RunPart(part, workspace);
            }
            catch (Exception e)
            {
                failure = e;
            }
            Interlocked.Decrement(ref unfinished);
        }
    }

    /// <summary>The index of an unclaimed part of the published job, or -1 when all are taken.</summary>
    private static int Claim()
    {
        while (true)
        {
            long word = Volatile.Read(ref claim);
            int next = (int)word, parts = (int)((word >> 32) & 0xFFFF);
            if (next >= parts) return -1;
            if (Interlocked.CompareExchange(ref claim, word + 1, word) == word) return next;
        }
    }

    /// <summary>Runs part <paramref name="part"/> of the current job with the right kernel.</summary>
    private static void RunPart(int part, GemmWorkspace workspace)
    {
        if (customJob is { } work)
        {
            work.RunPart(part, customParts);
            return;
        }
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

    /// <summary>One helper thread; it claims parts of each job it is released for.</summary>
    private sealed class Worker
    {
        private readonly object gate = new();
        private int released;

        public Worker(int index)
        {
            var thread = new Thread(Loop)
            {
                IsBackground = true, // never keep the process alive
                Name = $"Bottleneck worker {index}",
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
            // The thread's own workspace, also found by a GEMM that a custom job's part runs here.
            var workspace = GemmWorkspace.Current;
            while (true)
            {
                WaitForRelease();
                RunClaimedParts(workspace);
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
