using Bottleneck.Layers;
using Bottleneck.Models;
using Bottleneck.Tensors;
using static Bottleneck.Tests.RefusalAssert;

namespace Bottleneck.Tests.Tensors;

/// <summary>The engine settings: their checks, and that each owner hands them to what it computes with.</summary>
public class EngineOptionsTests
{
    [Fact]
    public void Defaults_are_all_cores_the_widest_kernel_and_fusion()
    {
        var options = EngineOptions.Default;
        Assert.Equal(Environment.ProcessorCount, options.Threads);
        Assert.Equal(GemmPath.Auto, options.Kernel);
        Assert.True(options.FuseActivations);
        Assert.True(options.NarrowEdges);
        Assert.True(options.SkipZeros);
        Assert.Equal(new EngineOptions(), options);
    }

    [Fact]
    public void A_thread_count_outside_the_machine_limit_is_refused()
    {
        foreach (int threads in new[] { 0, -1, EngineOptions.MaxThreads + 1 })
            Refused(() => _ = new EngineOptions { Threads = threads }, $"threads must be 1 to {EngineOptions.MaxThreads} ({EngineOptions.ThreadLimitReason}), got {threads}");
        Assert.Equal(EngineOptions.MaxThreads, new EngineOptions { Threads = EngineOptions.MaxThreads }.Threads);
    }

    [Fact]
    public void A_kernel_the_CPU_lacks_is_refused_when_a_product_runs()
    {
        foreach (GemmPath path in Enum.GetValues<GemmPath>())
        {
            var engine = new EngineOptions { Kernel = path };
            var c = new float[4];
            void Multiply() => Gemm.Multiply(false, false, 2, 2, 2, new float[4], 2, new float[4], 2, c, 2, accumulate: false, engine);
            if (GemmPaths.IsSupported(path)) Multiply();
            else Refused(Multiply, $"GEMM path {path} is not supported by this CPU; use Auto");
        }
    }

    [Fact]
    public void Containers_hand_their_settings_to_the_layers_inside()
    {
        var rng = new Rng(1);
        var inner = new Sequential([new Linear(4, 3, rng), new ReLU()]);
        var net = new Sequential([inner, new TimeDistributed(new Linear(1, 2, rng), 3), new TransformerEncoderLayer(4, 2, 8, 3, rng)]);
        var engine = new EngineOptions { Threads = 1, FuseActivations = false };
        net.Engine = engine;
        Assert.All(inner.Layers, layer => Assert.Same(engine, layer.Engine));
        Assert.Same(engine, ((TimeDistributed)net.Layers[1]).Inner.Engine);
        Assert.Same(engine, ((TransformerEncoderLayer)net.Layers[2]).SelfAttention.OutProj.Engine);
    }

    [Theory]
    [InlineData(ModelKind.Aae)]
    [InlineData(ModelKind.FactorVae)]
    [InlineData(ModelKind.Conv)]
    public void A_model_hands_its_settings_to_its_networks_loss_and_discriminator(ModelKind kind)
    {
        var engine = new EngineOptions { Threads = 1 };
        var config = kind == ModelKind.Conv
            ? ModelKinds.Defaults(kind)
            : ModelKinds.Defaults(kind) with { InputSize = 12, InputShape = null, Hidden = [6], Latent = 2 };
        var model = new Autoencoder(config, seed: 1, engine);
        Assert.Same(engine, model.Engine);
        Assert.Same(engine, model.Loss.Engine);
        foreach (var network in new[] { model.Encoder, model.Decoder })
            Assert.All(network.Layers, layer => Assert.Same(engine, layer.Engine));
        Sequential? discriminator = model.Regularizer switch
        {
            AdversarialPrior a => a.Discriminator,
            FactorVaeReparameterization f => f.Discriminator,
            _ => null,
        };
        if (discriminator is not null) Assert.All(discriminator.Layers, layer => Assert.Same(engine, layer.Engine));
        Assert.Same(EngineOptions.Default, new Autoencoder(config, seed: 1).Encoder.Layers[0].Engine);
    }
}
