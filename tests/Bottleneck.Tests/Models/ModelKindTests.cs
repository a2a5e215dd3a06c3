using Bottleneck.Data;
using Bottleneck.Layers;
using Bottleneck.Losses;
using Bottleneck.Models;
using Bottleneck.Tensors;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Models;

/// <summary>Every kind builds, saves and loads with its settings; corruption and the data-range warning.</summary>
public class ModelKindTests
{
    public static TheoryData<ModelKind> DenseKinds => new(ModelKinds.Builtin.Where(k => k != ModelKind.Conv));

    private static AutoencoderConfig Small(ModelKind kind) => ModelKinds.Defaults(kind) with
    {
        InputSize = 12,
        InputShape = null,
        // Sequence kinds read the 12 values as 4 steps of 3 variables; attention's width splits into its heads.
        Hidden = kind == ModelKind.Attention ? [6] : [7],
        Steps = ModelKinds.IsSequence(kind) ? 4 : 0,
        Heads = 2,
        Latent = 3,
        LatentActivation = kind == ModelKind.Sparse ? ActivationKind.Sigmoid : ActivationKind.None,
        Sparsity = SparsityKind.Kl,
        Beta = 2.5,
        TcWeight = 2.5,
        NoiseLevel = 0.25,
    };

    [Theory]
    [MemberData(nameof(DenseKinds))]
    public void A_saved_model_of_each_kind_loads_with_the_same_settings_and_outputs(ModelKind kind)
    {
        using var dir = new TempDir();
        var model = new Autoencoder(Small(kind), seed: 11);
        ModelFile.Save(model, dir.Path);
        var (loaded, json) = ModelFile.Load(dir.Path);
        Assert.Equal(kind, json.Kind);
        Assert.Equal(model.Config.Kind, loaded.Config.Kind);
        Assert.Equal(model.Regularizer.GetType(), loaded.Regularizer.GetType());
        // Everything model.json records about the kind comes back (a VAE's β, the noise level, ...).
        Assert.Equal(Serialize(model.Config), Serialize(loaded.Config));
        if (kind is ModelKind.Vae or ModelKind.BetaVae or ModelKind.InfoVae) Assert.Equal(2.5, loaded.Config.Beta);
        if (kind is ModelKind.FactorVae or ModelKind.TcVae) Assert.Equal(2.5, loaded.Config.TcWeight);
        if (kind == ModelKind.Denoising) Assert.Equal(0.25, loaded.Config.NoiseLevel);
        if (kind == ModelKind.Sparse) Assert.Equal(SparsityKind.Kl, loaded.Config.Sparsity);
        var x = new Tensor(5, 12);
        var rng = new Rng(1);
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        Assert.Equal(model.Reconstruct(x).Span.ToArray(), loaded.Reconstruct(x).Span.ToArray());
        Assert.Equal(model.Encode(x).Span.ToArray(), loaded.Encode(x).Span.ToArray());
    }

    [Fact]
    public void A_conv_model_with_batch_norm_mirrors_its_encoder_and_saves_its_running_statistics()
    {
        using var dir = new TempDir();
        var config = ModelKinds.Defaults(ModelKind.Conv) with { InputSize = 64, InputShape = [1, 8, 8], Channels = [2, 3], Latent = 4, BatchNorm = true };
        var model = new Autoencoder(config, seed: 3);
        var x = new Tensor(6, 64);
        var rng = new Rng(2);
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        // One training pass moves the running statistics away from their initial 0 and 1.
        var y = model.Forward(x, training: true);
        Assert.Equal(64, y.RowLength);
        Assert.Contains(model.NamedBuffers, b => b.Name == "encoder.1.running_mean");
        ModelFile.Save(model, dir.Path);
        var (loaded, _) = ModelFile.Load(dir.Path);
        foreach (var ((name, a), (_, b)) in model.NamedBuffers.Zip(loaded.NamedBuffers))
            Assert.True(a.Span.SequenceEqual(b.Span), name);
        Assert.Equal(model.Reconstruct(x).Span.ToArray(), loaded.Reconstruct(x).Span.ToArray());
    }

    private static string Serialize(AutoencoderConfig config) =>
        System.Text.Json.JsonSerializer.Serialize(ModelFile.Describe(config), ModelJson.Options);

    [Fact]
    public void A_vae_encoder_outputs_mean_and_log_variance_and_encode_gives_the_mean()
    {
        var model = new Autoencoder(Small(ModelKind.Vae), seed: 2);
        Assert.Equal([6, 7], model.Encoder.NamedParameters[^2].Parameter.Value.Shape.ToArray());
        var x = new Tensor(2, 12);
        x.Span.Fill(0.5f);
        var distribution = model.EncodeDistribution(x);
        var codes = model.Encode(x);
        Assert.Equal(6, distribution.RowLength);
        Assert.Equal(distribution.Row(1)[..3].ToArray(), codes.Row(1).ToArray());
    }

    [Fact]
    public void Evaluation_splits_a_vae_loss_into_reconstruction_and_kl_and_repeats_exactly()
    {
        var model = new Autoencoder(Small(ModelKind.Vae), seed: 2);
        var data = new Dataset("d", Enumerable.Range(0, 12 * 30).Select(i => (i % 7) / 7f).ToArray(), 30, 12);
        var first = model.Evaluate(data, batchSize: 8);
        var second = model.Evaluate(data, batchSize: 8);
        Assert.Equal(first, second);
        Assert.Equal("kl", first.PenaltyName);
        Assert.True(first.Penalty > 0);
        Assert.Equal(first.Reconstruction + first.Penalty, first.Loss, 9);
    }

