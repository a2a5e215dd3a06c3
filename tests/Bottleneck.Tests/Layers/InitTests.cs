using Bottleneck.Layers;
using Bottleneck.Models;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Layers;

public class InitTests
{
    [Fact]
    public void Linear_init_is_uniform_within_one_over_sqrt_fan_in()
    {
        var layer = new Linear(784, 400, new Rng(1));
        float bound = 1f / MathF.Sqrt(784);
        foreach (var t in new[] { layer.Weight.Value, layer.Bias.Value })
        {
            Assert.All(t.Span.ToArray(), v => Assert.InRange(v, -bound, bound));
        }
        var w = layer.Weight.Value.Span.ToArray();
        // A uniform distribution fills its range: the extremes come near the bound, the mean near 0,
        // the variance near bound²/3.
        Assert.True(w.Max() > 0.99f * bound && w.Min() < -0.99f * bound);
        double mean = w.Average(v => (double)v);
        double variance = w.Average(v => (v - mean) * (v - mean));
        Assert.InRange(mean, -0.01 * bound, 0.01 * bound);
        Assert.InRange(variance, 0.98 * bound * bound / 3, 1.02 * bound * bound / 3);
    }

    [Fact]
    public void Same_seed_gives_identical_weights_and_another_seed_does_not()
    {
        var a = new Autoencoder(new AutoencoderConfig(), seed: 42);
        var b = new Autoencoder(new AutoencoderConfig(), seed: 42);
        var c = new Autoencoder(new AutoencoderConfig(), seed: 43);
        foreach (var ((_, pa), (_, pb), (_, pc)) in a.NamedParameters.Zip(b.NamedParameters, c.NamedParameters))
        {
            Assert.True(pa.Value.Span.SequenceEqual(pb.Value.Span));
            Assert.False(pa.Value.Span.SequenceEqual(pc.Value.Span));
        }
    }

    [Fact]
    public void Erf_matches_known_values()
    {
        // Values from tables of the error function.
        Assert.Equal(0.0, SpecialFunctions.Erf(0), 15);
        Assert.Equal(0.5204998778130465, SpecialFunctions.Erf(0.5), 12);
        Assert.Equal(0.8427007929497149, SpecialFunctions.Erf(1), 12);
        Assert.Equal(-0.9953222650189527, SpecialFunctions.Erf(-2), 12);
        Assert.Equal(0.9999589021219005, SpecialFunctions.Erf(2.9), 10);
        Assert.Equal(0.9999999845827421, SpecialFunctions.Erf(4), 12);
    }
}
