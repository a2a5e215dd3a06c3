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

    // Kept steps of each panel of a packed block of A (see GemmSparsity): up to Mc / 4 panels
    // (the smallest MR) of up to KcMax steps, and each panel's count (−1: not compacted).
    private readonly int[] steps = GC.AllocateUninitializedArray<int>(GemmBlocking.Mc / 4 * GemmBlocking.KcMax + GemmBlocking.Mc, pinned: true);

    /// <summary>Kept steps of panel i of the current block of A start at <c>Steps + i * KcMax</c>.</summary>
    public int* Steps => (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(steps));

    /// <summary>Kept-step count of panel i of the current block of A, or −1 when it was not compacted.</summary>
    public int* StepCounts => Steps + GemmBlocking.Mc / 4 * GemmBlocking.KcMax;

    /// <summary>The calling thread's workspace, created on its first GEMM.</summary>
    public static GemmWorkspace Current => current ??= new GemmWorkspace();

    public float* PackedA { get; }

    public float* PackedB { get; }
}
