using System.Text.Json;
using System.Text.Json.Nodes;
using Bottleneck.Formats;
using Bottleneck.Layers;
using Bottleneck.Losses;
using Bottleneck.Models;
using Bottleneck.Tensors;
using Bottleneck.Tests.IO;
using Bottleneck.Training;
using FsCheck;
using FsCheck.Fluent;

namespace Bottleneck.Tests.Models;

public class ModelFileTests
{
    [Fact]
    public void Save_then_load_gives_the_same_model_for_random_architectures()
    {
        var architectures = from hidden in Gen.Choose(1, 24).ArrayOf().Where(a => a.Length <= 3)
                            from latent in Gen.Choose(1, 8)
                            from input in Gen.Choose(1, 40)
                            from activation in Gen.Elements("relu", "tanh", "elu", "gelu", "softplus", "none")
                            from loss in Gen.Elements("bce", "mse")
                            from seed in Gen.Choose(0, 1000)
                            select (hidden, latent, input, activation, loss, seed);
        Prop.ForAll(architectures.ToArbitrary(), a =>
        {
            using var dir = new TempDir();
            var config = new AutoencoderConfig
            {
                Kind = a.hidden.Length > 1 ? ModelKind.Deep : ModelKind.Vanilla,
                InputSize = a.input,
                InputShape = null,
                Hidden = a.hidden,
                Latent = a.latent,
                Activation = [NamedEnum.Parse<ActivationKind>(a.activation)],
                Loss = NamedEnum.Parse<LossKind>(a.loss),
            };
            var model = new Autoencoder(config, (ulong)a.seed);
            ModelFile.Save(model, dir.Path);
            var (loaded, _) = ModelFile.Load(Path.Combine(dir.Path, "model.safetensors"));
            Assert.Equal(model.NamedParameters.Select(p => p.Name), loaded.NamedParameters.Select(p => p.Name));
            foreach (var ((_, p), (_, q)) in model.NamedParameters.Zip(loaded.NamedParameters))
                Assert.True(p.Value.Span.SequenceEqual(q.Value.Span));
            var x = new Tensor(3, a.input);
            x.Span.Fill(0.25f);
            Assert.True(model.Reconstruct(x).Span.SequenceEqual(loaded.Reconstruct(x).Span));
        }).QuickCheckThrowOnFailure();
    }

    private static string SavedModel(TempDir dir)
    {
        ModelFile.Save(new Autoencoder(new AutoencoderConfig { InputSize = 6, InputShape = null, Hidden = [4], Latent = 2 }), dir.Path);
        return dir.Path;
    }

