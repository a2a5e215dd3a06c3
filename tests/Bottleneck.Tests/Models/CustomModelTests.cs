using Bottleneck.Data;
using Bottleneck.Layers;
using Bottleneck.Losses;
using Bottleneck.Models;
using Bottleneck.Optimizers;
using Bottleneck.Tensors;
using Bottleneck.Tests.Cli;
using Bottleneck.Tests.IO;
using Bottleneck.Training;

namespace Bottleneck.Tests.Models;

/// <summary>An autoencoder of the user's own layers trains, saves, loads and is applied like a built-in kind.</summary>
public class CustomModelTests
{
    private static Autoencoder TanhModel(ulong seed = 7)
    {
        var init = new Rng(seed);
        var encoder = new Sequential([new Linear(784, 96, init), new Tanh(), new Linear(96, 12, init)]);
        var decoder = new Sequential([new Linear(12, 96, init), new LeakyReLU(0.2f), new Dropout(0.1, new Rng(seed + 1)), new Linear(96, 784, init), new Sigmoid()]);
        return Autoencoder.FromLayers(784, encoder, decoder, loss: LossKind.Bce, inputShape: [1, 28, 28]);
    }

    [Fact]
    public void A_model_of_own_layers_trains_saves_and_loads_with_the_same_reconstructions()
    {
        using var dir = new TempDir();
        var (train, test) = Mnist.Load(SharedData.Mnist);
        (train, test) = (train.Slice(0, 1024), test.Slice(0, 300));
        var model = TanhModel();
        Assert.Equal(ModelKind.Custom, model.Config.Kind);
        Assert.Equal(12, model.Config.Latent);
        Assert.Equal(["encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "encoder.2.bias"], model.NamedParameters.Take(4).Select(p => p.Name));

        var history = Trainer.Fit(model, train, new FitOptions { Epochs = 3, Validation = test });
        Assert.True(history.Epochs[2].TestLoss < 0.8 * history.Epochs[0].TestLoss, $"test loss {history.Epochs[0].TestLoss} → {history.Epochs[2].TestLoss}");

        ModelFile.Save(model, dir.File("custom"));
        var (loaded, json) = ModelFile.Load(dir.File("custom"));
        Assert.Equal(ModelKind.Custom, json.Kind);
        Assert.Equal(["linear", "tanh", "linear"], json.Model!.EncoderLayers!.Select(l => l.Type));
        Assert.Equal(["linear", "leaky_relu", "dropout", "linear", "sigmoid"], json.Model!.DecoderLayers!.Select(l => l.Type));
        Assert.Equal(0.2f, (float)json.Model!.DecoderLayers![1].Value!.Value);
        var x = new Tensor(16, 784);
        test.CopyRows(0, 16, x);
        Assert.True(loaded.Reconstruct(x).Span.SequenceEqual(model.Reconstruct(x).Span));
        Assert.Equal(model.Evaluate(test).Loss, loaded.Evaluate(test).Loss);
    }

    [Fact]
    public void Layers_a_model_file_cannot_describe_and_sizes_that_do_not_follow_on_are_refused()
    {
        var init = new Rng(1);
        var decoder = new Sequential([new Linear(8, 16, init)]);
        var conv = new Sequential([new Conv2d(1, 4, 3, 2, 1, 4, 4, init), new Linear(16, 8, init)]);
        var e = Assert.Throws<BottleneckException>(() => Autoencoder.FromLayers(16, conv, decoder));
        Assert.Contains("Conv2d", e.Message, StringComparison.Ordinal);
        Assert.Contains("Linear, BatchNorm1d, Dropout", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<BottleneckException>(() => Autoencoder.FromLayers(20, new Sequential([new Linear(16, 8, init)]), decoder));
        Assert.Equal("encoder layer 0: a linear layer of 16 inputs follows 20 values", e.Message);
        e = Assert.Throws<BottleneckException>(() => Autoencoder.FromLayers(16, new Sequential([new Linear(16, 8, init)]), new Sequential([new Linear(8, 15, init)])));
        Assert.Equal("the decoder ends in 15 values but an item has 16", e.Message);
    }

    [Fact]
    public void A_model_json_with_a_broken_layer_list_is_one_clear_error()
    {
        using var dir = new TempDir();
        ModelFile.Save(TanhModel(), dir.File("custom"));
        string jsonPath = Path.Combine(dir.File("custom"), ModelFile.JsonName);
        string text = File.ReadAllText(jsonPath);
        File.WriteAllText(jsonPath, text.Replace("\"tanh\"", "\"swish\"", StringComparison.Ordinal));
        var e = Assert.Throws<BottleneckException>(() => ModelFile.Load(dir.File("custom")));
        Assert.Contains("encoder layer 1: unknown layer 'swish'", e.Message, StringComparison.Ordinal);

        File.WriteAllText(jsonPath, text.Replace("\"in\": 96", "\"in\": 95", StringComparison.Ordinal));
        e = Assert.Throws<BottleneckException>(() => ModelFile.Load(dir.File("custom")));
        Assert.Contains("a linear layer of 95 inputs follows 96 values", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_commands_apply_a_saved_custom_model_like_a_built_in_kind()
    {
        using var dir = new TempDir();
        var (train, _) = Mnist.Load(SharedData.Mnist);
        var model = TanhModel();
        Trainer.Fit(model, train.Slice(0, 512), new FitOptions { Epochs = 1 });
        string run = dir.File("custom");
        ModelFile.Save(model, run);

        var codes = CliRunner.Run("encode", "--model", run, "--data", SharedData.Mnist, "--out", dir.File("codes.csv"));
        Assert.True(codes.ExitCode == 0, codes.Stderr);
        Assert.Equal(10_001, File.ReadAllLines(dir.File("codes.csv")).Length);
        var grid = CliRunner.Run("reconstruct", "--model", run, "--data", SharedData.Mnist, "--count", "8", "--out", dir.File("grid.png"));
        Assert.True(grid.ExitCode == 0, grid.Stderr);
        Assert.True(File.Exists(dir.File("grid.png")));
        var onnx = CliRunner.Run("export", "--model", run, "--out", dir.File("custom.onnx"));
        Assert.True(onnx.ExitCode == 0, onnx.Stderr);
        Assert.True(new FileInfo(dir.File("custom.onnx")).Length > 4 * 784 * 96);
        var generate = CliRunner.Run("generate", "--model", run, "--out", dir.File("samples.png"));
        CliRunner.AssertOneLineError(generate, 1, "custom");
    }

    /// <summary>A model that is not an Autoencoder at all: y = W·x + b fitted to 2·x, through the trainer's interfaces.</summary>
    private sealed class ScaleModel : ITrainable
    {
        private readonly Linear linear = new(3, 3, new Rng(3));
        private readonly MeanSquaredError loss = new();
        private Tensor? output;

        public int InputSize => 3;

        public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters => [("weight", linear.Weight), ("bias", linear.Bias)];

        public IReadOnlyList<(string Name, Tensor Value)> NamedBuffers => [];

        public Rng Sampler { get; } = new(5);

        public Lock Gate { get; } = new();

        public EngineOptions Engine => EngineOptions.Default;

        public void Prepare(int trainingItems)
        {
        }

        public double TrainingLoss(Tensor batch)
        {
            output = linear.Forward(batch, training: true);
            return loss.Forward(output, Doubled(batch));
        }

        public void Backward(Tensor batch, Tensor gradBuffer)
        {
            loss.Backward(output!, Doubled(batch), gradBuffer);
            linear.Backward(gradBuffer, needInputGrad: false);
        }

        public Evaluation Evaluate(Dataset data, int batchSize = 1000)
        {
            var x = new Tensor(data.Count, 3);
            data.CopyRows(0, data.Count, x);
            double l = loss.Forward(linear.Forward(x, training: false), Doubled(x)) / data.Count;
            return new Evaluation(l, l, 0, "");
        }

        private static Tensor Doubled(Tensor x)
        {
            var y = new Tensor(x.Rows, x.RowLength);
            for (int i = 0; i < x.Length; i++) y[i] = 2 * x[i];
            return y;
        }
    }

    /// <summary>Plain SGD, to show the trainer takes any optimizer.</summary>
    private sealed class Sgd(IReadOnlyList<Parameter> parameters, float rate) : IOptimizer
    {
        public double LearningRate { get; set; } = rate;

        public long Step { get; private set; }

        public IReadOnlyList<(string Prefix, IReadOnlyList<Tensor> Tensors)> State => [];

        public void RestoreStep(long step) => Step = step;

        public void Update()
        {
            Step++;
            foreach (var p in parameters)
                for (int i = 0; i < p.Value.Length; i++) p.Value[i] -= (float)LearningRate * p.Grad[i];
        }
    }

    [Fact]
    public void The_trainer_fits_any_model_of_its_interface_with_any_optimizer()
    {
        var rng = new Rng(9);
        var x = new float[600];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(2 * rng.NextDouble() - 1);
        var data = new Dataset("scaled", x, 200, 3);
        var model = new ScaleModel();
        var sgd = new Sgd(model.NamedParameters.Select(p => p.Parameter).ToArray(), 0.01f);
        var history = Trainer.Fit(model, data, new FitOptions { Epochs = 20, BatchSize = 20, Validation = data }, optimizer: sgd);
        Assert.Equal(200, sgd.Step);
        Assert.True(history.Epochs[^1].TestLoss < 1e-3 * history.Epochs[0].TestLoss!.Value, $"{history.Epochs[0].TestLoss} → {history.Epochs[^1].TestLoss}");
    }
}
