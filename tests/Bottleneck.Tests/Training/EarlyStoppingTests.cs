using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Training;

namespace Bottleneck.Tests.Training;

public class EarlyStoppingTests
{
    [Fact]
    public void Training_stops_after_patience_epochs_without_improvement_and_keeps_the_best_weights()
    {
        var (train, test) = Mnist.Load(SharedData.Mnist);
        (train, test) = (train.Slice(0, 256), test.Slice(0, 128));
        // A learning rate this high makes the validation loss stall and bounce early.
        var model = new Autoencoder(new AutoencoderConfig { Hidden = [32], Latent = 4 }, seed: 1);
        var history = Trainer.Fit(model, train, new FitOptions { Epochs = 60, LearningRate = 0.05, Validation = test, Patience = 2 });

        var losses = history.Epochs.Select(e => e.TestLoss!.Value).ToArray();
        int best = Array.IndexOf(losses, losses.Min());
        Assert.True(losses.Length < 60, "stopped early");
        Assert.Equal(best + 1 + 2, losses.Length); // two epochs without improvement after the best
        Assert.Equal(losses.Min(), model.Evaluate(test).Loss, 9); // the best epoch's weights are back
    }

    [Fact]
    public void Early_stopping_needs_validation_data()
    {
        var (train, _) = Mnist.Load(SharedData.Mnist);
        var model = new Autoencoder(new AutoencoderConfig { Hidden = [8], Latent = 2 });
        var e = Assert.Throws<BottleneckException>(() => Trainer.Fit(model, train.Slice(0, 64), new FitOptions { Patience = 3 }));
        Assert.Contains("validation", e.Message);
    }
}
