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

    public bool OnlyReads => true;

    public void Apply(float* tile, int ldc, int row0, int col0, int rows, int cols)
    {
        // Rows are a tile's 32 floats (a transposed tile is mostly checked in the GEMM's scratch
        // buffer, before it is stored), or 8 where a transposed output is checked in C: vectors of both widths.
        const uint ExponentMask = 0x7F800000;
        var any512 = Vector512<uint>.Zero;
        var any256 = Vector256<uint>.Zero;
        bool bad = false;
        for (int i = 0; i < rows; i++)
        {
            uint* row = (uint*)(tile + (long)i * ldc);
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j + 16 <= cols; j += 16)
                    any512 |= Vector512.Equals(Vector512.Load(row + j) & Vector512.Create(ExponentMask), Vector512.Create(ExponentMask));
            }
            if (Vector256.IsHardwareAccelerated)
            {
                for (; j + 8 <= cols; j += 8)
                    any256 |= Vector256.Equals(Vector256.Load(row + j) & Vector256.Create(ExponentMask), Vector256.Create(ExponentMask));
            }
            for (; j < cols; j++) bad |= (row[j] & ExponentMask) == ExponentMask;
        }
        if (bad || any512 != Vector512<uint>.Zero || any256 != Vector256<uint>.Zero) Volatile.Write(ref nonFinite, 1);
    }
}
