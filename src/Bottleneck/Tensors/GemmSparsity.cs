using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Bottleneck.Tensors;

/// <summary>
/// Skips the reduction steps where a packed panel of A holds only zeros. Inputs such as MNIST
/// images are mostly exact zeros (the border of every digit): in a panel of 8 images about half of
/// the 784 pixels are zero in all 8, and a step of the micro-kernel that multiplies zeros adds
/// nothing. The panel's other steps are moved to its front and the kernel runs over them alone
/// (<see cref="IGemmKernel.RunSteps"/>), in the same order.
/// </summary>
/// <remarks>
/// The result is the same as multiplying by the zeros: a step with a = ±0 adds a·b = ±0 to each
/// accumulator, which changes nothing, provided b is finite (0·∞ would be NaN). So a block of B is
/// checked to hold only finite values before any of its panels skip steps. (One difference is
/// possible in principle: an accumulator that is exactly −0, reachable only when an earlier product
/// underflows to −0, becomes +0 when a +0 is added; skipping keeps −0. Values that small do not
/// occur in these networks, and either way the result is the same for every thread count.)
/// </remarks>
internal static unsafe class GemmSparsity
{
    /// <summary>Off only in tests, to compare against the full products.</summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>A panel is only compacted when at least this fraction (1/n) of its steps are zero.</summary>
    private const int MinSkippedFraction = 8;

    /// <summary>
    /// Compacts one packed panel of A (kc steps of MR floats) in place when enough of its steps
    /// are all zero: writes the kept steps' numbers to <paramref name="steps"/> and returns how
    /// many there are, or returns −1 and leaves the panel as it is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Compact(float* panel, int kc, int mr, int* steps)
    {
        int kept = 0;
        for (int p = 0; p < kc; p++)
        {
            if (!AllZero(panel + p * mr, mr)) steps[kept++] = p;
        }
        if (kept > kc - kc / MinSkippedFraction) return -1;
        for (int i = 0; i < kept; i++)
        {
            int p = steps[i];
            if (p != i) new ReadOnlySpan<float>(panel + p * mr, mr).CopyTo(new Span<float>(panel + i * mr, mr));
        }
        return kept;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AllZero(float* group, int mr)
    {
        if (mr == 8 && Vector256.IsHardwareAccelerated)
            return Vector256.EqualsAll(Vector256.Load(group), Vector256<float>.Zero); // −0 counts as zero; NaN does not
        for (int r = 0; r < mr; r++)
        {
            if (group[r] != 0f) return false;
        }
        return true;
    }

    /// <summary>Whether a packed block of B holds only finite values (so that zeros of A may be skipped against it).</summary>
    public static bool AllFinite(float* packed, long length) =>
        Elementwise.AllFinite(new ReadOnlySpan<float>(packed, checked((int)length)));
}
