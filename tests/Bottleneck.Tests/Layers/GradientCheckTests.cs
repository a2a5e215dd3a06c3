using Bottleneck.Layers;
using Bottleneck.Losses;
using Bottleneck.Models;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Layers;

/// <summary>
/// Finite-difference checks: for L = Σ r ⊙ f(x) with a random r, the analytic gradients from
/// backward must match central differences of L. Inputs avoid the kinks of ReLU-like functions.
/// </summary>
public class GradientCheckTests
{

    private static Tensor Random(Rng rng, params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++)
        {
            float v = (float)(rng.NextDouble() * 4 - 2);
            t[i] = MathF.Abs(v) < 0.1f ? v + MathF.CopySign(0.2f, v) : v;
        }
        return t;
    }



    [Theory]
    [InlineData("relu")]
    [InlineData("leaky_relu")]
    [InlineData("elu")]
    [InlineData("gelu")]
    [InlineData("tanh")]
    [InlineData("sigmoid")]
    [InlineData("softplus")]
    [InlineData("none")]
    public void Activation_backward_matches_finite_differences(string name)
    {
        var rng = new Rng(7);
        var act = Activation.Create(name);
        var x = Random(rng, 3, 5);
        var r = Random(rng, 3, 5);
        act.Forward(x, true);
        var dx = act.Backward(r, true)!.Clone();
        FiniteDifferences.Check(x, () => FiniteDifferences.Dot(act.Forward(x, true), r), dx.Span, name);
    }

    [Fact]
    public void Linear_backward_matches_finite_differences()
    {
        var rng = new Rng(3);
        var layer = new Linear(6, 4, rng);
        var x = Random(rng, 5, 6);
        var r = Random(rng, 5, 4);
        layer.Forward(x, true);
        var dx = layer.Backward(r, true)!.Clone();
        double L() => FiniteDifferences.Dot(layer.Forward(x, true), r);
        FiniteDifferences.Check(x, L, dx.Span, "dx");
        FiniteDifferences.Check(layer.Weight.Value, L, layer.Weight.Grad.Span, "dweight");
        FiniteDifferences.Check(layer.Bias.Value, L, layer.Bias.Grad.Span, "dbias");
    }

    [Theory]
    [InlineData("bce")]
    [InlineData("mse")]
    public void Loss_gradient_matches_finite_differences(string name)
    {
        var rng = new Rng(11);
        var loss = Loss.Create(name);
        var p = new Tensor(4, 6);
        var t = new Tensor(4, 6);
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = 0.1f + 0.8f * (float)rng.NextDouble();
            t[i] = (float)rng.NextDouble();
        }
        var grad = new Tensor(4, 6);
        loss.Backward(p, t, grad);
        // Smaller steps than for layers: the BCE curvature near 0.1 would bias a 1e-2 difference.
        var numeric = new float[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            float saved = p[i];
            p[i] = saved + 1e-3f;
            double plus = loss.Forward(p, t);
            p[i] = saved - 1e-3f;
            double minus = loss.Forward(p, t);
            p[i] = saved;
            numeric[i] = (float)((plus - minus) / 2e-3);
        }
        TensorAssert.Close(numeric, grad.Span, 1e-2, name);
    }

    [Fact]
    public void Whole_autoencoder_gradients_match_finite_differences()
    {
        var config = new AutoencoderConfig { InputSize = 6, InputShape = null, Hidden = [5], Latent = 3, Activation = [ActivationKind.Tanh] };
        var model = new Autoencoder(config, seed: 5);
        var rng = new Rng(9);
        var x = new Tensor(4, 6);
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        var grad = new Tensor(4, 6);
        var y = model.Forward(x, true);
        model.Loss.Backward(y, x, grad);
        model.Backward(grad);
        double L() => model.Loss.Forward(model.Forward(x, true), x);
        foreach (var (name, p) in model.NamedParameters)
        {
            var analytic = p.Grad.Clone();
            FiniteDifferences.Check(p.Value, L, analytic.Span, name);
        }
    }
}
