using System.Runtime.Intrinsics.X86;

namespace Bottleneck.Tensors;

/// <summary>The instruction set a GEMM micro-kernel is written for.</summary>
public enum GemmPath
{
    /// <summary>The widest path the CPU supports.</summary>
    Auto,

    /// <summary>AVX-512F: 8×32 tiles of <c>Vector512&lt;float&gt;</c> with FMA.</summary>
    Vector512,

    /// <summary>AVX2 + FMA: 6×16 tiles of <c>Vector256&lt;float&gt;</c>.</summary>
    Vector256,

    /// <summary>Plain C#: 4×4 tiles of scalars, for CPUs with neither.</summary>
    Scalar,
}

/// <summary>
/// Which micro-kernel <see cref="Gemm"/> uses (<see cref="EngineOptions.Kernel"/>). Tests force each
/// path in turn so that every kernel is checked on a machine that would otherwise only ever run the widest one.
/// </summary>
internal static class GemmPaths
{
    public static bool IsSupported(GemmPath path) => path switch
    {
        GemmPath.Auto or GemmPath.Scalar => true,
        GemmPath.Vector512 => Avx512F.IsSupported,
        // The 256-bit kernel relies on a hardware FMA: a software-emulated one would be far slower than scalar.
        GemmPath.Vector256 => Avx.IsSupported && Fma.IsSupported,
        _ => false,
    };

    /// <summary>The path a call takes for <paramref name="requested"/>: that one, or for Auto the widest the CPU has.</summary>
    public static GemmPath Resolve(GemmPath requested)
    {
        if (requested != GemmPath.Auto)
        {
            if (!IsSupported(requested))
                throw new BottleneckException($"GEMM path {requested} is not supported by this CPU; use Auto");
            return requested;
        }
        if (IsSupported(GemmPath.Vector512)) return GemmPath.Vector512;
        if (IsSupported(GemmPath.Vector256)) return GemmPath.Vector256;
        return GemmPath.Scalar;
    }
}
