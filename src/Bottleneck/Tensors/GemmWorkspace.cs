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

    // Non-zero steps of each panel of the packed blocks (see GemmSparsity): of A, up to Mc / 4
    // panels (the smallest MR); of B, up to Nc / 16 panels (B's steps are only listed for NR ≥ 16);
    // up to KcMax steps each, and each panel's count (−1: no list).
    private const int APanels = GemmBlocking.Mc / 4, BPanels = GemmBlocking.Nc / 16;
    private readonly int[] steps = GC.AllocateUninitializedArray<int>((APanels + BPanels) * (GemmBlocking.KcMax + 1), pinned: true);

    /// <summary>Listed steps of panel i of the current block of A start at <c>ASteps + i * KcMax</c>.</summary>
    public int* ASteps => (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(steps));

    public int* ACounts => ASteps + APanels * GemmBlocking.KcMax;

    public int* BSteps => ACounts + APanels;

    public int* BCounts => BSteps + BPanels * GemmBlocking.KcMax;

    /// <summary>The most panels of B whose steps can be listed.</summary>
    public const int MaxListedBPanels = BPanels;

    /// <summary>The calling thread's workspace, created on its first GEMM.</summary>
    public static GemmWorkspace Current => current ??= new GemmWorkspace();

    public float* PackedA { get; }

    public float* PackedB { get; }
}
