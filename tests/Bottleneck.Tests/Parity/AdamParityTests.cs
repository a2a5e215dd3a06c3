using Bottleneck.Layers;
using Bottleneck.Optimizers;

namespace Bottleneck.Tests.Parity;

public class AdamParityTests
{
    [Fact]
    public void Three_steps_match_torch()
    {
        var f = Fixture.Load("adam");
        var p = new Parameter("p", 7);
        f["p0"].Span.CopyTo(p.Value.Span);
        double Setting(string n) => double.Parse(f.Setting(n), System.Globalization.CultureInfo.InvariantCulture);
        var adam = new Adam([p], Setting("lr"), Setting("beta1"), Setting("beta2"), Setting("eps"));
        for (int step = 0; step < 3; step++)
        {
            f["grads"].Row(step).CopyTo(p.Grad.Span);
            adam.Update();
            TensorAssert.Close(f["p_after"].Row(step), p.Value.Span, 1e-6, $"parameter after step {step + 1}");
        }
    }
}
