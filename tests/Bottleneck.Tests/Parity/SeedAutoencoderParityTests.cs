using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Optimizers;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Parity;

/// <summary>
/// The tutorial model end to end against PyTorch: forward, loss, every gradient, and five Adam
/// steps on the next 80 MNIST training images, from the fixture's initial weights.
/// </summary>
public class SeedAutoencoderParityTests
{
    private const double Tolerance = 1e-4;

    private static (Autoencoder Model, Fixture Fixture) Load()
    {
        var f = Fixture.Load("seed_autoencoder");
        var model = new Autoencoder(new AutoencoderConfig());
        var weights = model.NamedParameters.ToDictionary(p => p.Name, p => f[p.Name]);
        model.LoadStateDict(weights, "seed_autoencoder fixture");
        return (model, f);
    }

    [Fact]
    public void State_dict_names_are_the_tutorial_modules()
    {
        var model = new Autoencoder(new AutoencoderConfig());
        Assert.Equal(
            ["encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "encoder.2.bias", "decoder.0.weight", "decoder.0.bias", "decoder.2.weight", "decoder.2.bias"],
            model.NamedParameters.Select(p => p.Name));
    }

    [Fact]
    public void Forward_loss_and_gradients_match_torch()
    {
        var (model, f) = Load();
        var x = f["x"];
        var y = model.Forward(x, training: true);
        TensorAssert.Close(f["y"], y, Tolerance, "reconstruction");
        double loss = model.Loss.Forward(y, x);
        TensorAssert.CloseScalar(f.Scalar("loss"), loss, Tolerance, "loss");

        var grad = new Tensor(x.Shape.ToArray());
        model.Loss.Backward(y, x, grad);
        model.Backward(grad);
        foreach (var (name, p) in model.NamedParameters)
            TensorAssert.Close(f["grad." + name], p.Grad, Tolerance, "grad." + name);
    }

    [Fact]
    public void Five_Adam_steps_match_torch()
    {
        var (model, f) = Load();
        var (train, _) = Mnist.Load(SharedData.Mnist);
        var adam = new Adam(model.Parameters, learningRate: 1e-3);
        var batch = new Tensor(16, 784);
        var grad = new Tensor(16, 784);
        for (int step = 0; step < 5; step++)
        {
            train.CopyRows(16 * (step + 1), 16, batch);
            var y = model.Forward(batch, training: true);
            TensorAssert.CloseScalar(f["step_losses"][step], model.Loss.Forward(y, batch), Tolerance, $"loss of step {step + 1}");
            model.Loss.Backward(y, batch, grad);
            model.Backward(grad);
            adam.Update();
        }
        foreach (var (name, p) in model.NamedParameters)
            TensorAssert.Close(f["after5." + name], p.Value, Tolerance, "after5." + name);
    }

    [Fact]
    public void Fixture_input_is_the_first_sixteen_training_images()
    {
        var (_, f) = Load();
        var (train, _) = Mnist.Load(SharedData.Mnist);
        var first = new Tensor(16, 784);
        train.CopyRows(0, 16, first);
        TensorAssert.Close(f["x"], first, 1e-7, "x");
    }
}
