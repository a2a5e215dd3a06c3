using Bottleneck.Tensors;

namespace Bottleneck.Tests.Tensors;

/// <summary>
/// im2col against its definition, col2im as its exact adjoint, and both independent of the thread
/// count (each call is given its own).
/// </summary>
public class Im2ColTests
{
    private static float[] Random(Rng rng, int n)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
        return v;
    }

    public static TheoryData<int, int, int, int, int, int> Geometries => new()
    {
        // channels, height, width, kernel, stride, padding
        { 1, 28, 28, 3, 2, 1 },
        { 3, 7, 5, 4, 3, 2 },
        { 2, 6, 9, 2, 1, 0 },
        { 2, 4, 4, 3, 1, 3 },
        { 1, 40, 40, 3, 1, 1 },
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Unfold_follows_the_definition_and_fold_is_its_adjoint(int c, int h, int w, int k, int s, int p)
    {
        var g = new ConvGeometry(c, h, w, k, k, s, s, p, p);
        int batch = 7, plane = g.OutputPlane;
        var rng = new Rng(31);
        var x = Random(rng, batch * g.ImageSize);
        var col = new float[g.ColumnRows * batch * plane];
        Im2Col.Unfold(g, batch, x, col);
        for (int ch = 0; ch < c; ch++)
            for (int ki = 0; ki < k; ki++)
                for (int kj = 0; kj < k; kj++)
                    for (int n = 0; n < batch; n++)
                        for (int oh = 0; oh < g.OutputHeight; oh++)
                            for (int ow = 0; ow < g.OutputWidth; ow++)
                            {
                                int r = oh * s - p + ki, q = ow * s - p + kj;
                                float expected = r < 0 || r >= h || q < 0 || q >= w ? 0f : x[((n * c + ch) * h + r) * w + q];
                                int row = (ch * k + ki) * k + kj;
                                Assert.Equal(expected, col[(long)row * batch * plane + n * plane + oh * g.OutputWidth + ow]);
                            }

        // ⟨Unfold(x), P⟩ = ⟨x, Fold(P)⟩ for any P: fold is the transpose of unfold.
        var patches = Random(rng, col.Length);
        var folded = new float[x.Length];
        Im2Col.Fold(g, batch, patches, folded, accumulate: false);
        double left = 0, right = 0;
        for (int i = 0; i < col.Length; i++) left += (double)col[i] * patches[i];
        for (int i = 0; i < x.Length; i++) right += (double)x[i] * folded[i];
        Assert.Equal(left, right, 1e-3 * Math.Max(1, Math.Abs(left)));

        // Accumulating adds onto what is there.
        var onTop = Enumerable.Repeat(1f, x.Length).ToArray();
        Im2Col.Fold(g, batch, patches, onTop, accumulate: true);
        for (int i = 0; i < x.Length; i++) Assert.Equal(folded[i] + 1f, onTop[i], 1e-5f);
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Unfold_and_fold_give_the_same_bits_on_any_thread_count(int c, int h, int w, int k, int s, int p)
    {
        var g = new ConvGeometry(c, h, w, k, k, s, s, p, p);
        int batch = 7;
        var rng = new Rng(32);
        var x = Random(rng, batch * g.ImageSize);
        var patches = Random(rng, g.ColumnRows * batch * g.OutputPlane);
        (float[], float[]) Run(int threads)
        {
            var engine = new EngineOptions { Threads = threads };
            var col = new float[patches.Length];
            var folded = new float[x.Length];
            Im2Col.Unfold(g, batch, x, col, engine);
            Im2Col.Fold(g, batch, patches, folded, accumulate: false, engine);
            return (col, folded);
        }
        var (col1, fold1) = Run(1);
        // 3 and 5 threads split the (row, image) pairs in the middle of rows.
        foreach (int threads in new[] { 2, 3, 5 })
        {
            var (col, fold) = Run(threads);
            Assert.True(col1.AsSpan().SequenceEqual(col), $"unfold differs with {threads} threads");
            Assert.True(fold1.AsSpan().SequenceEqual(fold), $"fold differs with {threads} threads");
        }
    }

    [Fact]
    public void Swapping_leading_axes_moves_blocks_and_adds_the_bias()
    {
        // source [2, 3, 2] → destination [3, 2, 2]; bias per source block.
        float[] source = [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15];
        var destination = new float[12];
        Im2Col.SwapLeadingAxes(2, 3, 2, source, destination, [100f, 200f]);
        Assert.Equal([100f, 101, 210, 211, 102, 103, 212, 213, 104, 105, 214, 215], destination);
        Im2Col.SwapLeadingAxes(2, 3, 2, source, destination, default);
        Assert.Equal([0f, 1, 10, 11, 2, 3, 12, 13, 4, 5, 14, 15], destination);
    }

    [Fact]
    public void Spans_too_short_for_the_batch_are_refused()
    {
        var g = new ConvGeometry(1, 4, 4, 3, 3, 1, 1, 1, 1);
        var e = Assert.Throws<BottleneckException>(() => Im2Col.Unfold(g, 2, new float[31], new float[2 * 9 * 16]));
        Assert.Contains("need 32", e.Message);
        Assert.Throws<BottleneckException>(() => Im2Col.Fold(g, 2, new float[100], new float[32], false));
    }
}