    private static void EditJson(string directory, Action<JsonObject> edit)
    {
        string path = Path.Combine(directory, "model.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    public static TheoryData<string, string> BrokenJson => new()
    {
        { "missing-field", "latent" },
        { "unknown-field", "colour" },
        { "wrong-type", "latent" },
        { "bad-format", "format" },
        { "future-version", "newer" },
        { "bad-activation", "unknown activation 'swish'" },
        { "negative-size", "latent size must be positive" },
        { "not-json", "not a valid model description" },
    };

    [Theory]
    [MemberData(nameof(BrokenJson))]
    public void A_broken_model_json_is_one_clear_error(string breakage, string expected)
    {
        using var dir = new TempDir();
        string model = SavedModel(dir);
        switch (breakage)
        {
            case "missing-field": EditJson(model, j => j["model"]!.AsObject().Remove("latent")); break;
            case "unknown-field": EditJson(model, j => j["colour"] = "blue"); break;
            case "wrong-type": EditJson(model, j => j["model"]!["latent"] = "twenty"); break;
            case "bad-format": EditJson(model, j => j["format"] = "keras"); break;
            case "future-version": EditJson(model, j => j["version"] = 99); break;
            case "bad-activation": EditJson(model, j => j["model"]!["activation"] = new JsonArray("swish")); break;
            case "negative-size": EditJson(model, j => j["model"]!["latent"] = -2); break;
            case "not-json": File.WriteAllText(Path.Combine(model, "model.json"), "{ \"format\": "); break;
        }
        var e = Assert.Throws<BottleneckException>(() => ModelFile.Load(model));
        Assert.Contains("model.json", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>model.json as version 1 wrote it: the architecture, loss and the kind's own objective settings in sections.</summary>
    private const string Version1Vae = """
        {
          "format": "bottleneck-model",
          "version": 1,
          "kind": "beta-vae",
          "architecture": {
            "input_size": 6, "hidden": [4], "latent": 2, "activation": "tanh", "latent_activation": "none",
            "output_activation": "sigmoid", "batch_norm": false, "dropout": 0
          },
          "loss": "bce",
          "objective": { "beta": 2.5 },
          "normalization": { "type": "none", "offset": 0, "scale": 1 },
          "training": { "dataset": "t", "epochs": 1, "epochs_done": 1, "batch_size": 8, "learning_rate": 0.001, "optimizer": "adam", "shuffle": true, "seed": 1, "threads": 1 }
        }
        """;

    private const string Version1Seq2Seq = """
        {
          "format": "bottleneck-model", "version": 1, "kind": "seq2seq",
          "architecture": { "input_size": 6, "hidden": [5], "latent": 3, "activation": "gru", "latent_activation": "none", "output_activation": "softmax", "embedding": 4, "max_length": 9 },
          "loss": "cross-entropy",
          "normalization": { "type": "none" },
          "vocabulary": ["a", "b", "c"]
        }
        """;

    [Fact]
    public void A_version_1_model_json_still_loads_as_the_same_configuration()
    {
        using var dir = new TempDir();
        // The kind's defaults fill what version 1 left out (a beta-vae's are β 4 and no input shape here).
        var config = ModelKinds.Defaults(ModelKind.BetaVae) with { InputSize = 6, InputShape = null, Hidden = [4], Latent = 2, Activation = [ActivationKind.Tanh], Beta = 2.5 };
        var model = new Autoencoder(config, seed: 3);
        ModelFile.Save(model, dir.Path);
        File.WriteAllText(Path.Combine(dir.Path, ModelFile.JsonName), Version1Vae);
        var (loaded, json) = ModelFile.Load(dir.Path);
        Assert.Equal(ModelJson.CurrentVersion, json.Version);
        Assert.Equal(ModelFile.ToJsonText(ModelFile.Describe(config)), ModelFile.ToJsonText(ModelFile.Describe(loaded.Config)));
        Assert.Null(loaded.Config.InputShape);
        Assert.Equal(1, json.Run!.EpochsDone);
        Assert.Equal((8, 1e-3, 1UL), (json.Training!.BatchSize, json.Training.LearningRate, json.Training.Seed));
        var x = new Tensor(2, 6);
        x.Span.Fill(0.5f);
        Assert.True(model.Reconstruct(x).Span.SequenceEqual(loaded.Reconstruct(x).Span));

        string text = Path.Combine(dir.Path, "text.json");
        File.WriteAllText(text, Version1Seq2Seq);
        var seq = ModelFile.ReadJson(text);
        Assert.Equal((4, 5, 3, 9), (seq.Text!.Embedding, seq.Text.Hidden, seq.Text.Latent, seq.Text.MaxLength));
        Assert.Equal(["a", "b", "c"], seq.Text.Vocabulary);
    }

    /// <summary>Version 2's "training" section: the fit's settings and the run's facts together (here a seq2seq run's, which clipped and decayed its rate).</summary>
    private const string Version2Training = """
        { "dataset": "words.txt", "epochs": 30, "epochs_done": 12, "batch_size": 64, "learning_rate": 0.003, "weight_decay": 0, "optimizer": "adam",
          "shuffle": true, "seed": 5, "threads": 2, "checkpoint_every": 1, "clip_norm": 5, "lr_schedule": "cosine", "limit": 1000, "data_path": "/data/words.txt" }
        """;

    [Fact]
    public void A_version_2_model_json_loads_with_its_training_split_into_the_fit_and_the_run()
    {
        using var dir = new TempDir();
        var model = new Seq2SeqAutoencoder(new Seq2SeqConfig { Vocabulary = ["a", "b"], Embedding = 4, Hidden = 5, Latent = 3, MaxLength = 6 });
        Seq2SeqModelFile.Save(model, dir.Path);
        EditJson(dir.Path, j =>
        {
            j["version"] = 2;
            j["training"] = JsonNode.Parse(Version2Training);
        });
        var (_, json) = Seq2SeqModelFile.Load(dir.Path);
        var fit = json.Training!;
        Assert.Equal((30, 64, 0.003, 5UL, 5.0), (fit.Epochs, fit.BatchSize, fit.LearningRate, fit.Seed, fit.ClipNorm!.Value));
        // Version 2's seq2seq trainer batched by length; the schedule was recorded.
        Assert.True(fit.GroupByLength);
        Assert.Equal(LrScheduleKind.Cosine, fit.LrSchedule);
        var run = json.Run!;
        Assert.Equal(("words.txt", 12, 2, 1000, "/data/words.txt"), (run.Dataset, run.EpochsDone, run.Threads, run.Limit!.Value, run.DataPath));

        // An autoencoder's version 2 file: a constant rate, batches in plain shuffled order.
        string dense = SavedModel(dir);
        EditJson(dense, j =>
        {
            j["version"] = 2;
            var training = JsonNode.Parse(Version2Training)!.AsObject();
            training.Remove("clip_norm");
            training.Remove("lr_schedule");
            j["training"] = training;
        });
        var denseFit = ModelFile.ReadJson(Path.Combine(dense, ModelFile.JsonName)).Training!;
        Assert.False(denseFit.GroupByLength);
        Assert.Equal(LrScheduleKind.Constant, denseFit.LrSchedule);
        Assert.Null(denseFit.ClipNorm);
    }

    [Fact]
    public void A_training_setting_left_out_of_model_json_is_an_error()
    {
        using var dir = new TempDir();
        string model = SavedModel(dir);
        EditJson(model, j => j["training"] = JsonSerializer.SerializeToNode(FitOptions.Default, ModelJson.Options));
        Assert.Equal(FitOptions.Default.BatchSize, ModelFile.ReadJson(Path.Combine(model, ModelFile.JsonName)).Training!.BatchSize);
        EditJson(model, j => j["training"]!.AsObject().Remove("batch_size"));
        var e = Assert.Throws<BottleneckException>(() => ModelFile.Load(model));
        Assert.Contains("batch_size", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("\"latent\": 2, ", "architecture.latent")]
    [InlineData("\"loss\": \"bce\",", "loss")]
    [InlineData("\"dropout\": 0", "\"dropout\": 0, \"colour\": 1")]
    public void A_broken_version_1_model_json_is_one_clear_error(string cut, string expected)
    {
        using var dir = new TempDir();
        ModelFile.Save(new Autoencoder(ModelKinds.Defaults(ModelKind.BetaVae) with { InputSize = 6, InputShape = null, Hidden = [4], Latent = 2 }), dir.Path);
        // A cut removes the text; a replacement (the expected text beginning with the cut) adds a field.
        string broken = expected.StartsWith(cut, StringComparison.Ordinal) ? Version1Vae.Replace(cut, expected, StringComparison.Ordinal) : Version1Vae.Replace(cut, "", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(dir.Path, ModelFile.JsonName), broken);
        var e = Assert.Throws<BottleneckException>(() => ModelFile.Load(dir.Path));
        Assert.Contains(expected.StartsWith(cut, StringComparison.Ordinal) ? "colour" : expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Model_json_writes_every_setting_and_a_missing_one_is_an_error_not_a_default()
    {
        using var dir = new TempDir();
        string model = SavedModel(dir);
        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(model, ModelFile.JsonName)))!["model"]!.AsObject();
        // Every property of the configuration, in snake case, the null input shape included.
        Assert.Contains("input_shape", written.Select(p => p.Key));
        Assert.Equal("vanilla", (string?)written["kind"]);
        Assert.Equal("gaussian", (string?)written["prior"]);
        EditJson(model, j => j["model"]!.AsObject().Remove("tc_weight"));
        Assert.Contains("tc_weight", Assert.Throws<BottleneckException>(() => ModelFile.Load(model)).Message);
        SavedModel(dir);
        EditJson(model, j => j["kind"] = "vae");
        Assert.Contains("kind vae but its model says vanilla", Assert.Throws<BottleneckException>(() => ModelFile.Load(model)).Message);
    }

    [Fact]
    public void Weights_disagreeing_with_model_json_are_rejected()
    {
        using var dir = new TempDir();
        string model = SavedModel(dir);
        EditJson(model, j => j["model"]!["latent"] = 3);
        var e = Assert.Throws<BottleneckException>(() => ModelFile.Load(model));
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("shape", e.Message);
    }

    [Fact]
    public void Weights_with_NaN_are_rejected()
    {
        using var dir = new TempDir();
        string model = SavedModel(dir);
        var (loaded, _) = ModelFile.Load(model);
        loaded.NamedParameters[0].Parameter.Value[0] = float.NaN;
        SafeTensorsFile.Write(Path.Combine(model, "model.safetensors"), loaded.StateDict());
        var e = Assert.Throws<BottleneckException>(() => ModelFile.Load(model));
        Assert.Contains("NaN", e.Message);
    }
}
