namespace Bottleneck.Tensors;

/// <summary>
/// Single-precision matrix multiply for row-major matrices:
/// C[m,n] (+)= op(A)·op(B), where op(A) is A[m,k] or, transposed, A[k,m] read column-wise;
/// likewise op(B) is B[k,n] or B[n,k]. Covers the three products of training without
/// materialising a transpose: X·Wᵀ (NT), dY·W (NN) and dYᵀ·X (TN).
/// </summary>
public static class Gemm
{
    /// <param name="transA">A is stored as [k, m] (lda ≥ m) rather than [m, k] (lda ≥ k).</param>
    /// <param name="transB">B is stored as [n, k] (ldb ≥ k) rather than [k, n] (ldb ≥ n).</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate)
    {
        GemmReference.Multiply(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
    }
}
