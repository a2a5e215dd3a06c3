using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Tests.IO;
using Bottleneck.Training;

namespace Bottleneck.Tests.Training;

public class DivergenceTests
{
    private static Dataset Small(float poison, int poisonAt)
    {
        var features = new float[64 * 784];
        var rng = new Bottleneck.Tensors.Rng(1);
        for (int i = 0; i < features.Length; i++) features[i] = (float)rng.NextDouble();
        if (poisonAt >= 0) features[poisonAt] = poison;
        return new Dataset("synthetic", features, 64, 784, null, [1, 28, 28]);
    }

    [Fact]
    public void A_NaN_loss_stops_training_naming_epoch_and_batch_and_keeps_the_last_checkpoint()
    {
        using var dir = new TempDir();
        string checkpoint = dir.File("checkpoint.safetensors");
        var model = new Autoencoder(new AutoencoderConfig(), seed: 1);
        // One good epoch writes a checkpoint.
        Trainer.Fit(model, Small(0, -1), new FitOptions { Epochs = 1, BatchSize = 16, Shuffle = false, CheckpointPath = checkpoint });
        byte[] good = File.ReadAllBytes(checkpoint);

        // Item 40 (batch 3 with batch size 16, file order) holds a NaN.
        var e = Assert.Throws<BottleneckException>(() =>
            Trainer.Fit(model, Small(float.NaN, 40 * 784 + 5), new FitOptions { Epochs = 2, BatchSize = 16, Shuffle = false, CheckpointPath = checkpoint }));
        Assert.Contains("epoch 1, batch 3", e.Message);
        Assert.Equal(good, File.ReadAllBytes(checkpoint));
        Assert.All(model.Parameters, p => Assert.True(System.Numerics.Tensors.TensorPrimitives.Sum<float>(p.Value.Span) is var s && float.IsFinite(s)));
    }
}
