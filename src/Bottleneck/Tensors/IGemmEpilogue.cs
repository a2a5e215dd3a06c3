namespace Bottleneck.Tensors;

/// <summary>
/// Work done on each tile of a GEMM's output once it holds its final sums, while the tile is still
/// in L1: an activation after the bias (y = relu(b + x·Wᵀ)) or an activation's backward mask on an
/// input gradient. It replaces a separate pass over the whole output with the same arithmetic.
/// </summary>
internal unsafe interface IGemmEpilogue
{
    /// <summary>
    /// Rows [row0, row0 + rows) × columns [col0, col0 + cols) of C, whose first element is at
    /// <paramref name="tile"/> with row stride <paramref name="ldc"/>.
    /// </summary>
    void Apply(float* tile, int ldc, int row0, int col0, int rows, int cols);

    /// <summary>
    /// True for an epilogue that only reads values and whose result does not depend on where they
    /// lie: the GEMM may then give it a finished tile in its scratch buffer, in the product's
    /// orientation (rows of the kernel's width), instead of where the tile is stored in C. For a
    /// transposed C that replaces many calls on short rows with one on whole vectors.
    /// </summary>
    bool OnlyReads => false;
}