    [Theory]
    [InlineData("gaussian", 0.3)]
    [InlineData("mask", 0.3)]
    [InlineData("salt-and-pepper", 0.2)]
    public void Corruption_changes_about_the_asked_share_of_values_and_stays_in_range(string kind, double level)
    {
        var clean = Enumerable.Repeat(0.5f, 20_000).ToArray();
        var noisy = new float[clean.Length];
        new Corruption(NamedEnum.Parse<NoiseKind>(kind), level).Apply(clean, noisy, new Rng(3));
        Assert.All(noisy, v => Assert.InRange(v, 0f, 1f));
        double changed = noisy.Count(v => v != 0.5f) / (double)noisy.Length;
        if (kind == "gaussian")
        {
            double std = Math.Sqrt(noisy.Select(v => (v - 0.5) * (v - 0.5)).Average());
            Assert.InRange(std, 0.27, 0.31); // clipping at 0 and 1 trims little of a 0.3 gaussian around 0.5
        }
        else
        {
            Assert.InRange(changed, level - 0.02, level + 0.02);
        }
        if (kind == "salt-and-pepper") Assert.All(noisy, v => Assert.True(v is 0f or 0.5f or 1f));
    }

    [Fact]
    public void Standardised_data_under_a_sigmoid_output_gets_a_warning_that_says_what_to_change()
    {
        var config = new AutoencoderConfig { InputSize = 2, InputShape = null, Loss = LossKind.Mse };
        var standardised = new Dataset("d", [-0.42f, 2.8f, 0.1f, 0.3f], 2, 2);
        var warning = DataRangeCheck.Warning(config, standardised);
        Assert.NotNull(warning);
        Assert.Contains("[-0.42, 2.8]", warning);
        Assert.Contains("sigmoid", warning);
        Assert.Contains("--output-activation none", warning);
        Assert.Null(DataRangeCheck.Warning(config with { OutputActivation = ActivationKind.None }, standardised));
        Assert.Null(DataRangeCheck.Warning(config, new Dataset("d", [0f, 1f, 0.5f, 0.2f], 2, 2)));
        Assert.Contains("binary cross-entropy", DataRangeCheck.Warning(config with { OutputActivation = ActivationKind.None, Loss = LossKind.Bce }, standardised));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(1000)]
    [InlineData(100_003)]
    public void The_data_range_is_the_smallest_and_largest_value_or_NaN(int length)
    {
        var random = new Random(length);
        var values = Enumerable.Range(0, length + 5).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray();
        var window = values.Take(length).ToArray(); // the 5 values after it must not count
        values[length] = 100f;
        Assert.Equal((window.Min(), window.Max()), DataRangeCheck.Range(values, length));
        values[length - 1] = float.NaN;
        var (min, max) = DataRangeCheck.Range(values, length);
        Assert.True(float.IsNaN(min) && float.IsNaN(max));
    }

    [Fact]
    public void Options_that_contradict_the_kind_are_refused_with_a_reason()
    {
        var bad = new[]
        {
            Small(ModelKind.Contractive) with { Hidden = [7, 5] },
            Small(ModelKind.Contractive) with { Activation = [ActivationKind.Gelu] },
            Small(ModelKind.Sparse) with { Sparsity = SparsityKind.Kl, LatentActivation = ActivationKind.Relu },
            Small(ModelKind.Vae) with { LatentActivation = ActivationKind.Tanh },
            Small(ModelKind.Denoising) with { Noise = NoiseKind.Mask, NoiseLevel = 1.5 },
            Small(ModelKind.Conv),
            Small(ModelKind.Vanilla) with { Kind = ModelKind.Seq2Seq },
            Small(ModelKind.Vanilla) with { Kind = (ModelKind)99 },
        };
        foreach (var config in bad)
        {
            var e = Assert.Throws<BottleneckException>(() => new Autoencoder(config));
            Assert.DoesNotContain('\n', e.Message);
        }
    }
    [Fact]
    public void Every_kind_is_written_by_its_name_and_read_back_from_it()
    {
        foreach (var kind in Enum.GetValues<ModelKind>())
        {
            Assert.Equal(kind, ModelKinds.Parse(kind.Name()));
            Assert.Equal($"\"{kind.Name()}\"", System.Text.Json.JsonSerializer.Serialize(kind));
            Assert.Equal(kind, System.Text.Json.JsonSerializer.Deserialize<ModelKind>($"\"{kind.Name()}\""));
        }
        Assert.Equal("beta-vae", ModelKind.BetaVae.Name());
        Assert.Contains("choose one of vanilla, deep", Assert.Throws<BottleneckException>(() => ModelKinds.Parse("dense")).Message);
        // Neither the member's name nor its number is a kind's name.
        Assert.False(NamedEnum.TryParse<ModelKind>("BetaVae", out _));
        Assert.Throws<System.Text.Json.JsonException>(() => System.Text.Json.JsonSerializer.Deserialize<ModelKind>("7"));
    }

    [Fact]
    public void A_model_json_of_an_unknown_kind_is_refused_in_one_line_that_names_the_kinds()
    {
        using var dir = new TempDir();
        ModelFile.Save(new Autoencoder(Small(ModelKind.Vanilla), seed: 1), dir.Path);
        string path = Path.Combine(dir.Path, ModelFile.JsonName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"kind\": \"vanilla\"", "\"kind\": \"dense\"", StringComparison.Ordinal));
        var e = Assert.Throws<BottleneckException>(() => ModelFile.Load(dir.Path));
        Assert.Contains("unknown model kind 'dense'", e.Message);
        Assert.Contains("seq2seq", e.Message);
        Assert.StartsWith(path, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
