using Bottleneck.Layers;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Layers;

/// <summary>
/// Finite-difference checks of the attention layers' backward passes: dx and every parameter
/// gradient, on sequences [batch, steps·features] small enough to difference every value.
/// </summary>
public class AttentionGradientTests
{
    private static Tensor Random(Rng rng, int rows, int rowLength, float scale = 1f)
    {
        var t = new Tensor(rows, rowLength);
        for (int i = 0; i < t.Length; i++) t[i] = scale * (float)(rng.NextDouble() * 2 - 1);
        return t;
    }

    [Fact]
    public void LayerNorm_backward_matches_finite_differences()
    {
        var rng = new Rng(5);
        var layer = new LayerNorm(4);
        // Off its initial γ = 1, β = 0, so that dx depends on γ.
        foreach (var p in layer.Parameters) rng.FillUniform(p.Value.Span, 0.5f, 1.5f);
        var x = Random(rng, 3, 12, 2f);
        FiniteDifferences.CheckLayer(layer, x, Random(rng, 3, 12));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(2, true)]
    public void MultiheadAttention_backward_matches_finite_differences(int heads, bool keyPadding)
    {
        var rng = new Rng(13);
        const int steps = 4, embed = 6, batch = 2;
        var layer = new MultiheadAttention(embed, heads, steps, rng);
        // Non-zero biases, so their gradients are checked away from the initial point too.
        rng.FillUniform(layer.InProjBias.Value.Span, -0.3f, 0.3f);
        rng.FillUniform(layer.OutProj.Bias.Value.Span, -0.3f, 0.3f);
        if (keyPadding) layer.SetKeyPaddingMask([false, false, false, true, false, false, true, true]);
        var x = Random(rng, batch, steps * embed, 1.5f);
        FiniteDifferences.CheckLayer(layer, x, Random(rng, batch, steps * embed));
    }

    [Fact]
    public void MultiheadAttention_with_dropout_backward_matches_finite_differences_for_a_fixed_mask()
    {
        var rng = new Rng(17);
        var sampler = new Rng(3);
        var layer = new MultiheadAttention(4, 2, 3, rng, dropout: 0.3, sampler: sampler);
        var start = sampler.GetState();
        var x = Random(rng, 2, 12, 1.5f);
        FiniteDifferences.CheckLayer(layer, x, Random(rng, 2, 12), () => sampler.SetState(start));
    }

    [Fact]
    public void TransformerEncoderLayer_backward_matches_finite_differences()
    {
        var rng = new Rng(23);
        const int steps = 3, model = 4, batch = 2;
        var layer = new TransformerEncoderLayer(model, 2, 8, steps, rng);
        foreach (var p in layer.Parameters)
        {
            // γ near 1 and the biases off zero; the weights as initialised.
            if (p.Name.EndsWith("bias", StringComparison.Ordinal)) rng.FillUniform(p.Value.Span, -0.3f, 0.3f);
            else if (p.Name.StartsWith("norm", StringComparison.Ordinal)) rng.FillUniform(p.Value.Span, 0.6f, 1.4f);
        }
        var x = Random(rng, batch, steps * model, 1.5f);
        FiniteDifferences.CheckLayer(layer, x, Random(rng, batch, steps * model));
    }

    [Fact]
    public void TransformerEncoderLayer_with_dropout_backward_matches_finite_differences_for_a_fixed_mask()
    {
        var rng = new Rng(29);
        var sampler = new Rng(8);
        var layer = new TransformerEncoderLayer(4, 2, 8, 3, rng, dropout: 0.2, sampler: sampler);
        var start = sampler.GetState();
        var x = Random(rng, 2, 12, 1.5f);
        FiniteDifferences.CheckLayer(layer, x, Random(rng, 2, 12), () => sampler.SetState(start));
    }

    [Fact]
    public void PositionalEncoding_passes_the_gradient_through()
    {
        var rng = new Rng(31);
        var layer = new PositionalEncoding(3, 4);
        FiniteDifferences.CheckLayer(layer, Random(rng, 2, 12), Random(rng, 2, 12));
    }

    [Fact]
    public void Wrong_sizes_are_refused_with_a_clear_error()
    {
        var rng = new Rng(1);
        var mha = new MultiheadAttention(6, 2, 4, rng);
        var error = Assert.Throws<BottleneckException>(() => mha.Forward(new Tensor(2, 23), true));
        Assert.Contains("4 steps × 6 features", error.Message);
        Assert.Throws<BottleneckException>(() => new MultiheadAttention(6, 4, 4, rng));
        Assert.Throws<BottleneckException>(() => mha.SetKeyPaddingMask([true, true, true, true]));
        Assert.Throws<BottleneckException>(() => new LayerNorm(5).Forward(new Tensor(1, 12), true));
    }
}
