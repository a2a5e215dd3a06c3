using Bottleneck.Layers;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Parity;

/// <summary>Each layer's forward and backward against PyTorch.</summary>
public class LayerParityTests
{
    [Fact]
    public void Linear_matches_torch()
    {
        var f = Fixture.Load("linear");
        var layer = new Linear(7, 5, new Rng(0));
        f["weight"].Span.CopyTo(layer.Weight.Value.Span);
        f["bias"].Span.CopyTo(layer.Bias.Value.Span);
        var y = layer.Forward(f["x"], training: true);
        TensorAssert.Close(f["y"], y, 1e-5, "y");
        var dx = layer.Backward(f["dy"], needInputGrad: true)!;
        TensorAssert.Close(f["dx"], dx, 1e-5, "dx");
        TensorAssert.Close(f["dweight"], layer.Weight.Grad, 1e-5, "dweight");
        TensorAssert.Close(f["dbias"], layer.Bias.Grad, 1e-5, "dbias");
    }

    [Theory]
    [InlineData("relu")]
    [InlineData("sigmoid")]
    [InlineData("tanh")]
    [InlineData("leaky_relu")]
    [InlineData("elu")]
    [InlineData("gelu")]
    [InlineData("softplus")]
    public void Activation_matches_torch(string name)
    {
        var f = Fixture.Load("act_" + name);
        Activation act = name == "leaky_relu" ? new LeakyReLU(float.Parse(f.Setting("negative_slope"), System.Globalization.CultureInfo.InvariantCulture)) : Activation.Create(name);
        var y = act.Forward(f["x"], training: true);
        TensorAssert.Close(f["y"], y, 1e-5, name + " y");
        var dx = act.Backward(f["dy"], needInputGrad: true)!;
        TensorAssert.Close(f["dx"], dx, 1e-5, name + " dx");
    }
}
