using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Bottleneck.Tensors;

/// <summary>
/// The packing buffers one thread needs, sized once for the largest blocks and pinned so the
/// kernels can keep raw pointers into them. Each thread owns one (the caller's is thread-static,
/// each pool worker has its own), so steady-state calls allocate nothing.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    [ThreadStatic]
    private static GemmWorkspace? current;

    // Kept referenced so the pinned arrays live as long as the workspace.
    private readonly float[] packedA;
    private readonly float[] packedB;

    public GemmWorkspace()
    {
        // Largest MR and NR over all kernels bound the padding of a partial panel.
        packedA = GC.AllocateUninitializedArray<float>((GemmBlocking.Mc + 8) * GemmBlocking.KcMax, pinned: true);
        packedB = GC.AllocateUninitializedArray<float>((GemmBlocking.Nc + 32) * GemmBlocking.KcMax, pinned: true);
        PackedA = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(packedA));
        PackedB = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(packedB));
    }

    /// <summary>The calling thread's workspace, created on its first GEMM.</summary>
    public static GemmWorkspace Current => current ??= new GemmWorkspace();

    public float* PackedA { get; }

    public float* PackedB { get; }
}
