namespace Bottleneck.Tensors;

/// <summary>
/// A register-blocked micro-kernel: multiplies a packed MR×kc panel of A by a packed kc×NR panel
/// of B, keeping the whole MR×NR tile of C in registers for the length of the reduction.
/// Implemented by structs so that the blocked driver, generic over the kernel, is specialised by
/// the JIT with MR and NR as constants.
/// </summary>
internal interface IGemmKernel
{
    /// <summary>Rows of C per tile (the packed A panel interleaves this many rows).</summary>
    static abstract int MR { get; }

    /// <summary>Columns of C per tile (the packed B panel interleaves this many columns).</summary>
    static abstract int NR { get; }

    /// <summary>
    /// Computes the MR×NR product of the panels, starting every accumulator at zero, then stores
    /// it into <paramref name="c"/> (row stride <paramref name="ldc"/>): added to what is there when
    /// <paramref name="add"/>, overwriting it otherwise. Summing from zero and adding C last, rather
    /// than starting from C, makes the result independent of whether the tile was written straight
    /// to C or through the edge buffer, so every split of the work gives the same bits.
    /// </summary>
    /// <param name="a">kc groups of MR floats: A[0..MR, p] for p = 0..kc.</param>
    /// <param name="b">kc groups of NR floats: B[p, 0..NR] for p = 0..kc.</param>
    static abstract unsafe void Run(int kc, float* a, float* b, float* c, int ldc, bool add);

    /// <summary>
    /// <see cref="Run"/> over some of the reduction steps only: <paramref name="steps"/>, in
    /// increasing order, the steps where the A panel or the B panel holds anything but zeros
    /// (<see cref="GemmSparsity"/>); <paramref name="a"/> and <paramref name="b"/> are the whole panels.
    /// </summary>
    static abstract unsafe void RunSteps(int count, int* steps, float* a, float* b, float* c, int ldc, bool add);

    /// <summary>
    /// Columns a narrow tile covers: a kernel whose NR spans two vectors can compute a tile of only
    /// its first vector, at half the cost, for a matrix's last panel when that is no wider (N = 400
    /// or 784 leaves 16 columns of a 32-wide panel). NR for a kernel without a narrow form.
    /// </summary>
    static abstract int NarrowNR { get; }

    /// <summary>
    /// <see cref="RunSteps"/> for the first <see cref="NarrowNR"/> columns of the panel only (B's
    /// panel keeps its NR stride); each of those elements gets the same sums. A dense tile runs it
    /// over the list of every step.
    /// </summary>
    static abstract unsafe void RunStepsNarrow(int count, int* steps, float* a, float* b, float* c, int ldc, bool add);
}
