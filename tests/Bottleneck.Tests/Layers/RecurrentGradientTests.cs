using Bottleneck.Layers;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Layers;

/// <summary>
/// Finite-difference checks of the recurrent layers and their helpers: dx and every parameter
/// gradient, through several steps, with every step's output or the last one only.
/// </summary>
public class RecurrentGradientTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Lstm_backward_matches_finite_differences(bool sequences)
    {
        var rng = new Rng(21);
        const int batch = 3, steps = 4, input = 2, hidden = 3;
        var layer = new Lstm(input, hidden, steps, sequences, rng);
        var x = FiniteDifferences.Uniform(rng, batch, steps * input, 1.5f);
        FiniteDifferences.CheckLayer(layer, x, FiniteDifferences.Uniform(rng, batch, layer.OutputSize(steps * input)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Gru_backward_matches_finite_differences(bool sequences)
    {
        var rng = new Rng(22);
        const int batch = 3, steps = 4, input = 2, hidden = 3;
        var layer = new Gru(input, hidden, steps, sequences, rng);
        var x = FiniteDifferences.Uniform(rng, batch, steps * input, 1.5f);
        FiniteDifferences.CheckLayer(layer, x, FiniteDifferences.Uniform(rng, batch, layer.OutputSize(steps * input)));
    }

    [Fact]
    public void RepeatSteps_and_TimeDistributed_backward_match_finite_differences()
    {
        var rng = new Rng(23);
        var repeat = new RepeatSteps(3);
        FiniteDifferences.CheckLayer(repeat, FiniteDifferences.Uniform(rng, 2, 4), FiniteDifferences.Uniform(rng, 2, 12));
        var perStep = new TimeDistributed(new Linear(4, 2, rng), 3);
        FiniteDifferences.CheckLayer(perStep, FiniteDifferences.Uniform(rng, 2, 12), FiniteDifferences.Uniform(rng, 2, 6));
    }

    [Fact]
    public void TimeDistributed_applies_the_same_layer_to_every_step()
    {
        var rng = new Rng(24);
        var linear = new Linear(2, 3, rng);
        var perStep = new TimeDistributed(linear, 4);
        var x = FiniteDifferences.Uniform(rng, 2, 8);
        var y = perStep.Forward(x, training: false).Clone();
        Assert.Equal(12, y.RowLength);
        var one = new Tensor(1, 2);
        for (int b = 0; b < 2; b++)
        {
            for (int t = 0; t < 4; t++)
            {
                x.Row(b).Slice(t * 2, 2).CopyTo(one.Span);
                var expected = linear.Forward(one, training: false);
                TensorAssert.Close(expected.Span, y.Row(b).Slice(t * 3, 3), 1e-6, $"item {b} step {t}");
            }
        }
    }

    [Fact]
    public void Recurrent_layers_refuse_a_window_of_the_wrong_length()
    {
        var layer = new Lstm(2, 3, 4, returnSequences: false, new Rng(1));
        var error = Assert.Throws<BottleneckException>(() => layer.Forward(new Tensor(2, 7), training: false));
        Assert.Contains("4 steps × 2 features", error.Message);
        Assert.Throws<BottleneckException>(() => new Gru(0, 3, 4, true, new Rng(1)));
    }
}
