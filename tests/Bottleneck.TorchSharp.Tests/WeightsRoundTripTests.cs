using Bottleneck.Data;
using Bottleneck.Formats;
using Bottleneck.Models;
using Bottleneck.Tests;
using Bottleneck.Training;
using BottleneckTensor = Bottleneck.Tensors.Tensor;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Bottleneck.Torch.Tests;

/// <summary>
/// Weights move between Bottleneck and TorchSharp (libtorch 2.10) through model.safetensors as it
/// is: a Bottleneck run's weights give the same codes and reconstructions in the TorchSharp module
/// a PyTorch user would write, a TorchSharp-trained module's weights give the same in Bottleneck,
/// and both frameworks take the same Adam steps from the same start.
/// </summary>
public sealed class WeightsRoundTripTests : IDisposable
{
    private const float Tolerance = 1e-5f;

    private static readonly Lazy<(Dataset Train, Dataset Test)> mnist = new(() =>
    {
        var (train, test) = Mnist.Load(SharedData.Mnist);
        return (train.Slice(0, 1000), test.Slice(0, 2000));
    });

    private static readonly Dictionary<string, AutoencoderConfig> Kinds = new()
    {
        ["vanilla"] = ModelKinds.Defaults(ModelKind.Vanilla),
        ["deep, batch norm"] = ModelKinds.Defaults(ModelKind.Deep) with { Hidden = [64, 32], Latent = 8, BatchNorm = true },
        ["conv"] = ModelKinds.Defaults(ModelKind.Conv),
        ["vae"] = ModelKinds.Defaults(ModelKind.Vae),
        ["lstm, 28 rows of 28 pixels"] = ModelKinds.Defaults(ModelKind.Lstm) with { InputSize = 784, Steps = 28, Hidden = [32] },
    };

    public static TheoryData<string> KindNames => new(Kinds.Keys);

    private readonly ITestOutputHelper output;
    private readonly string folder = Path.Combine(Path.GetTempPath(), "bottleneck-torchsharp-" + Guid.NewGuid().ToString("N"));

