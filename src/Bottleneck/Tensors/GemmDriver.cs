using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
        int* aSteps = workspace.ASteps, aCounts = workspace.ACounts, bSteps = workspace.BSteps, bCounts = workspace.BCounts;
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
                // Steps where a panel of A or of B is all zeros are skipped (the same sums, see
                // GemmSparsity); each side's lists need the other side's block to be finite.
                int bPanels = (nc + nr - 1) / nr;
                bool sparse = p.SkipZeros;
                bool bLists = sparse && nr >= 16 && bPanels <= GemmWorkspace.MaxListedBPanels
                    && GemmSparsity.ListBlock(packedB, bPanels, kc, nr, bSteps, bCounts);
                int bFinite = 0; // 0: not checked yet, 1: finite, −1: not
                for (int ic = m0; ic < m1; ic += mcBlock)
                {
                    int mc = Math.Min(mcBlock, m1 - ic);
                    GemmPacking.PackA<TKernel>(p.TransA, p.A, p.Lda, ic, mc, pc, kc, packedA);
                    int aPanels = (mc + mr - 1) / mr;
                    bool aLists = sparse && GemmSparsity.ListBlock(packedA, aPanels, kc, mr, aSteps, aCounts);
                    if (aLists)
                    {
                        if (bFinite == 0) bFinite = GemmSparsity.AllFinite(packedB, (long)bPanels * nr * kc) ? 1 : -1;
                        aLists = bFinite > 0;
                    }
                    bool useB = bLists && GemmSparsity.AllFinite(packedA, (long)aPanels * mr * kc);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        float* bPanel = packedB + jr * kc;
                        int bCount = useB ? bCounts[jr / nr] : -1;
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int rows = Math.Min(mr, mc - ir);
                            float* aPanel = packedA + ir * kc;
                            // Transposed C: element (i, j) of the product lives at C[j, i].
                            float* cTile = p.TransC ? c + (long)(jc + jr) * ldc + ic + ir : c + (long)(ic + ir) * ldc + jc + jr;
                            // The shorter of the two lists, if any.
                            int count = aLists ? aCounts[ir / mr] : -1;
                            int* list = aSteps + ir / mr * GemmBlocking.KcMax;
                            if (bCount >= 0 && (count < 0 || bCount < count))
                            {
                                count = bCount;
                                list = bSteps + jr / nr * GemmBlocking.KcMax;
                            }
                            float* target = rows == mr && cols == nr && !p.TransC ? cTile : edge;
                            int ld = target == edge ? nr : ldc;
                            bool addHere = target == edge ? false : add;
                            // A last panel no wider than the kernel's narrow form costs half a tile.
                            bool narrow = cols <= TKernel.NarrowNR && TKernel.NarrowNR < nr && p.NarrowEdges;
                            if (narrow)
                            {
                                // One loop for both: a dense narrow tile is the list of every step.
                                if (count >= 0) TKernel.RunStepsNarrow(count, list, aPanel, bPanel, target, ld, addHere);
                                else TKernel.RunStepsNarrow(kc, GemmSparsity.EveryStep, aPanel, bPanel, target, ld, addHere);
                            }
                            else if (count >= 0) TKernel.RunSteps(count, list, aPanel, bPanel, target, ld, addHere);
                            else TKernel.Run(kc, aPanel, bPanel, target, ld, addHere);
                            // After the last block the tile is final: the epilogue runs while it is in L1,
                            // on the scratch tile if it only reads and the scratch holds what C will.
                            bool final = pc + kc >= k;
                            bool onScratch = final && target == edge && !add && p.Bias == null && p.Epilogue is { OnlyReads: true };
                            if (onScratch) p.Epilogue!.Apply(edge, nr, ic + ir, jc + jr, rows, cols);
                            if (p.TransC) MergeEdgeTransposed(edge, mr, nr, cTile, ldc, rows, cols, add);
                            else if (target == edge) MergeEdge(edge, nr, cTile, ldc, rows, cols, add);
                            // The bias goes in with the first block, on the tile just written (still in L1).
                            if (pc == 0 && p.Bias != null) AddBias(cTile, ldc, rows, cols, p.Bias + jc + jr);
                            if (final && !onScratch && p.Epilogue is { } epilogue)
                            {
                                if (p.TransC) epilogue.Apply(cTile, ldc, jc + jr, ic + ir, cols, rows);
                                else epilogue.Apply(cTile, ldc, ic + ir, jc + jr, rows, cols);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>tile[i, j] += bias[j] over rows × cols (acc + bias: the same sum as bias + acc).</summary>
    private static void AddBias(float* tile, int ldc, int rows, int cols, float* bias)
    {
        for (int i = 0; i < rows; i++)
        {
            float* row = tile + (long)i * ldc;
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j + 16 <= cols; j += 16) Vector512.Store(Vector512.Load(row + j) + Vector512.Load(bias + j), row + j);
            }
            for (; j < cols; j++) row[j] += bias[j];
        }
    }

    /// <summary>
    /// Stores the valid part of a tile into transposed C (tile row i at C column i), with the same
    /// arithmetic as the kernel's store; whole 8×8 blocks of a non-accumulating store go through
    /// register transposes.
    /// </summary>
    private static void MergeEdgeTransposed(float* tile, int mr, int nr, float* c, int ldc, int rows, int cols, bool add)
    {
        int j = 0;
        if (!add && rows == 8 && mr == 8 && GemmTranspose.IsSupported)
        {
            for (; j + 8 <= cols; j += 8) GemmTranspose.Transpose8x8(tile + j, nr, c + (long)j * ldc, ldc);
        }
        for (; j < cols; j++)
        {
            float* dst = c + (long)j * ldc;
            if (add)
            {
                for (int i = 0; i < rows; i++) dst[i] += tile[i * nr + j];
            }
            else
            {
                for (int i = 0; i < rows; i++) dst[i] = tile[i * nr + j];
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
