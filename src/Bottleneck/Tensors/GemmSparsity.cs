using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Bottleneck.Tensors;

/// <summary>
/// Skips the reduction steps where a packed panel of A or of B holds only zeros. Inputs such as
/// MNIST images are mostly exact zeros (the border of every digit): in a panel of 8 images about
/// half of the 784 pixels are zero in all 8 (the first layer's X·Wᵀ), and for about a quarter of
/// the images a run of 32 pixels is all zero (its weight gradient dYᵀ·X). A step of the
/// micro-kernel that multiplies zeros adds nothing; the kernel runs over the list of the other
/// steps instead (<see cref="IGemmKernel.RunSteps"/>), in the same order. Tests turn it off
/// (<see cref="EngineOptions.SkipZeros"/>) to compare against the full products.
/// </summary>
/// <remarks>
/// The result is the same as multiplying by the zeros: a step with a = ±0 adds a·b = ±0 to each
/// accumulator, which changes nothing, provided the other factor is finite (0·∞ would be NaN).
/// So the other operand's packed block is checked to hold only finite values before any step is
/// skipped. (One difference is possible in principle: an accumulator that is exactly −0, reachable
/// only when an earlier product underflows to −0, becomes +0 when a +0 is added; skipping keeps −0.
/// Values that small do not occur in these networks, and either way the result is the same for
/// every thread count.)
/// </remarks>
internal static unsafe class GemmSparsity
{
    /// <summary>Every reduction step of a block in order, 0 to KcMax − 1: the list that skips nothing.</summary>
    public static readonly int* EveryStep = CreateEveryStep();

    private static int* CreateEveryStep()
    {
        var steps = (int*)NativeMemory.Alloc(GemmBlocking.KcMax, sizeof(int));
        for (int p = 0; p < GemmBlocking.KcMax; p++) steps[p] = p;
        return steps;
    }

    /// <summary>A panel's steps are listed only when at least this fraction (1/n) of them are zero.</summary>
    private const int MinSkippedFraction = 8;

    /// <summary>
    /// Lists the steps of one packed panel (kc steps of <paramref name="width"/> floats) that hold
    /// anything but zeros, in <paramref name="steps"/>, and returns how many there are; or returns
    /// −1 when too few steps are zero for skipping to pay.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int ListSteps(float* panel, int kc, int width, int* steps)
    {
        int kept = 0, most = kc - kc / MinSkippedFraction;
        for (int p = 0; p < kc; p++)
        {
            if (!AllZero(panel + p * width, width))
            {
                if (kept == most) return -1;
                steps[kept++] = p;
            }
        }
        return kept;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AllZero(float* group, int width)
    {
        // −0 counts as zero, NaN does not.
        if (width == 8 && Vector256.IsHardwareAccelerated)
            return Vector256.EqualsAll(Vector256.Load(group), Vector256<float>.Zero);
        if (width % 16 == 0 && Vector512.IsHardwareAccelerated)
        {
            for (int i = 0; i < width; i += 16)
            {
                if (!Vector512.EqualsAll(Vector512.Load(group + i), Vector512<float>.Zero)) return false;
            }
            return true;
        }
        for (int r = 0; r < width; r++)
        {
            if (group[r] != 0f) return false;
        }
        return true;
    }

    /// <summary>
    /// Lists the non-zero steps of every panel of a packed block (<paramref name="panels"/> panels
    /// of kc steps of <paramref name="width"/> floats), panel i's at <c>steps + i * KcMax</c> and its
    /// count in <c>counts[i]</c>. Stops after the first panel when that one has too few zero steps:
    /// a dense operand (a gradient, weights) is not worth scanning. Returns whether any panel has a list.
    /// </summary>
    public static bool ListBlock(float* packed, int panels, int kc, int width, int* steps, int* counts)
    {
        bool any = false;
        for (int r = 0; r < panels; r++)
        {
            counts[r] = ListSteps(packed + (long)r * width * kc, kc, width, steps + r * GemmBlocking.KcMax);
            any |= counts[r] >= 0;
            if (r == 0 && !any)
            {
                for (int rest = 1; rest < panels; rest++) counts[rest] = -1;
                return false;
            }
        }
        return any;
    }

    /// <summary>
    /// Whether at least 70% of <paramref name="values"/> are zeros (±0): a sample of an operand
    /// that decides whether to arrange a product so the zeros fall in narrow panels. MNIST images
    /// are 81% zeros; hidden ReLU activations about 50%, too few for any panel of 8 to be all zero.
    /// </summary>
    public static bool MostlyZeros(ReadOnlySpan<float> values)
    {
        int zeros = 0, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= values.Length; i += 16)
                zeros += BitOperations.PopCount(Vector512.Equals(Vector512.Create(values.Slice(i, 16)), Vector512<float>.Zero).ExtractMostSignificantBits());
        }
        for (; i < values.Length; i++) zeros += values[i] == 0f ? 1 : 0;
        return values.Length > 0 && zeros * 10L >= values.Length * 7L;
    }

    /// <summary>Whether a packed block holds only finite values (so that zeros of the other operand may be skipped against it).</summary>
    public static bool AllFinite(float* packed, long length) =>
        Elementwise.AllFinite(new ReadOnlySpan<float>(packed, checked((int)length)));
}
