using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Bottleneck.Tensors;

/// <summary>
/// Block transposes in vector registers, for the packing cases that read across the storage order
/// (A stored [m,k], B stored [n,k]). Element by element those take a strided store per float,
/// which costs as much as a large share of the multiply itself when the other dimension is small
/// (m = 128 for the forward pass). 8×8 in AVX registers: 16 half-width loads, 16 shuffles and
/// eight stores move 64 floats; 16×16 in AVX-512 registers: 16 loads of whole cache lines, 64
/// shuffles and 16 stores move 256 floats, about three times faster per float (measured on the
/// panels of W in X·Wᵀ: 0.08 against 0.24 ns per float).
/// </summary>
internal static unsafe class GemmTranspose
{
    public static bool IsSupported => Avx.IsSupported;

    public static bool Is16x16Supported => Avx512F.IsSupported;

    /// <summary>dst[p * dstStride + r] = src[r * srcStride + p] for r, p in 0..16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose16x16(float* src, long srcStride, float* dst, int dstStride)
    {
        Vector512<float> r0 = Vector512.Load(src), r1 = Vector512.Load(src + srcStride);
        Vector512<float> r2 = Vector512.Load(src + 2 * srcStride), r3 = Vector512.Load(src + 3 * srcStride);
        Vector512<float> r4 = Vector512.Load(src + 4 * srcStride), r5 = Vector512.Load(src + 5 * srcStride);
        Vector512<float> r6 = Vector512.Load(src + 6 * srcStride), r7 = Vector512.Load(src + 7 * srcStride);
        Vector512<float> r8 = Vector512.Load(src + 8 * srcStride), r9 = Vector512.Load(src + 9 * srcStride);
        Vector512<float> r10 = Vector512.Load(src + 10 * srcStride), r11 = Vector512.Load(src + 11 * srcStride);
        Vector512<float> r12 = Vector512.Load(src + 12 * srcStride), r13 = Vector512.Load(src + 13 * srcStride);
        Vector512<float> r14 = Vector512.Load(src + 14 * srcStride), r15 = Vector512.Load(src + 15 * srcStride);

        // Interleave the floats of row pairs: t0 = r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] ... per 128-bit lane.
        Vector512<float> t0 = Avx512F.UnpackLow(r0, r1), t1 = Avx512F.UnpackHigh(r0, r1);
        Vector512<float> t2 = Avx512F.UnpackLow(r2, r3), t3 = Avx512F.UnpackHigh(r2, r3);
        Vector512<float> t4 = Avx512F.UnpackLow(r4, r5), t5 = Avx512F.UnpackHigh(r4, r5);
        Vector512<float> t6 = Avx512F.UnpackLow(r6, r7), t7 = Avx512F.UnpackHigh(r6, r7);
        Vector512<float> t8 = Avx512F.UnpackLow(r8, r9), t9 = Avx512F.UnpackHigh(r8, r9);
        Vector512<float> t10 = Avx512F.UnpackLow(r10, r11), t11 = Avx512F.UnpackHigh(r10, r11);
        Vector512<float> t12 = Avx512F.UnpackLow(r12, r13), t13 = Avx512F.UnpackHigh(r12, r13);
        Vector512<float> t14 = Avx512F.UnpackLow(r14, r15), t15 = Avx512F.UnpackHigh(r14, r15);

        // Interleave pairs of floats (as doubles): in each 128-bit lane L, u0 now holds column 4L of
        // rows 0–3, u1 column 4L+1, u2 column 4L+2, u3 column 4L+3; u4–u7 the same for rows 4–7,
        // u8–u11 for rows 8–11, u12–u15 for rows 12–15.
        Vector512<float> u0 = UnpackLow64(t0, t2), u1 = UnpackHigh64(t0, t2);
        Vector512<float> u2 = UnpackLow64(t1, t3), u3 = UnpackHigh64(t1, t3);
        Vector512<float> u4 = UnpackLow64(t4, t6), u5 = UnpackHigh64(t4, t6);
        Vector512<float> u6 = UnpackLow64(t5, t7), u7 = UnpackHigh64(t5, t7);
        Vector512<float> u8 = UnpackLow64(t8, t10), u9 = UnpackHigh64(t8, t10);
        Vector512<float> u10 = UnpackLow64(t9, t11), u11 = UnpackHigh64(t9, t11);
        Vector512<float> u12 = UnpackLow64(t12, t14), u13 = UnpackHigh64(t12, t14);
        Vector512<float> u14 = UnpackLow64(t13, t15), u15 = UnpackHigh64(t13, t15);

        // Gather lanes: v0 = u0.lane0, u0.lane2, u4.lane0, u4.lane2 (columns 0 and 8, rows 0–7), and so on.
        Vector512<float> v0 = Avx512F.Shuffle4x128(u0, u4, 0x88), v1 = Avx512F.Shuffle4x128(u0, u4, 0xDD);
        Vector512<float> v2 = Avx512F.Shuffle4x128(u1, u5, 0x88), v3 = Avx512F.Shuffle4x128(u1, u5, 0xDD);
        Vector512<float> v4 = Avx512F.Shuffle4x128(u2, u6, 0x88), v5 = Avx512F.Shuffle4x128(u2, u6, 0xDD);
        Vector512<float> v6 = Avx512F.Shuffle4x128(u3, u7, 0x88), v7 = Avx512F.Shuffle4x128(u3, u7, 0xDD);
        Vector512<float> v8 = Avx512F.Shuffle4x128(u8, u12, 0x88), v9 = Avx512F.Shuffle4x128(u8, u12, 0xDD);
        Vector512<float> v10 = Avx512F.Shuffle4x128(u9, u13, 0x88), v11 = Avx512F.Shuffle4x128(u9, u13, 0xDD);
        Vector512<float> v12 = Avx512F.Shuffle4x128(u10, u14, 0x88), v13 = Avx512F.Shuffle4x128(u10, u14, 0xDD);
        Vector512<float> v14 = Avx512F.Shuffle4x128(u11, u15, 0x88), v15 = Avx512F.Shuffle4x128(u11, u15, 0xDD);

        // Join rows 0–7 with rows 8–15: one whole column of 16 per store.
        Avx512F.Shuffle4x128(v0, v8, 0x88).Store(dst);
        Avx512F.Shuffle4x128(v2, v10, 0x88).Store(dst + dstStride);
        Avx512F.Shuffle4x128(v4, v12, 0x88).Store(dst + 2 * dstStride);
        Avx512F.Shuffle4x128(v6, v14, 0x88).Store(dst + 3 * dstStride);
        Avx512F.Shuffle4x128(v1, v9, 0x88).Store(dst + 4 * dstStride);
        Avx512F.Shuffle4x128(v3, v11, 0x88).Store(dst + 5 * dstStride);
        Avx512F.Shuffle4x128(v5, v13, 0x88).Store(dst + 6 * dstStride);
        Avx512F.Shuffle4x128(v7, v15, 0x88).Store(dst + 7 * dstStride);
        Avx512F.Shuffle4x128(v0, v8, 0xDD).Store(dst + 8 * dstStride);
        Avx512F.Shuffle4x128(v2, v10, 0xDD).Store(dst + 9 * dstStride);
        Avx512F.Shuffle4x128(v4, v12, 0xDD).Store(dst + 10 * dstStride);
        Avx512F.Shuffle4x128(v6, v14, 0xDD).Store(dst + 11 * dstStride);
        Avx512F.Shuffle4x128(v1, v9, 0xDD).Store(dst + 12 * dstStride);
        Avx512F.Shuffle4x128(v3, v11, 0xDD).Store(dst + 13 * dstStride);
        Avx512F.Shuffle4x128(v5, v13, 0xDD).Store(dst + 14 * dstStride);
        Avx512F.Shuffle4x128(v7, v15, 0xDD).Store(dst + 15 * dstStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> UnpackLow64(Vector512<float> a, Vector512<float> b) =>
        Avx512F.UnpackLow(a.AsDouble(), b.AsDouble()).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> UnpackHigh64(Vector512<float> a, Vector512<float> b) =>
        Avx512F.UnpackHigh(a.AsDouble(), b.AsDouble()).AsSingle();

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
