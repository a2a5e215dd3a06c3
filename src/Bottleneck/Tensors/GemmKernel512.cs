using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Bottleneck.Tensors;

/// <summary>
/// AVX-512 micro-kernel: an 8×32 tile of C held in 16 zmm accumulators. Each step of the reduction
/// loads two vectors of B and broadcasts eight scalars of A, feeding 16 independent FMAs, enough to
/// cover the FMA latency on both ports; 16 accumulators + 2 B vectors + broadcasts fit in the 32
/// registers without spilling.
/// </summary>
internal readonly struct GemmKernel512 : IGemmKernel
{
    public static int MR => 8;

    public static int NR => 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, float* c, int ldc, bool add)
    {
        Vector512<float> c00 = Vector512<float>.Zero, c01 = Vector512<float>.Zero;
        Vector512<float> c10 = Vector512<float>.Zero, c11 = Vector512<float>.Zero;
        Vector512<float> c20 = Vector512<float>.Zero, c21 = Vector512<float>.Zero;
        Vector512<float> c30 = Vector512<float>.Zero, c31 = Vector512<float>.Zero;
        Vector512<float> c40 = Vector512<float>.Zero, c41 = Vector512<float>.Zero;
        Vector512<float> c50 = Vector512<float>.Zero, c51 = Vector512<float>.Zero;
        Vector512<float> c60 = Vector512<float>.Zero, c61 = Vector512<float>.Zero;
        Vector512<float> c70 = Vector512<float>.Zero, c71 = Vector512<float>.Zero;

        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> av;
            av = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(av, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(av, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(av, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(av, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(av, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(av, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(av, b1, c51);
            av = Vector512.Create(a[6]);
            c60 = Avx512F.FusedMultiplyAdd(av, b0, c60);
            c61 = Avx512F.FusedMultiplyAdd(av, b1, c61);
            av = Vector512.Create(a[7]);
            c70 = Avx512F.FusedMultiplyAdd(av, b0, c70);
            c71 = Avx512F.FusedMultiplyAdd(av, b1, c71);
            a += 8;
            b += 32;
        }

        Store(c + 0 * ldc, c00, c01, add);
        Store(c + 1 * ldc, c10, c11, add);
        Store(c + 2 * ldc, c20, c21, add);
        Store(c + 3 * ldc, c30, c31, add);
        Store(c + 4 * ldc, c40, c41, add);
        Store(c + 5 * ldc, c50, c51, add);
        Store(c + 6 * ldc, c60, c61, add);
        Store(c + 7 * ldc, c70, c71, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void RunSteps(int count, int* steps, float* a, float* b, float* c, int ldc, bool add)
    {
        Vector512<float> c00 = Vector512<float>.Zero, c01 = Vector512<float>.Zero;
        Vector512<float> c10 = Vector512<float>.Zero, c11 = Vector512<float>.Zero;
        Vector512<float> c20 = Vector512<float>.Zero, c21 = Vector512<float>.Zero;
        Vector512<float> c30 = Vector512<float>.Zero, c31 = Vector512<float>.Zero;
        Vector512<float> c40 = Vector512<float>.Zero, c41 = Vector512<float>.Zero;
        Vector512<float> c50 = Vector512<float>.Zero, c51 = Vector512<float>.Zero;
        Vector512<float> c60 = Vector512<float>.Zero, c61 = Vector512<float>.Zero;
        Vector512<float> c70 = Vector512<float>.Zero, c71 = Vector512<float>.Zero;

        for (int i = 0; i < count; i++)
        {
            float* ap = a + (long)steps[i] * 8;
            float* bp = b + (long)steps[i] * 32;
            Vector512<float> b0 = Vector512.Load(bp);
            Vector512<float> b1 = Vector512.Load(bp + 16);
            Vector512<float> av;
            av = Vector512.Create(ap[0]);
            c00 = Avx512F.FusedMultiplyAdd(av, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(ap[1]);
            c10 = Avx512F.FusedMultiplyAdd(av, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(ap[2]);
            c20 = Avx512F.FusedMultiplyAdd(av, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(ap[3]);
            c30 = Avx512F.FusedMultiplyAdd(av, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(ap[4]);
            c40 = Avx512F.FusedMultiplyAdd(av, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(ap[5]);
            c50 = Avx512F.FusedMultiplyAdd(av, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(av, b1, c51);
            av = Vector512.Create(ap[6]);
            c60 = Avx512F.FusedMultiplyAdd(av, b0, c60);
            c61 = Avx512F.FusedMultiplyAdd(av, b1, c61);
            av = Vector512.Create(ap[7]);
            c70 = Avx512F.FusedMultiplyAdd(av, b0, c70);
            c71 = Avx512F.FusedMultiplyAdd(av, b1, c71);
        }

        Store(c + 0 * ldc, c00, c01, add);
        Store(c + 1 * ldc, c10, c11, add);
        Store(c + 2 * ldc, c20, c21, add);
        Store(c + 3 * ldc, c30, c31, add);
        Store(c + 4 * ldc, c40, c41, add);
        Store(c + 5 * ldc, c50, c51, add);
        Store(c + 6 * ldc, c60, c61, add);
        Store(c + 7 * ldc, c70, c71, add);
    }

    /// <summary>16 columns: the right edge of N = 400 or 784 (the same sums as <see cref="Run"/> for them).</summary>
    public static int NarrowNR => 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void RunStepsNarrow(int count, int* steps, float* a, float* b, float* c, int ldc, bool add)
    {
        Vector512<float> c00 = Vector512<float>.Zero, c10 = Vector512<float>.Zero, c20 = Vector512<float>.Zero, c30 = Vector512<float>.Zero;
        Vector512<float> c40 = Vector512<float>.Zero, c50 = Vector512<float>.Zero, c60 = Vector512<float>.Zero, c70 = Vector512<float>.Zero;

        for (int i = 0; i < count; i++)
        {
            float* ap = a + (long)steps[i] * 8;
            Vector512<float> b0 = Vector512.Load(b + (long)steps[i] * 32);
            Vector512<float> av;
            av = Vector512.Create(ap[0]);
            c00 = Avx512F.FusedMultiplyAdd(av, b0, c00);
            av = Vector512.Create(ap[1]);
            c10 = Avx512F.FusedMultiplyAdd(av, b0, c10);
            av = Vector512.Create(ap[2]);
            c20 = Avx512F.FusedMultiplyAdd(av, b0, c20);
            av = Vector512.Create(ap[3]);
            c30 = Avx512F.FusedMultiplyAdd(av, b0, c30);
            av = Vector512.Create(ap[4]);
            c40 = Avx512F.FusedMultiplyAdd(av, b0, c40);
            av = Vector512.Create(ap[5]);
            c50 = Avx512F.FusedMultiplyAdd(av, b0, c50);
            av = Vector512.Create(ap[6]);
            c60 = Avx512F.FusedMultiplyAdd(av, b0, c60);
            av = Vector512.Create(ap[7]);
            c70 = Avx512F.FusedMultiplyAdd(av, b0, c70);
        }

        StoreNarrow(c + 0 * ldc, c00, add);
        StoreNarrow(c + 1 * ldc, c10, add);
        StoreNarrow(c + 2 * ldc, c20, add);
        StoreNarrow(c + 3 * ldc, c30, add);
        StoreNarrow(c + 4 * ldc, c40, add);
        StoreNarrow(c + 5 * ldc, c50, add);
        StoreNarrow(c + 6 * ldc, c60, add);
        StoreNarrow(c + 7 * ldc, c70, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreNarrow(float* row, Vector512<float> v0, bool add)
    {
        if (add) v0 += Vector512.Load(row);
        v0.Store(row);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* row, Vector512<float> v0, Vector512<float> v1, bool add)
    {
        if (add)
        {
            v0 += Vector512.Load(row);
            v1 += Vector512.Load(row + 16);
        }
        v0.Store(row);
        v1.Store(row + 16);
    }
}
