using System.Runtime.CompilerServices;

namespace Bottleneck.Tensors;

/// <summary>
/// The blocked loop nest (GotoBLAS/BLIS order: nc → kc → pack B → mc → pack A → NR → MR) over one
/// rectangle of C, generic over the micro-kernel so the JIT specialises it per instruction set.
/// Each thread runs it on its own rectangle with its own packing buffers; the k reduction is never
/// split, and each C element is reduced in the same order whichever rectangle holds it.
/// </summary>
internal static unsafe class GemmDriver<TKernel> where TKernel : IGemmKernel
{
    /// <summary>Computes rows [m0, m1) × columns [n0, n1) of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in GemmProblem p, int m0, int m1, int n0, int n1, GemmWorkspace workspace)
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        int k = p.K, kcBlock = GemmBlocking.Kc(k);
        int mcBlock = GemmBlocking.Mc, ncBlock = GemmBlocking.Nc;
        float* packedA = workspace.PackedA, packedB = workspace.PackedB;
        int* steps = workspace.Steps, counts = workspace.StepCounts;
        float* c = p.C;
        int ldc = p.Ldc;
        // Partial tiles at the right and bottom edges are computed here, then merged into C.
        float* edge = stackalloc float[mr * nr];

        for (int jc = n0; jc < n1; jc += ncBlock)
        {
            int nc = Math.Min(ncBlock, n1 - jc);
            for (int pc = 0; pc < k; pc += kcBlock)
            {
                int kc = Math.Min(kcBlock, k - pc);
                // The first reduction block overwrites C unless the caller asked to accumulate.
                bool add = p.Accumulate || pc > 0;
                GemmPacking.PackB<TKernel>(p.TransB, p.B, p.Ldb, pc, kc, jc, nc, packedB);
                int bFinite = GemmSparsity.Enabled ? 0 : -1; // 0: not checked yet, 1: finite, −1: do not skip
                for (int ic = m0; ic < m1; ic += mcBlock)
                {
                    int mc = Math.Min(mcBlock, m1 - ic);
                    GemmPacking.PackA<TKernel>(p.TransA, p.A, p.Lda, ic, mc, pc, kc, packedA);
                    // Panels of A with enough all-zero steps skip them (the same sums, see GemmSparsity).
                    int panels = (mc + mr - 1) / mr;
                    bool anySkips = false;
                    if (bFinite >= 0)
                    {
                        for (int r = 0; r < panels; r++)
                        {
                            counts[r] = GemmSparsity.Compact(packedA + r * mr * kc, kc, mr, steps + r * GemmBlocking.KcMax);
                            anySkips |= counts[r] >= 0;
                            // A first panel without enough zeros marks a dense operand (a gradient,
                            // weights): the scan of the others would be wasted.
                            if (r == 0 && !anySkips)
                            {
                                for (int rest = 1; rest < panels; rest++) counts[rest] = -1;
                                break;
                            }
                        }
                        if (anySkips && bFinite == 0)
                            bFinite = GemmSparsity.AllFinite(packedB, (long)(nc + nr - 1) / nr * nr * kc) ? 1 : -1;
                        if (bFinite < 0)
                        {
                            // Compacted panels must be packed again in full.
                            GemmPacking.PackA<TKernel>(p.TransA, p.A, p.Lda, ic, mc, pc, kc, packedA);
                            anySkips = false;
                        }
                    }
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        float* bPanel = packedB + jr * kc;
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int rows = Math.Min(mr, mc - ir);
                            float* aPanel = packedA + ir * kc;
                            float* cTile = c + (long)(ic + ir) * ldc + jc + jr;
                            int kept = anySkips ? counts[ir / mr] : -1;
                            if (rows == mr && cols == nr)
                            {
                                if (kept >= 0) TKernel.RunSteps(kept, aPanel, steps + ir / mr * GemmBlocking.KcMax, bPanel, cTile, ldc, add);
                                else TKernel.Run(kc, aPanel, bPanel, cTile, ldc, add);
                            }
                            else
                            {
                                if (kept >= 0) TKernel.RunSteps(kept, aPanel, steps + ir / mr * GemmBlocking.KcMax, bPanel, edge, nr, add: false);
                                else TKernel.Run(kc, aPanel, bPanel, edge, nr, add: false);
                                MergeEdge(edge, nr, cTile, ldc, rows, cols, add);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Stores the valid part of an edge tile with the same arithmetic as the kernel's store.</summary>
    private static void MergeEdge(float* tile, int nr, float* c, int ldc, int rows, int cols, bool add)
    {
        for (int i = 0; i < rows; i++)
        {
            float* src = tile + i * nr;
            float* dst = c + (long)i * ldc;
            if (add)
            {
                for (int j = 0; j < cols; j++) dst[j] += src[j];
            }
            else
            {
                for (int j = 0; j < cols; j++) dst[j] = src[j];
            }
        }
    }
}
