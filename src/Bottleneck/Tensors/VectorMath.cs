using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Bottleneck.Tensors;

/// <summary>
/// Elementwise functions on SIMD vectors that TensorPrimitives does not fuse for us. Accuracy is
/// a few float ulps, which the PyTorch parity tests (relative error 1e-5 and below) confirm.
/// </summary>
public static class VectorMath
{
    private const float Ln2 = 0.6931471805599453f;
    private const float Sqrt2 = 1.4142135623730951f;

    /// <summary>
    /// Natural log of positive normal floats. Zero and values below the smallest normal float give
    /// <paramref name="floor"/> (the caller's clamp, like PyTorch's −100 in BCE), as do their true logs
    /// when smaller than it; the result is never below <paramref name="floor"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // a call would pass and return the vectors through memory
    public static Vector256<float> LogClamped(Vector256<float> x, float floor)
    {
        // x = m · 2^e with m in [√½, √2): log x = e·ln 2 + log m, and log m from the odd series of
        // atanh: log m = 2(s + s³/3 + s⁵/5 + …) with s = (m − 1)/(m + 1), |s| ≤ 0.172.
        var bits = x.AsInt32();
        var exponent = Vector256.ShiftRightArithmetic(bits, 23) - Vector256.Create(127);
        var mantissa = ((bits & Vector256.Create(0x007FFFFF)) | Vector256.Create(0x3F800000)).AsSingle();
        var big = Vector256.GreaterThan(mantissa, Vector256.Create(Sqrt2));
        mantissa = Vector256.ConditionalSelect(big, mantissa * 0.5f, mantissa);
        exponent -= big.AsInt32(); // a true lane is −1: one more power of two
        var s = (mantissa - Vector256<float>.One) / (mantissa + Vector256<float>.One);
        var s2 = s * s;
        var series = Vector256.Create(1f / 9);
        series = series * s2 + Vector256.Create(1f / 7);
        series = series * s2 + Vector256.Create(1f / 5);
        series = series * s2 + Vector256.Create(1f / 3);
        series = series * s2 + Vector256<float>.One;
        var log = Vector256.ConvertToSingle(exponent) * Ln2 + 2f * s * series;
        var tiny = Vector256.LessThan(x, Vector256.Create(SmallestNormal));
        log = Vector256.ConditionalSelect(tiny, Vector256.Create(floor), log);
        return Vector256.Max(log, Vector256.Create(floor));
    }

    /// <summary>
    /// <see cref="LogClamped(Vector256{float}, float)"/> on 16 lanes: the same operations in the
    /// same order, so each lane gives the same bits as the 256-bit version.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LogClamped(Vector512<float> x, float floor)
    {
        var bits = x.AsInt32();
        var exponent = Vector512.ShiftRightArithmetic(bits, 23) - Vector512.Create(127);
        var mantissa = ((bits & Vector512.Create(0x007FFFFF)) | Vector512.Create(0x3F800000)).AsSingle();
        var big = Vector512.GreaterThan(mantissa, Vector512.Create(Sqrt2));
        mantissa = Vector512.ConditionalSelect(big, mantissa * 0.5f, mantissa);
        exponent -= big.AsInt32();
        var s = (mantissa - Vector512<float>.One) / (mantissa + Vector512<float>.One);
        var s2 = s * s;
        var series = Vector512.Create(1f / 9);
        series = series * s2 + Vector512.Create(1f / 7);
        series = series * s2 + Vector512.Create(1f / 5);
        series = series * s2 + Vector512.Create(1f / 3);
        series = series * s2 + Vector512<float>.One;
        var log = Vector512.ConvertToSingle(exponent) * Ln2 + 2f * s * series;
        var tiny = Vector512.LessThan(x, Vector512.Create(SmallestNormal));
        log = Vector512.ConditionalSelect(tiny, Vector512.Create(floor), log);
        return Vector512.Max(log, Vector512.Create(floor));
    }

    /// <summary>Float's smallest normal value, 2⁻¹²⁶; below it values are subnormal.</summary>
    public const float SmallestNormal = 1.17549435e-38f;

    /// <summary>
    /// +0 in place of a subnormal value (what a CPU in flush-to-zero mode returns) or −0; others,
    /// NaN included, unchanged. Arithmetic on subnormals costs a microcode assist per instruction.
    /// </summary>
    public static float FlushSubnormal(float x) => MathF.Abs(x) < SmallestNormal ? 0f : x;

    /// <inheritdoc cref="FlushSubnormal(float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> FlushSubnormal(Vector512<float> x) =>
        Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(x), Vector512.Create(SmallestNormal)), Vector512<float>.Zero, x);

    /// <inheritdoc cref="FlushSubnormal(float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static System.Numerics.Vector<float> FlushSubnormal(System.Numerics.Vector<float> x) =>
        System.Numerics.Vector.ConditionalSelect(
            System.Numerics.Vector.LessThan(System.Numerics.Vector.Abs(x), new System.Numerics.Vector<float>(SmallestNormal)),
            System.Numerics.Vector<float>.Zero, x);

    /// <summary>
    /// features[i] = pixels[i] / 255f, torchvision's ToTensor scaling, bit for bit. The vector loop
    /// does not divide (a 16-lane division takes ~16 cycles, most of a batch gather's arithmetic):
    /// it multiplies by the rounded reciprocal and corrects once with the exact remainder,
    /// q + (b − 255q)·(1/255), both by fused multiply-adds. That gives the correctly rounded
    /// quotient for every one of the 256 byte values (the multiply alone misses 126 of them), which
    /// the unit test checks exhaustively.
    /// </summary>
    internal static void ToUnitRange(ReadOnlySpan<byte> pixels, Span<float> features)
    {
        if (features.Length < pixels.Length) throw new ArgumentException("ToUnitRange: destination shorter than the source");
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 64 <= pixels.Length; i += 64)
            {
                var (lo, hi) = Vector512.Widen(Vector512.Create(pixels.Slice(i, 64)));
                var (q0, q1) = Vector512.Widen(lo);
                var (q2, q3) = Vector512.Widen(hi);
                DivideBy255(q0).CopyTo(features.Slice(i));
                DivideBy255(q1).CopyTo(features.Slice(i + 16));
                DivideBy255(q2).CopyTo(features.Slice(i + 32));
                DivideBy255(q3).CopyTo(features.Slice(i + 48));
            }
        }
        for (; i < pixels.Length; i++) features[i] = pixels[i] / 255f;
    }

    /// <summary>b / 255f for whole numbers b in [0, 255] (see <see cref="ToUnitRange"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> DivideBy255(Vector512<uint> bytes)
    {
        var b = Vector512.ConvertToSingle(bytes.AsInt32());
        var reciprocal = Vector512.Create(1f / 255f);
        var q = b * reciprocal;
        var remainder = Vector512.FusedMultiplyAdd(-q, Vector512.Create(255f), b);
        return Vector512.FusedMultiplyAdd(remainder, reciprocal, q);
    }
}
