using Bottleneck.Applications;
using Bottleneck.Data;
using Bottleneck.Layers;
using Bottleneck.Losses;
using Bottleneck.Models;
using Bottleneck.Tensors;
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
        History history = Trainer.Fit(model, train, new FitOptions { Epochs = 2, Validation = test.Slice(0, 500) });

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
        Assert.Equal(ModelKind.Vanilla, json.Kind);
    }

    [Fact]
    public void Kinds_and_anomaly_example_runs()
    {
        var (train, test) = Mnist.Load(SharedData.Mnist);
        (train, test) = (train.Slice(0, 512), test.Slice(0, 256));
        var vae = new Autoencoder(ModelKinds.Defaults(ModelKind.Vae), seed: 42);
        Trainer.Fit(vae, train, new FitOptions { Epochs = 1, Validation = test });
        Evaluation e = vae.Evaluate(test);
        var samples = vae.Decode(new Bottleneck.Tensors.Tensor(16, 20));

        // A labelled table from ../shared stands in for the README's transactions.csv.
        var table = TabularLoader.Load(Path.Combine(SharedData.Root, "datasets", "adbench", "14_glass.npz"));
        var detector = AnomalyDetector.Fit(table, new AnomalyOptions { Ensemble = 2, Epochs = 3 });
        double[] scores = detector.Score(table);

        Assert.Equal(e.Reconstruction + e.Penalty, e.Loss, 9);
        Assert.True(e.Penalty > 0);
        Assert.Equal([16, 784], samples.Shape.ToArray());
        Assert.Equal(table.Count, scores.Length);
        Assert.All(scores, s => Assert.True(double.IsFinite(s) && s >= 0));
    }

    [Fact]
    public void Custom_layers_example_runs()
    {
        using var dir = new TempDir();
        var (train, test) = Mnist.Load(SharedData.Mnist);
        (train, test) = (train.Slice(0, 512), test.Slice(0, 256));
        var init = new Rng(7);
        var encoder = new Sequential([new Linear(784, 96, init), new Tanh(), new Linear(96, 12, init)]);
        var decoder = new Sequential([new Linear(12, 96, init), new LeakyReLU(0.2f), new Linear(96, 784, init), new Sigmoid()]);
        var mine = Autoencoder.FromLayers(784, encoder, decoder, loss: LossKind.Bce, inputShape: [1, 28, 28],
            engine: new EngineOptions { Threads = 2 });
        var history = Trainer.Fit(mine, train, new FitOptions { Epochs = 2, Validation = test });
        ModelFile.Save(mine, dir.File("my-layers"));

        var (loaded, json) = ModelFile.Load(dir.File("my-layers"));
        Assert.Equal(ModelKind.Custom, json.Kind);
        Assert.True(history.Epochs[1].TestLoss < history.Epochs[0].TestLoss);
        Assert.Equal(2, mine.Encoder.Layers[0].Engine.Threads);
        Assert.Equal(mine.Evaluate(test).Loss, loaded.Evaluate(test).Loss);
    }

    [WordsFact]
    public void Seq2seq_example_runs()
    {
        using var dir = new TempDir();
        // A slice of the word list and small sizes, for speed; the README trains on all of it.
        var words = TextLines.Read(WordsData.Path).Where((_, i) => i % 50 == 0).ToArray();
        var vocabulary = CharacterVocabulary.FromLines(words);
        var s2s = new Seq2SeqAutoencoder(new Seq2SeqConfig { Vocabulary = vocabulary.Characters, Hidden = 32, Latent = 8, MaxLength = 23 }, seed: 42);
        int[][] tokens = s2s.Tokenize(words, "american-english");
        Trainer.Fit(s2s, s2s.ToDataset(tokens, "words"), Seq2SeqAutoencoder.FitDefaults with { Epochs = 1 });
        var codes = s2s.Encode(s2s.Tokenize(["autoencoder"], "input"));
        string[] back = s2s.Decode(codes);
        Seq2SeqModelFile.Save(s2s, dir.File("words-run"));
        var (loaded, json) = Seq2SeqModelFile.Load(dir.File("words-run"));

        Assert.Equal([1, 8], codes.Shape.ToArray());
        Assert.Single(back);
        Assert.Equal(back, loaded.Decode(codes));
        Assert.Equal(ModelKind.Seq2Seq, json.Kind);
    }
}
