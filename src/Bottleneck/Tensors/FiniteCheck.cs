using System.Runtime.Intrinsics;

namespace Bottleneck.Tensors;

/// <summary>
/// A GEMM epilogue that only looks: it records whether any value of the output is infinite or NaN,
/// reading each tile while it is in L1, so a gradient can be vouched for without a second pass
/// over it (<see cref="Layers.Parameter.GradientKnownFinite"/>). Tiles may be checked on several
/// threads at once; the flag only ever goes from clear to set.
/// </summary>
internal sealed unsafe class FiniteCheck : IGemmEpilogue
{
    private int nonFinite;

    /// <summary>Whether every tile checked since <see cref="Reset"/> held only finite values.</summary>
    public bool AllFinite => Volatile.Read(ref nonFinite) == 0;

    public void Reset() => Volatile.Write(ref nonFinite, 0);

    public void Apply(float* tile, int ldc, int row0, int col0, int rows, int cols)
    {
        const uint ExponentMask = 0x7F800000;
        bool bad = false;
        for (int i = 0; i < rows && !bad; i++)
        {
            float* row = tile + (long)i * ldc;
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                var mask = Vector512.Create(ExponentMask);
                var any = Vector512<uint>.Zero;
                for (; j + 16 <= cols; j += 16) any |= Vector512.Equals(Vector512.Load((uint*)row + j) & mask, mask);
                bad = any != Vector512<uint>.Zero;
            }
            for (; j < cols; j++) bad |= !float.IsFinite(row[j]);
        }
        if (bad) Volatile.Write(ref nonFinite, 1);
    }
}
