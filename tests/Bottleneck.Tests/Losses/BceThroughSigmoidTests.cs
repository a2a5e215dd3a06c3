using Bottleneck.Layers;
using Bottleneck.Losses;
using Bottleneck.Models;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Losses;

public class BceThroughSigmoidTests
{
    [Theory]
    [InlineData(37)]       // the vector loop and a tail, one part
    [InlineData(100_003)]  // split across threads, with a tail
    public void One_pass_gives_the_bits_of_the_loss_gradient_then_the_sigmoid_backward(int length)
    {
        // Probabilities across the range, including ones so close to 0 or 1 that the 1e-12 clamp
        // applies and the product underflows (flushed to zero); binary and soft targets.
        var rng = new Rng(6);
        var z = new float[length];
        rng.FillUniform(z, -90f, 30f);
        var p = new Tensor(1, length);
        new Sigmoid().Apply(z, p.Span);
        var t = new Tensor(1, length);
        rng.FillUniform(t.Span, 0f, 1f);
        for (int i = 0; i < length; i += 3) t[i] = i % 2;
        foreach (var reduction in new[] { Reduction.Sum, Reduction.Mean })
        {
            var loss = new BinaryCrossEntropy(reduction);
            var dp = new Tensor(1, length);
            loss.Backward(p, t, dp);
            var expected = new float[length];
            new Sigmoid().Derivative(z, p.Span, dp.Span, expected);
            var fused = new Tensor(1, length);
            Assert.True(loss.TryBackwardThroughSigmoid(p, t, fused));
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), fused.Span.ToArray().Select(BitConverter.SingleToInt32Bits));
            Assert.Contains(0f, expected); // some gradients underflowed
        }
        Assert.False(new MeanSquaredError().TryBackwardThroughSigmoid(p, t, new Tensor(1, length)));
    }

    [Theory]
    [InlineData("bce")]
    [InlineData("mse")] // no fused pass: the same two steps either way
    public void The_model_backward_from_the_loss_gives_the_bits_of_the_separate_steps(string lossName)
    {
        var config = new AutoencoderConfig { InputSize = 50, InputShape = null, Hidden = [30], Latent = 4, Loss = NamedEnum.Parse<LossKind>(lossName) };
        var x = new Tensor(16, 50);
        new Rng(8).FillUniform(x.Span, 0f, 1f);
        float[][] Gradients(bool fuse)
        {
            // The same seed gives the same weights; only the engine's fusion differs.
            var model = new Autoencoder(config, seed: 3, new EngineOptions { FuseActivations = fuse });
            var y = model.Forward(x, training: true);
            model.BackwardFromLoss(y, x, new Tensor(16, 50));
            return model.Parameters.Select(p => p.Grad.Span.ToArray()).ToArray();
        }
        var separate = Gradients(false);
        var fused = Gradients(true);
        for (int i = 0; i < fused.Length; i++)
            Assert.Equal(separate[i].Select(BitConverter.SingleToInt32Bits), fused[i].Select(BitConverter.SingleToInt32Bits));
    }
}
