using System.Runtime.CompilerServices;

namespace Bottleneck.Tensors;

/// <summary>
/// Portable micro-kernel: a 4×4 tile of C in 16 scalar locals. Uses a separate multiply and add
/// rather than <see cref="MathF.FusedMultiplyAdd"/>, which is emulated (slowly) on CPUs without FMA,
/// the only CPUs this path is meant for.
/// </summary>
internal readonly struct GemmKernelScalar : IGemmKernel
{
    public static int MR => 4;

    public static int NR => 4;

    // No narrow form: a right-edge tile costs a whole one.
    public static int NarrowNR => NR;

    public static unsafe void RunStepsNarrow(int count, int* steps, float* a, float* b, float* c, int ldc, bool add) =>
        RunSteps(count, steps, a, b, c, ldc, add);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, float* c, int ldc, bool add)
    {
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;

        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float av;
            av = a[0];
            c00 += av * b0; c01 += av * b1; c02 += av * b2; c03 += av * b3;
            av = a[1];
            c10 += av * b0; c11 += av * b1; c12 += av * b2; c13 += av * b3;
            av = a[2];
            c20 += av * b0; c21 += av * b1; c22 += av * b2; c23 += av * b3;
            av = a[3];
            c30 += av * b0; c31 += av * b1; c32 += av * b2; c33 += av * b3;
            a += 4;
            b += 4;
        }

        Store(c + 0 * ldc, c00, c01, c02, c03, add);
        Store(c + 1 * ldc, c10, c11, c12, c13, add);
        Store(c + 2 * ldc, c20, c21, c22, c23, add);
        Store(c + 3 * ldc, c30, c31, c32, c33, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void RunSteps(int count, int* steps, float* a, float* b, float* c, int ldc, bool add)
    {
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;

        for (int i = 0; i < count; i++)
        {
            float* ap = a + (long)steps[i] * 4;
            float* bp = b + (long)steps[i] * 4;
            float b0 = bp[0], b1 = bp[1], b2 = bp[2], b3 = bp[3];
            float av;
            av = ap[0];
            c00 += av * b0; c01 += av * b1; c02 += av * b2; c03 += av * b3;
            av = ap[1];
            c10 += av * b0; c11 += av * b1; c12 += av * b2; c13 += av * b3;
            av = ap[2];
            c20 += av * b0; c21 += av * b1; c22 += av * b2; c23 += av * b3;
            av = ap[3];
            c30 += av * b0; c31 += av * b1; c32 += av * b2; c33 += av * b3;
        }

        Store(c + 0 * ldc, c00, c01, c02, c03, add);
        Store(c + 1 * ldc, c10, c11, c12, c13, add);
        Store(c + 2 * ldc, c20, c21, c22, c23, add);
        Store(c + 3 * ldc, c30, c31, c32, c33, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* row, float v0, float v1, float v2, float v3, bool add)
    {
        if (add)
        {
            v0 += row[0];
            v1 += row[1];
            v2 += row[2];
            v3 += row[3];
        }
        row[0] = v0;
        row[1] = v1;
        row[2] = v2;
        row[3] = v3;
    }
}
