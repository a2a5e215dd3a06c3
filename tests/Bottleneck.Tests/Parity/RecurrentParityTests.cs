using Bottleneck.Layers;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Parity;

/// <summary>
/// LSTM and GRU against nn.LSTM and nn.GRU (batch_first, zero initial state): every step's output,
/// the last state, the input gradient and every parameter gradient, with the parameters loaded from
/// PyTorch's tensors by their state_dict names. "lstm" is the shared case; "gru", "lstm_last" and
/// "gru_last" come from Parity/make_recurrent_fixtures.py (the last two put a gradient on the last
/// step only, the encoder's use).
/// </summary>
public class RecurrentParityTests
{
    private const double Tolerance = 1e-5;

    private static Layer Build(string cell, int input, int hidden, int steps, bool sequences) => cell == "lstm"
        ? new Lstm(input, hidden, steps, sequences, new Rng(0))
        : new Gru(input, hidden, steps, sequences, new Rng(0));

    /// <summary>A [batch, steps, features] fixture tensor as the layers' [batch, steps·features].</summary>
    private static Tensor Flat(Tensor t) => Tensor.Wrap(t.Buffer, t.Dim(0), t.Length / t.Dim(0));

    [Theory]
    [InlineData("lstm", true)]
    [InlineData("gru", false)]
    [InlineData("lstm_last", false)]
    [InlineData("gru_last", false)]
    public void Recurrent_layer_matches_torch(string name, bool shared)
    {
        var f = shared ? Fixture.Load(name) : Fixture.LoadProject(name);
        bool lastOnly = name.EndsWith("_last", StringComparison.Ordinal);
        var x = f["x"];
        int batch = x.Dim(0), steps = x.Dim(1), input = x.Dim(2), hidden = f["weight_hh"].Dim(1);
        var layer = Build(name.StartsWith("lstm", StringComparison.Ordinal) ? "lstm" : "gru", input, hidden, steps, sequences: !lastOnly);
        foreach (var p in layer.Parameters)
        {
            // The fixtures name the tensors without the layer suffix: weight_ih for weight_ih_l0.
            var value = f[p.Name[..^3]];
            Assert.True(value.Shape.SequenceEqual(p.Value.Shape), $"{p.Name}: shape [{string.Join(",", p.Value.Shape.ToArray())}], PyTorch's [{string.Join(",", value.Shape.ToArray())}]");
            value.Span.CopyTo(p.Value.Span);
        }

        var y = layer.Forward(Flat(x), training: true);
        var hN = f["h_n"];
        if (lastOnly)
        {
            TensorAssert.Close(hN.Span, y.Span, Tolerance, "h_n");
        }
        else
        {
            TensorAssert.Close(f["out"].Span, y.Span, Tolerance, "out");
            // h_n is the output's last step.
            for (int b = 0; b < batch; b++)
                TensorAssert.Close(hN.Span.Slice(b * hidden, hidden), y.Row(b)[((steps - 1) * hidden)..], Tolerance, "h_n");
        }

        var dy = lastOnly ? f["dh_last"] : Flat(f["dout"]);
        var dx = layer.Backward(dy, needInputGrad: true)!;
        TensorAssert.Close(f["dx"].Span, dx.Span, Tolerance, "dx");
        foreach (var p in layer.Parameters) TensorAssert.Close(f["d" + p.Name[..^3]].Span, p.Grad.Span, Tolerance, "d" + p.Name);
    }
}