    public WeightsRoundTripTests(ITestOutputHelper output)
    {
        this.output = output;
        LibTorchSharpOnOlderLinux.Prepare();
        Directory.CreateDirectory(folder);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [MemberData(nameof(KindNames))]
    public void A_bottleneck_run_gives_the_same_codes_and_reconstructions_in_torchsharp(string kind)
    {
        var (train, test) = mnist.Value;
        var model = new Autoencoder(Kinds[kind], seed: 7);
        Trainer.Fit(model, train, new FitOptions { Epochs = 1, BatchSize = 100 });
        ModelFile.Save(model, folder);

        using var scope = NewDisposeScope();
        var module = Mirror(Kinds[kind]);
        module.LoadSafeTensors(Path.Combine(folder, ModelFile.WeightsName));
        module.eval();
        var x = Rows(test);
        using var noGrad = no_grad();
        Same(model.Encode(x), Encode(module, x.ToTorch()), $"{kind}: code");
        Same(model.Reconstruct(x), ((nn.Module<Tensor, Tensor>)module).forward(x.ToTorch()), $"{kind}: reconstruction");
    }

    [Theory]
    [MemberData(nameof(KindNames))]
    public void A_module_trained_in_torchsharp_loads_as_a_bottleneck_run(string kind)
    {
        var (train, test) = mnist.Value;
        var config = Kinds[kind];
        ModelFile.Save(new Autoencoder(config, seed: 1), folder);

        using var scope = NewDisposeScope();
        manual_seed(3);
        var module = Mirror(config);
        var network = (nn.Module<Tensor, Tensor>)module;
        module.train();
        AdamSteps(network, Rows(train).ToTorch(), steps: 20, batchSize: 100, lr: 1e-3, (y, x) => nn.functional.mse_loss(y, x, nn.Reduction.Sum));
        module.SaveSafeTensors(Path.Combine(folder, ModelFile.WeightsName));

        var (loaded, _) = ModelFile.Load(folder);
        module.eval();
        var x = Rows(test);
        using var noGrad = no_grad();
        Same(loaded.Encode(x), Encode(module, x.ToTorch()), $"{kind}: code");
        Same(loaded.Reconstruct(x), network.forward(x.ToTorch()), $"{kind}: reconstruction");
    }

    [Fact]
    public void Adam_steps_on_the_tutorial_model_match_torchsharp_from_the_same_start()
    {
        var (train, _) = mnist.Value;
        var config = ModelKinds.Defaults(ModelKind.Vanilla);
        var model = new Autoencoder(config, seed: 5);
        string start = Path.Combine(folder, "start.safetensors");
        SafeTensorsFile.Write(start, model.StateDict());
        var batches = train.Slice(0, 5 * 128);
        Trainer.Fit(model, batches, new FitOptions { Epochs = 1, BatchSize = 128, Shuffle = false });

        using var scope = NewDisposeScope();
        var module = TorchAutoencoder.For(config);
        module.LoadSafeTensors(start);
        AdamSteps(module, Rows(batches).ToTorch(), steps: 5, batchSize: 128, lr: 1e-3, SummedBce);
        var theirs = module.state_dict();
        foreach (var (name, ours) in model.StateDict())
            Same(ours, theirs[name], $"after 5 Adam steps: {name}");
    }

    /// <summary>The README's example, as written there: a run's weights into the tutorial module written with nested Sequentials, and back.</summary>
    [Fact]
    public void The_readme_example_loads_a_run_into_torchsharp_and_saves_it_back()
    {
        var (train, test) = mnist.Value;
        var bottleneck = new Autoencoder(ModelKinds.Defaults(ModelKind.Vanilla), seed: 4);
        Trainer.Fit(bottleneck, train, new FitOptions { Epochs = 1, BatchSize = 100 });
        string run = Path.Combine(folder, "tutorial");
        ModelFile.Save(bottleneck, run);
        string weights = Path.Combine(run, ModelFile.WeightsName);

        using var scope = NewDisposeScope();
        // From the README:
        var module = nn.Sequential(
            ("encoder", nn.Sequential(("0", nn.Linear(784, 400)), ("1", nn.ReLU()), ("2", nn.Linear(400, 20)))),
            ("decoder", nn.Sequential(("0", nn.Linear(20, 400)), ("1", nn.ReLU()), ("2", nn.Linear(400, 784)), ("3", nn.Sigmoid()))));
        module.LoadSafeTensors(weights);
        AdamSteps(module, Rows(train).ToTorch(), steps: 10, batchSize: 100, lr: 1e-4, SummedBce);
        module.SaveSafeTensors(weights);

        var (tuned, _) = ModelFile.Load(run);
        var x = Rows(test);
        using var noGrad = no_grad();
        Same(tuned.Reconstruct(x), module.forward(x.ToTorch()), "fine-tuned in TorchSharp, loaded by Bottleneck: reconstruction");
        Assert.NotEqual(bottleneck.StateDict()[0].Value.Span.ToArray(), tuned.StateDict()[0].Value.Span.ToArray());
    }

    [Fact]
    public void A_file_for_another_architecture_is_refused_with_one_line()
    {
        var model = new Autoencoder(ModelKinds.Defaults(ModelKind.Vanilla) with { Latent = 8 }, seed: 1);
        string path = Path.Combine(folder, "small-code.safetensors");
        SafeTensorsFile.Write(path, model.StateDict());
        using var scope = NewDisposeScope();
        var module = TorchAutoencoder.For(ModelKinds.Defaults(ModelKind.Vanilla));
        var error = Assert.Throws<BottleneckException>(() => module.LoadSafeTensors(path));
        Assert.Equal($"{path}: tensor 'encoder.2.weight' has shape [8, 400] but the module needs [20, 400]", error.Message);

        var deeper = TorchAutoencoder.For(ModelKinds.Defaults(ModelKind.Vanilla) with { Hidden = [400, 8] });
        error = Assert.Throws<BottleneckException>(() => deeper.LoadSafeTensors(path));
        Assert.StartsWith($"{path}: missing tensor 'encoder.4.weight'", error.Message);
    }

    [Fact]
    public void The_native_glue_needs_nothing_newer_of_libstdcxx_once_prepared()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"{path} is missing: TorchSharp-cpu did not restore its native files");
        var bytes = File.ReadAllBytes(path);
        Assert.False(LibTorchSharpOnOlderLinux.WeakenVersionNeed(bytes, "GLIBCXX_3.4.32"), "Prepare left GLIBCXX_3.4.32 a hard need");
        using var ones = torch.ones(3, 2);
        Assert.Equal(6f, ones.sum().item<float>());
    }

    /// <summary>
    /// <paramref name="steps"/> Adam steps of <paramref name="network"/> on consecutive batches of
    /// <paramref name="images"/> (from the start again when they run out), the images their own targets.
    /// </summary>
    private static void AdamSteps(nn.Module<Tensor, Tensor> network, Tensor images, int steps, int batchSize, double lr, Func<Tensor, Tensor, Tensor> loss)
    {
        var optimizer = optim.Adam(network.parameters(), lr: lr);
        long batches = images.shape[0] / batchSize;
        for (int step = 0; step < steps; step++)
        {
            using var stepScope = NewDisposeScope();
            var batch = images.narrow(0, step % batches * batchSize, batchSize);
            optimizer.zero_grad();
            loss(network.forward(batch), batch).backward();
            optimizer.step();
        }
    }

    private static Tensor SummedBce(Tensor prediction, Tensor target) =>
        nn.functional.binary_cross_entropy(prediction, target, reduction: nn.Reduction.Sum);

    private static nn.Module Mirror(AutoencoderConfig config) =>
        config.Kind == ModelKind.Lstm ? new TorchLstmAutoencoder(config) : TorchAutoencoder.For(config);

    private static Tensor Encode(nn.Module module, Tensor x) => module switch
    {
        TorchAutoencoder dense => dense.Encode(x),
        TorchLstmAutoencoder lstm => lstm.Encode(x),
        _ => throw new ArgumentException($"no encoder in {module.GetType().Name}"),
    };

    private static BottleneckTensor Rows(Dataset data)
    {
        var x = new BottleneckTensor(data.Count, data.FeatureCount);
        data.CopyRows(0, data.Count, x);
        return x;
    }

    private void Same(BottleneckTensor ours, Tensor theirs, string what)
    {
        var other = theirs.ToBottleneck();
        Assert.Equal(ours.Shape.ToArray(), other.Shape.ToArray());
        float worst = 0;
        int at = 0;
        var a = ours.Span;
        var b = other.Span;
        for (int i = 0; i < a.Length; i++)
        {
            float d = MathF.Abs(a[i] - b[i]);
            if (!(d <= worst)) { worst = d; at = i; }
        }
        output.WriteLine($"{what}: largest difference {worst:E2}");
        Assert.True(worst <= Tolerance, $"{what}: Bottleneck {a[at]} but TorchSharp {b[at]} at {at} (difference {worst:E2} > {Tolerance:E0})");
    }
}
