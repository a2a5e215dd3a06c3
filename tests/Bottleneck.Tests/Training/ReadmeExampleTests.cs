using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Tests.IO;
using Bottleneck.Training;

namespace Bottleneck.Tests.Training;

/// <summary>The README's library example, kept compiling and running (on a slice of MNIST, for speed).</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void Library_example_runs()
    {
        using var dir = new TempDir();
        var (train, test) = Mnist.Load(SharedData.Mnist);
        train = train.Slice(0, 1024);
        var model = new Autoencoder(new AutoencoderConfig { Hidden = [400], Latent = 20 }, seed: 42);
        History history = model.Fit(train, new FitOptions { Epochs = 2, Validation = test.Slice(0, 500) });

        var x = new Bottleneck.Tensors.Tensor(8, 784);
        test.CopyRows(0, 8, x);
        var codes = model.Encode(x);
        var images = model.Decode(codes);
        var again = model.Reconstruct(x);
        ModelFile.Save(model, dir.File("my-run"));
        var (loaded, json) = ModelFile.Load(dir.File("my-run"));

        Assert.Equal(2, history.Epochs.Count);
        Assert.True(history.Epochs[1].TestLoss < history.Epochs[0].TestLoss);
        Assert.Equal([8, 20], codes.Shape.ToArray());
        Assert.Equal([8, 784], images.Shape.ToArray());
        Assert.True(images.Span.SequenceEqual(again.Span));
        Assert.True(loaded.Reconstruct(x).Span.SequenceEqual(again.Span));
        Assert.Equal("vanilla", json.Kind);
    }
}
