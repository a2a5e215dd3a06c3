using Bottleneck.Tensors;

namespace Bottleneck.Tests.Tensors;

public class FiniteCheckTests
{
    // K = 33 is one reduction block: a transposed tile is checked in the GEMM's scratch buffer
    // before it is stored. K = 300 is two: the last block adds to C, which is checked in place.
    [Theory]
    [InlineData(false, -1, 33)] // all finite
    [InlineData(false, 0, 33)]  // a NaN in A
    [InlineData(false, 1, 33)]  // a product that overflows to infinity
    [InlineData(false, 2, 33)]  // a NaN in a full tile (row 8)
    [InlineData(true, 2, 33)]
    [InlineData(true, -1, 33)]
    [InlineData(true, 0, 33)]
    [InlineData(true, 1, 33)]
    [InlineData(true, -1, 300)]
    [InlineData(true, 0, 300)]
    [InlineData(true, 1, 300)]
    [InlineData(true, 2, 300)]
    public void A_GEMM_epilogue_sees_every_non_finite_output(bool transposedOutput, int poison, int K)
    {
        const int M = 70, N = 45; // ragged tiles at both edges
        var random = new Random(3);
        var a = Enumerable.Range(0, M * K).Select(_ => (float)random.NextDouble()).ToArray();
        var b = Enumerable.Range(0, K * N).Select(_ => (float)random.NextDouble()).ToArray();
        // The last row and column: in the edge tiles.
        if (poison == 0) a[(M - 1) * K + 3] = float.NaN;
        if (poison == 2) a[8 * K + 3] = float.NaN;
        if (poison == 1)
        {
            a[(M - 1) * K + 4] = 1e30f;
            b[4 * N + N - 1] = 1e30f;
        }
        foreach (int threads in new[] { 1, 2 })
        {
            var engine = new EngineOptions { Threads = threads };
            var check = new FiniteCheck();
            var c = new float[M * N];
            if (transposedOutput) Gemm.MultiplyTransposedC(engine, false, false, M, N, K, a, K, b, N, c, M, check);
            else Gemm.MultiplyThen(engine, false, false, M, N, K, a, K, b, N, c, N, check);
            Assert.Equal(poison < 0, check.AllFinite);
            Assert.Equal(check.AllFinite, c.All(float.IsFinite));
        }
    }
}
