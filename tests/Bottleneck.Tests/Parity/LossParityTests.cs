using Bottleneck.Losses;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Parity;

public class LossParityTests
{
    [Theory]
    [InlineData("loss_bce_sum", "bce", Reduction.Sum, "p", "dp")]
    [InlineData("loss_bce_mean", "bce", Reduction.Mean, "p", "dp")]
    [InlineData("loss_mse_sum", "mse", Reduction.Sum, "x", "dx")]
    [InlineData("loss_mse_mean", "mse", Reduction.Mean, "x", "dx")]
    public void Loss_and_gradient_match_torch(string fixture, string loss, Reduction reduction, string input, string gradient)
    {
        var f = Fixture.Load(fixture);
        var l = Loss.Create(loss, reduction);
        TensorAssert.CloseScalar(f.Scalar("loss"), l.Forward(f[input], f["target"]), 1e-5, "loss");
        var grad = new Tensor(f[input].Shape.ToArray());
        l.Backward(f[input], f["target"], grad);
        TensorAssert.Close(f[gradient], grad, 1e-5, "gradient");
    }
}
