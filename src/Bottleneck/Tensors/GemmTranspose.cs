using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Bottleneck.Tensors;

/// <summary>
/// 8×8 block transpose in AVX registers, for the packing cases that read across the storage order
/// (A stored [m,k], B stored [n,k]). Element by element those take a strided store per float,
/// which costs as much as a large share of the multiply itself when the other dimension is small
/// (m = 128 for the forward pass); 16 half-width loads,
/// 16 shuffles and eight stores move 64 floats.
/// </summary>
internal static unsafe class GemmTranspose
{
    public static bool IsSupported => Avx.IsSupported;

    /// <summary>dst[p * dstStride + r] = src[r * srcStride + p] for r, p in 0..8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose8x8(float* src, long srcStride, float* dst, int dstStride)
    {
        // Load 128-bit halves straight into lanes: lane 0 from rows 0–3, lane 1 from rows 4–7.
        // That does the cross-lane step of the transpose in the loads (vinsertf128 from memory
        // runs on any ALU port), leaving 16 in-lane shuffles, which all compete for one port.
        // r0 = row0[0..4] | row4[0..4], r1 = row1[0..4] | row5[0..4], ... (columns 0–3)
        Vector256<float> r0 = Load2(src, src + 4 * srcStride);
        Vector256<float> r1 = Load2(src + srcStride, src + 5 * srcStride);
        Vector256<float> r2 = Load2(src + 2 * srcStride, src + 6 * srcStride);
        Vector256<float> r3 = Load2(src + 3 * srcStride, src + 7 * srcStride);
        // The same for columns 4–7.
        Vector256<float> r4 = Load2(src + 4, src + 4 * srcStride + 4);
        Vector256<float> r5 = Load2(src + srcStride + 4, src + 5 * srcStride + 4);
        Vector256<float> r6 = Load2(src + 2 * srcStride + 4, src + 6 * srcStride + 4);
        Vector256<float> r7 = Load2(src + 3 * srcStride + 4, src + 7 * srcStride + 4);

        // Interleave pairs of rows: t0 = row0[0] row1[0] row0[1] row1[1] | row4[0] row5[0] ...
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

        // Pick pairs of pairs: Shuffle(t0, t2, 0x44) = row0..3[0] | row4..7[0], a full column.
        Avx.Store(dst, Avx.Shuffle(t0, t2, 0x44));
        Avx.Store(dst + dstStride, Avx.Shuffle(t0, t2, 0xEE));
        Avx.Store(dst + 2 * dstStride, Avx.Shuffle(t1, t3, 0x44));
        Avx.Store(dst + 3 * dstStride, Avx.Shuffle(t1, t3, 0xEE));
        Avx.Store(dst + 4 * dstStride, Avx.Shuffle(t4, t6, 0x44));
        Avx.Store(dst + 5 * dstStride, Avx.Shuffle(t4, t6, 0xEE));
        Avx.Store(dst + 6 * dstStride, Avx.Shuffle(t5, t7, 0x44));
        Avx.Store(dst + 7 * dstStride, Avx.Shuffle(t5, t7, 0xEE));
    }

    /// <summary>Four floats from <paramref name="lower"/> in lane 0, four from <paramref name="upper"/> in lane 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Load2(float* lower, float* upper) =>
        Avx.InsertVector128(Sse.LoadVector128(lower).ToVector256Unsafe(), Sse.LoadVector128(upper), 1);
}
