using Bottleneck.Layers;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Parity;

/// <summary>
/// The image layers' forward and every gradient against PyTorch. Fixture tensors keep their NCHW
/// shapes while the layers work on [batch, C·H·W] rows, so values are compared as flat spans after
/// checking the batch size.
/// </summary>
public class ImageLayerParityTests
{
    private static void Close(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.Rows, actual.Rows);
        TensorAssert.Close(expected.Span, actual.Span, 1e-5, what);
    }

    private static int Setting(Fixture f, string name) => int.Parse(f.Setting(name), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The layer's output shape, forward and input gradient against the fixture's y and dx; for a
    /// layer with <paramref name="weight"/> and <paramref name="bias"/>, the fixture's parameters
    /// are copied in first and their gradients checked too.
    /// </summary>
    private static void MatchesTorch(Fixture f, SpatialLayer layer, Parameter? weight = null, Parameter? bias = null)
    {
        Assert.Equal(f["y"].Shape[1..].ToArray(), layer.OutputShape);
        if (weight is not null && bias is not null)
        {
            Assert.Equal(f["weight"].Shape.ToArray(), weight.Value.Shape.ToArray());
            f["weight"].Span.CopyTo(weight.Value.Span);
            f["bias"].Span.CopyTo(bias.Value.Span);
        }

        Close(f["y"], layer.Forward(f["x"], training: true), "y");
        Close(f["dx"], layer.Backward(f["dy"], needInputGrad: true)!, "dx");
        if (weight is not null && bias is not null)
        {
            TensorAssert.Close(f["dweight"], weight.Grad, 1e-5, "dweight");
            TensorAssert.Close(f["dbias"], bias.Grad, 1e-5, "dbias");
        }
    }

    [Fact]
    public void Conv2d_matches_torch()
    {
        var f = Fixture.Load("conv2d");
        var x = f["x"];
        var w = f["weight"];
        Assert.Equal([2, 3, 9, 9], x.Shape.ToArray());
        var layer = new Conv2d(x.Dim(1), w.Dim(0), w.Dim(2), Setting(f, "stride"), Setting(f, "padding"), x.Dim(2), x.Dim(3), new Rng(0));
        MatchesTorch(f, layer, layer.Weight, layer.Bias);
    }

    [Fact]
    public void ConvTranspose2d_matches_torch()
    {
        var f = Fixture.Load("conv_transpose2d");
        var x = f["x"];
        var w = f["weight"];
        Assert.Equal([2, 4, 5, 5], x.Shape.ToArray());
        var layer = new ConvTranspose2d(w.Dim(0), w.Dim(1), w.Dim(2), Setting(f, "stride"), Setting(f, "padding"),
            Setting(f, "output_padding"), x.Dim(2), x.Dim(3), new Rng(0));
        MatchesTorch(f, layer, layer.Weight, layer.Bias);
    }

    [Fact]
    public void MaxPool2d_matches_torch()
    {
        var f = Fixture.Load("max_pool2d");
        var x = f["x"];
        MatchesTorch(f, new MaxPool2d(x.Dim(1), x.Dim(2), x.Dim(3), Setting(f, "kernel"), Setting(f, "stride")));
    }

    [Fact]
    public void UpsampleNearest2d_matches_torch()
    {
        var f = Fixture.Load("upsample_nearest2x");
        var x = f["x"];
        MatchesTorch(f, new UpsampleNearest2d(x.Dim(1), x.Dim(2), x.Dim(3), Setting(f, "scale")));
    }

    [Fact]
    public void BatchNorm1d_training_matches_torch_and_updates_running_stats_like_it()
    {
        var f = Fixture.Load("batch_norm1d_train");
        var x = f["x"];
        double eps = double.Parse(f.Setting("eps"), System.Globalization.CultureInfo.InvariantCulture);
        int features = x.Dim(1);
        var layer = new BatchNorm1d(features, eps);
        f["weight"].Span.CopyTo(layer.Weight.Value.Span);
        f["bias"].Span.CopyTo(layer.Bias.Value.Span);

        TensorAssert.Close(f["y"], layer.Forward(x, training: true), 1e-5, "y");
        TensorAssert.Close(f["dx"], layer.Backward(f["dy"], needInputGrad: true)!, 1e-5, "dx");
        TensorAssert.Close(f["dweight"], layer.Weight.Grad, 1e-5, "dweight");
        TensorAssert.Close(f["dbias"], layer.Bias.Grad, 1e-5, "dbias");

        // The fixture's call passes no running statistics, so PyTorch's update rule is checked from
        // its definition: r ← 0.9·r + 0.1·(batch mean, unbiased batch variance), from r = (0, 1).
        int n = x.Rows;
        var expectedMean = new float[features];
        var expectedVar = new float[features];
        for (int c = 0; c < features; c++)
        {
            double mean = 0, squares = 0;
            for (int r = 0; r < n; r++) mean += x[r * features + c];
            mean /= n;
            for (int r = 0; r < n; r++) squares += Math.Pow(x[r * features + c] - mean, 2);
            expectedMean[c] = (float)(0.1 * mean);
            expectedVar[c] = (float)(0.9 + 0.1 * squares / (n - 1));
        }
        TensorAssert.Close(expectedMean, layer.RunningMean.Span, 1e-6, "running_mean");
        TensorAssert.Close(expectedVar, layer.RunningVar.Span, 1e-6, "running_var");
        Assert.Equal(1f, layer.NumBatchesTracked[0]);
    }
}
