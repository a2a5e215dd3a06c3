using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Bottleneck.Tensors;

/// <summary>
/// Copies blocks of A and B into the contiguous, interleaved layout the micro-kernels stream
/// through: A as MR-row panels (for each p, MR consecutive rows), B as NR-column panels (for each
/// p, NR consecutive columns). The transposed storage orders are read here, once per block, so no
/// transposed matrix is ever materialised and the kernel always sees unit-stride data. Panels
/// past the edge of the matrix are padded with zeros, which lets the kernel run on full tiles only.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs op(A)[i0..i0+mb, p0..p0+kb] into ceil(mb/MR) panels of kb·MR floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA<TKernel>(bool transA, float* a, int lda, int i0, int mb, int p0, int kb, float* dst)
        where TKernel : IGemmKernel
    {
        int mr = TKernel.MR;
        for (int i = 0; i < mb; i += mr)
        {
            int rows = Math.Min(mr, mb - i);
            if (transA)
            {
                // A is stored [k, m]: the MR rows wanted at step p are adjacent in memory.
                float* src = a + (long)p0 * lda + i0 + i;
                if (rows == mr)
                {
                    if (mr == 8 && Vector256.IsHardwareAccelerated)
                    {
                        for (int p = 0; p < kb; p++) Vector256.Store(Vector256.Load(src + (long)p * lda), dst + p * mr);
                    }
                    else
                    {
                        for (int p = 0; p < kb; p++)
                            new ReadOnlySpan<float>(src + (long)p * lda, mr).CopyTo(new Span<float>(dst + p * mr, mr));
                    }
                }
                else
                {
                    for (int p = 0; p < kb; p++)
                    {
                        float* s = src + (long)p * lda;
                        float* d = dst + p * mr;
                        for (int r = 0; r < rows; r++) d[r] = s[r];
                        for (int r = rows; r < mr; r++) d[r] = 0f;
                    }
                }
            }
            else
            {
                // A is stored [m, k]: each row is contiguous in p, so this is a transpose.
                int done = 0;
                if (GemmTranspose.IsSupported && mr % 8 == 0 && rows == mr)
                {
                    float* src = a + (long)(i0 + i) * lda + p0;
                    for (; done + 8 <= kb; done += 8)
                    {
                        for (int r = 0; r < mr; r += 8)
                            GemmTranspose.Transpose8x8(src + (long)r * lda + done, lda, dst + done * mr + r, mr);
                    }
                }
                for (int r = 0; r < rows; r++)
                {
                    float* s = a + (long)(i0 + i + r) * lda + p0;
                    float* d = dst + r;
                    for (int p = done; p < kb; p++) d[p * mr] = s[p];
                }
                for (int r = rows; r < mr; r++)
                {
                    float* d = dst + r;
                    for (int p = 0; p < kb; p++) d[p * mr] = 0f;
                }
            }
            dst += kb * mr;
        }
    }

    /// <summary>
    /// Packs op(B)[p0..p0+kb, j0..j0+nb] into ceil(nb/NR) panels of kb·NR floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB<TKernel>(bool transB, float* b, int ldb, int p0, int kb, int j0, int nb, float* dst)
        where TKernel : IGemmKernel
    {
        int nr = TKernel.NR;
        for (int j = 0; j < nb; j += nr)
        {
            int cols = Math.Min(nr, nb - j);
            if (transB)
            {
                // B is stored [n, k]: each column of op(B) is a contiguous row in memory, so this
                // is a transpose, done 16 columns × 16 steps at a time with AVX-512 where the
                // block is whole, else (and for the rest) 8 columns × 8 steps, else one by one.
                int c16 = 0;
                if (GemmTranspose.Is16x16Supported && nr % 16 == 0)
                {
                    int wholeCols16 = cols & ~15, wholeSteps16 = kb & ~15;
                    for (; c16 < wholeCols16; c16 += 16)
                    {
                        float* s = b + (long)(j0 + j + c16) * ldb + p0;
                        for (int p = 0; p < wholeSteps16; p += 16)
                            GemmTranspose.Transpose16x16(s + p, ldb, dst + p * nr + c16, nr);
                        // The last steps (fewer than 16) of these 16 columns.
                        for (int half = 0; half < 16; half += 8)
                        {
                            float* sh = s + (long)half * ldb;
                            int p = wholeSteps16;
                            for (; p + 8 <= kb; p += 8)
                                GemmTranspose.Transpose8x8(sh + p, ldb, dst + p * nr + c16 + half, nr);
                            for (int cc = 0; cc < 8; cc++)
                            {
                                float* sc = sh + (long)cc * ldb;
                                for (int q = p; q < kb; q++) dst[q * nr + c16 + half + cc] = sc[q];
                            }
                        }
                    }
                }
                int wholeCols = GemmTranspose.IsSupported ? cols & ~7 : 0;
                int wholeSteps = kb & ~7;
                for (int c = c16; c < wholeCols; c += 8)
                {
                    float* s = b + (long)(j0 + j + c) * ldb + p0;
                    for (int p = 0; p < wholeSteps; p += 8)
                        GemmTranspose.Transpose8x8(s + p, ldb, dst + p * nr + c, nr);
                    for (int cc = c; cc < c + 8; cc++)
                    {
                        float* sc = b + (long)(j0 + j + cc) * ldb + p0;
                        for (int p = wholeSteps; p < kb; p++) dst[p * nr + cc] = sc[p];
                    }
                }
                for (int c = Math.Max(wholeCols, c16); c < cols; c++)
                {
                    float* s = b + (long)(j0 + j + c) * ldb + p0;
                    float* d = dst + c;
                    for (int p = 0; p < kb; p++) d[p * nr] = s[p];
                }
                for (int c = cols; c < nr; c++)
                {
                    float* d = dst + c;
                    for (int p = 0; p < kb; p++) d[p * nr] = 0f;
                }
            }
            else
            {
                // B is stored [k, n]: the NR columns wanted at step p are adjacent in memory.
                float* src = b + (long)p0 * ldb + j0 + j;
                if (cols == nr)
                {
                    // Whole panels: vector moves rather than a memmove call per 32 floats.
                    if (nr % 16 == 0 && Vector512.IsHardwareAccelerated)
                    {
                        for (int p = 0; p < kb; p++)
                        {
                            float* s = src + (long)p * ldb, d = dst + p * nr;
                            for (int c = 0; c < nr; c += 16) Vector512.Store(Vector512.Load(s + c), d + c);
                        }
                    }
                    else
                    {
                        for (int p = 0; p < kb; p++)
                            new ReadOnlySpan<float>(src + (long)p * ldb, nr).CopyTo(new Span<float>(dst + p * nr, nr));
                    }
                }
                else
                {
                    for (int p = 0; p < kb; p++)
                    {
                        float* s = src + (long)p * ldb;
                        float* d = dst + p * nr;
                        for (int c = 0; c < cols; c++) d[c] = s[c];
                        for (int c = cols; c < nr; c++) d[c] = 0f;
                    }
                }
            }
            dst += kb * nr;
        }
    }
}
