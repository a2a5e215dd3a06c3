using Bottleneck.Layers;
using Bottleneck.Tensors;
using Xunit.Abstractions;

namespace Bottleneck.Tests.Parity;

/// <summary>
/// The attention layers against PyTorch (cases from Parity/make_attention_fixtures.py): outputs,
/// attention weights, input gradients and every parameter gradient, the parameters loaded by
/// their state_dict names, so a misnamed parameter fails too.
/// </summary>
public class AttentionParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    /// <summary>Loads every parameter of <paramref name="layer"/> from the fixture entry of the same name.</summary>
    private static void LoadParameters(Layer layer, Fixture f)
    {
        foreach (var p in layer.Parameters)
        {
            var value = f[p.Name];
            Assert.True(value.Shape.SequenceEqual(p.Value.Shape), $"{p.Name}: shape [{string.Join(",", p.Value.Shape.ToArray())}], PyTorch's [{string.Join(",", value.Shape.ToArray())}]");
            value.Span.CopyTo(p.Value.Span);
        }
    }

    /// <summary>Compares and logs the worst difference (relative to the expected tensor's largest value).</summary>
    private void Close(Tensor expected, ReadOnlySpan<float> actual, string what)
    {
        double worst = 0, scale = 1e-6;
        for (int i = 0; i < expected.Length && i < actual.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs((double)expected[i] - actual[i]));
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }
        output.WriteLine($"{what}: max |diff| {worst:E2} (relative {worst / scale:E2})");
        TensorAssert.Close(expected.Span, actual, Tolerance, what);
    }

    private void CheckBackward(Layer layer, Fixture f)
    {
        var dx = layer.Backward(f["dy"], needInputGrad: true)!;
        Close(f["dx"], dx.Span, "dx");
        foreach (var p in layer.Parameters) Close(f["grad." + p.Name], p.Grad.Span, "grad." + p.Name);
    }

    [Fact]
    public void LayerNorm_matches_torch()
    {
        var f = Fixture.LoadProject("layer_norm");
        var layer = new LayerNorm(6);
        LoadParameters(layer, f);
        var y = layer.Forward(f["x"], training: true);
        Close(f["y"], y.Span, "y");
        CheckBackward(layer, f);
    }

    [Theory]
    [InlineData("mha")]
    [InlineData("mha_key_padding")]
    public void MultiheadAttention_matches_torch(string name)
    {
        var f = Fixture.LoadProject(name);
        var layer = new MultiheadAttention(8, 2, 5, new Rng(0));
        LoadParameters(layer, f);
        if (name == "mha_key_padding")
        {
            var m = f["key_padding_mask"].Span;
            var mask = new bool[m.Length];
            for (int i = 0; i < m.Length; i++) mask[i] = m[i] != 0;
            layer.SetKeyPaddingMask(mask);
        }
        var y = layer.Forward(f["x"], training: true);
        Close(f["y"], y.Span, "y");
        Assert.True(f["attn_weights"].Shape.SequenceEqual(layer.AttentionWeights!.Shape));
        Close(f["attn_weights"], layer.AttentionWeights.Span, "attn_weights");
        CheckBackward(layer, f);
    }

    [Fact]
    public void TransformerEncoderLayer_matches_torch()
    {
        var f = Fixture.LoadProject("transformer_encoder_layer");
        var layer = new TransformerEncoderLayer(8, 2, 16, 5, new Rng(0));
        LoadParameters(layer, f);
        var y = layer.Forward(f["x"], training: true);
        Close(f["y"], y.Span, "y");
        CheckBackward(layer, f);
    }

    [Theory]
    [InlineData(50, 8)]
    [InlineData(6, 7)]
    public void PositionalEncoding_matches_the_formula_from_torch(int steps, int features)
    {
        var f = Fixture.LoadProject("positional_encoding");
        var layer = new PositionalEncoding(steps, features);
        Close(f[$"pe_{steps}x{features}"], layer.Table, "pe");
        // Forward adds the table to every item.
        var x = new Tensor(2, steps * features);
        for (int i = 0; i < x.Length; i++) x[i] = i % 5 - 2;
        var y = layer.Forward(x, training: false);
        for (int i = 0; i < x.Length; i++) Assert.Equal(x[i] + layer.Table[i % (steps * features)], y[i]);
    }
}
