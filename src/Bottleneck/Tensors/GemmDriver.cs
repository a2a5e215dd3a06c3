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
                for (int ic = m0; ic < m1; ic += mcBlock)
                {
                    int mc = Math.Min(mcBlock, m1 - ic);
                    GemmPacking.PackA<TKernel>(p.TransA, p.A, p.Lda, ic, mc, pc, kc, packedA);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        float* bPanel = packedB + jr * kc;
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int rows = Math.Min(mr, mc - ir);
                            float* aPanel = packedA + ir * kc;
                            float* cTile = c + (long)(ic + ir) * ldc + jc + jr;
                            if (rows == mr && cols == nr)
                            {
                                TKernel.Run(kc, aPanel, bPanel, cTile, ldc, add);
                            }
                            else
                            {
                                TKernel.Run(kc, aPanel, bPanel, edge, nr, add: false);
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
