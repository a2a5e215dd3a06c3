using System.Runtime.CompilerServices;

namespace Bottleneck.Tensors;

/// <summary>
/// Packs op(B) whole, once, for all the threads of one call. When the output is split by rows,
/// every row part multiplies by all of op(B) (for X·Wᵀ that is all of W), and each thread packing
/// its own copy repeats the same transpose on every core: at batch 128 that copy costs a third
/// of the multiply. Here the threads first pack disjoint panels of op(B) into one buffer owned by
/// the calling thread, then all of them read it. The packed panels are the ones each thread would
/// have made, so the products have the same bits either way.
/// </summary>
/// <remarks>
/// Layout: the reduction blocks of <see cref="GemmBlocking.Kc"/> one after another; within a block
/// of kc steps starting at step pc, the NR-column panels of kc·NR floats for every column, so the
/// block of columns [jc, jc + nc) starts at <see cref="Offset"/> and is laid out as
/// <see cref="GemmPacking.PackB{TKernel}"/> would pack it.
/// </remarks>
internal static unsafe class GemmSharedB
{
    /// <summary>Below this many values of op(B) a private copy per thread is cheaper than a second dispatch.</summary>
    public const long MinValues = 64 * 1024;

    /// <summary>The shared buffer is bounded (16 MiB); larger operands are packed block by block per thread.</summary>
    public const long MaxValues = 4L * 1024 * 1024;

    /// <summary>Columns of op(B) rounded up to whole panels.</summary>
    public static long PaddedColumns(int n, int nr) => (n + nr - 1) / nr * (long)nr;

    /// <summary>Where the packed columns from <paramref name="jc"/> of the reduction block at <paramref name="pc"/> (of length <paramref name="kc"/>) start.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Offset(long paddedColumns, int pc, int kc, int jc) => paddedColumns * pc + (long)jc * kc;

    /// <summary>Whether sharing suits a product of this size.</summary>
    public static bool Suits(int n, int k, int nr)
    {
        long values = PaddedColumns(n, nr) * k;
        return values >= MinValues && values <= MaxValues;
    }

    /// <summary>
    /// Packs op(B) of <paramref name="problem"/> whole into the calling thread's shared buffer, in
    /// <paramref name="parts"/> parts across the pool (or all here when the pool is busy), and
    /// returns the buffer.
    /// </summary>
    public static float* Pack<TKernel>(in GemmProblem problem, GemmPath path, int parts) where TKernel : IGemmKernel
    {
        var workspace = GemmWorkspace.Current;
        float* buffer = workspace.SharedB(PaddedColumns(problem.N, TKernel.NR) * problem.K);
        var job = PackJob.ForThisThread;
        job.Set(problem, path, buffer);
        Elementwise.Run(job, parts);
        return buffer;
    }

    /// <summary>Packs panels [first, last) of the whole op(B), counted block by block.</summary>
    private static void PackPanels<TKernel>(in GemmProblem p, float* buffer, int first, int last) where TKernel : IGemmKernel
    {
        int nr = TKernel.NR, k = p.K, kcBlock = GemmBlocking.Kc(k);
        int panels = (p.N + nr - 1) / nr;
        long paddedN = (long)panels * nr;
        for (int unit = first; unit < last;)
        {
            int block = unit / panels, panel = unit % panels;
            int take = Math.Min(last - unit, panels - panel); // panels left in this block
            int pc = block * kcBlock, kc = Math.Min(kcBlock, k - pc);
            int j0 = panel * nr, nb = Math.Min(p.N, (panel + take) * nr) - j0;
            GemmPacking.PackB<TKernel>(p.TransB, p.B, p.Ldb, pc, kc, j0, nb, buffer + Offset(paddedN, pc, kc, j0));
            unit += take;
        }
    }

    /// <summary>One calling thread's packing job (a reused object, so packing allocates nothing).</summary>
    private sealed class PackJob : GemmThreadPool.IParallelJob
    {
        [ThreadStatic]
        private static PackJob? current;

        private GemmProblem problem;
        private GemmPath path;
        private float* buffer;

        public static PackJob ForThisThread => current ??= new PackJob();

        public void Set(in GemmProblem problem, GemmPath path, float* buffer)
        {
            this.problem = problem;
            this.path = path;
            this.buffer = buffer;
        }

        public void RunPart(int part, int parts)
        {
            switch (path)
            {
                case GemmPath.Vector512: RunPart<GemmKernel512>(part, parts); break;
                case GemmPath.Vector256: RunPart<GemmKernel256>(part, parts); break;
                default: RunPart<GemmKernelScalar>(part, parts); break;
            }
        }

        private void RunPart<TKernel>(int part, int parts) where TKernel : IGemmKernel
        {
            int kcBlock = GemmBlocking.Kc(problem.K);
            int blocks = (problem.K + kcBlock - 1) / kcBlock;
            int units = blocks * ((problem.N + TKernel.NR - 1) / TKernel.NR);
            int first = (int)((long)units * part / parts), last = (int)((long)units * (part + 1) / parts);
            if (first < last) PackPanels<TKernel>(problem, buffer, first, last);
        }
    }
}
