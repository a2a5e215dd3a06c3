using System.Text.Json.Nodes;
using Bottleneck.Formats;
using Bottleneck.Losses;
using Bottleneck.Models;
using Bottleneck.Tensors;
using Bottleneck.Tests.IO;
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
                Activation = a.activation,
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
            case "missing-field": EditJson(model, j => j["architecture"]!.AsObject().Remove("latent")); break;
            case "unknown-field": EditJson(model, j => j["colour"] = "blue"); break;
            case "wrong-type": EditJson(model, j => j["architecture"]!["latent"] = "twenty"); break;
            case "bad-format": EditJson(model, j => j["format"] = "keras"); break;
            case "future-version": EditJson(model, j => j["version"] = 99); break;
            case "bad-activation": EditJson(model, j => j["architecture"]!["activation"] = "swish"); break;
            case "negative-size": EditJson(model, j => j["architecture"]!["latent"] = -2); break;
            case "not-json": File.WriteAllText(Path.Combine(model, "model.json"), "{ \"format\": "); break;
        }
        var e = Assert.Throws<BottleneckException>(() => ModelFile.Load(model));
        Assert.Contains("model.json", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Weights_disagreeing_with_model_json_are_rejected()
    {
        using var dir = new TempDir();
        string model = SavedModel(dir);
        EditJson(model, j => j["architecture"]!["latent"] = 3);
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
