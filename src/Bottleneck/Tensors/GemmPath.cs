using System.Runtime.Intrinsics.X86;

namespace Bottleneck.Tensors;

/// <summary>The instruction set a GEMM micro-kernel is written for.</summary>
internal enum GemmPath
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
/// Which micro-kernel <see cref="Gemm"/> uses. Tests force each path in turn so that every kernel
/// is checked on a machine that would otherwise only ever run the widest one.
/// </summary>
internal static class GemmPaths
{
    /// <summary>Overrides the choice of kernel; <see cref="GemmPath.Auto"/> picks the widest supported.</summary>
    public static GemmPath ForcedPath { get; set; } = GemmPath.Auto;

    /// <summary>Whether right-edge tiles use a kernel's narrow form (<see cref="IGemmKernel.RunStepsNarrow"/>); off only in tests, to compare.</summary>
    public static bool NarrowEdges { get; set; } = true;

    public static bool IsSupported(GemmPath path) => path switch
    {
        GemmPath.Auto or GemmPath.Scalar => true,
        GemmPath.Vector512 => Avx512F.IsSupported,
        // The 256-bit kernel relies on a hardware FMA: a software-emulated one would be far slower than scalar.
        GemmPath.Vector256 => Avx.IsSupported && Fma.IsSupported,
        _ => false,
    };

    /// <summary>The path a call will take now: the forced one, or the widest the CPU has.</summary>
    public static GemmPath Current
    {
        get
        {
            GemmPath forced = ForcedPath;
            if (forced != GemmPath.Auto)
            {
                if (!IsSupported(forced))
                    throw new BottleneckException($"GEMM path {forced} is not supported by this CPU; use Auto");
                return forced;
            }
            if (IsSupported(GemmPath.Vector512)) return GemmPath.Vector512;
            if (IsSupported(GemmPath.Vector256)) return GemmPath.Vector256;
            return GemmPath.Scalar;
        }
    }
}
