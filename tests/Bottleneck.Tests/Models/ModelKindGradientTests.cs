using Bottleneck.Layers;
using Bottleneck.Models;
using Bottleneck.Tensors;
using Bottleneck.Tests.Layers;

namespace Bottleneck.Tests.Models;

/// <summary>
/// Finite-difference checks of whole models of each kind: the gradient of reconstruction loss
/// plus penalty with respect to every parameter. Noise (VAE samples) comes from a generator
/// reset to the same state for every evaluation, so the objective is a fixed function.
/// </summary>
public class ModelKindGradientTests
{
    public static TheoryData<string, string> Kinds => new()
    {
        { "sparse", "l1" },
        { "sparse", "kl" },
        { "contractive", "relu" },
        { "contractive", "sigmoid" },
        { "contractive", "tanh" },
        { "vae", "" },
        { "beta-vae", "" },
        { "info-vae", "" },
        { "tc-vae", "" },
    };

    private static AutoencoderConfig Config(string kind, string variant) => kind switch
    {
        "sparse" when variant == "kl" => Small(kind) with { Sparsity = SparsityKind.Kl, SparsityWeight = 0.5, SparsityTarget = 0.2, LatentActivation = ActivationKind.Sigmoid },
        "sparse" => Small(kind) with { Sparsity = SparsityKind.L1, SparsityWeight = 0.5 },
        "contractive" => Small(kind) with { Activation = [NamedEnum.Parse<ActivationKind>(variant)], ContractiveWeight = 5 },
        "beta-vae" => Small(kind) with { Beta = 3 },
        "info-vae" => Small(kind) with { MmdWeight = 5 },
        "tc-vae" => Small(kind) with { TcWeight = 4 },
        _ => Small(kind),
    };

    private static AutoencoderConfig Small(string kind) =>
        new() { Kind = ModelKinds.Parse(kind), InputSize = 6, InputShape = null, Hidden = [5], Latent = 3, Activation = [ActivationKind.Tanh] };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Gradients_of_loss_plus_penalty_match_finite_differences(string kind, string variant)
    {
        var model = new Autoencoder(Config(kind, variant), seed: 5);
        var rng = new Rng(9);
        var x = new Tensor(4, 6);
        for (int i = 0; i < x.Length; i++) x[i] = 0.05f + 0.9f * (float)rng.NextDouble();
        const ulong noiseSeed = 77;

        double Objective()
        {
            var y = model.Forward(x, new Rng(noiseSeed), training: true);
            return model.Loss.Forward(y, x) + model.Regularizer.Penalty;
        }

        var output = model.Forward(x, new Rng(noiseSeed), training: true);
        Assert.True(model.Regularizer.Penalty > 0, "the kind adds a penalty");
        var grad = new Tensor(4, 6);
        model.BackwardFromLoss(output, x, grad); // as training does: BCE's gradient through the sigmoid in one pass
        foreach (var (name, p) in model.NamedParameters)
            FiniteDifferences.Check(p.Value, Objective, p.Grad.Clone().Span, $"{kind} {variant} {name}");
    }

    [Fact]
    public void Contractive_penalty_is_the_squared_jacobian_norm_computed_column_by_column()
    {
        var model = new Autoencoder(Config("contractive", "sigmoid") with { ContractiveWeight = 1 }, seed: 3);
        var x = new Tensor(2, 6);
        var rng = new Rng(4);
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        model.Forward(x, null, training: false);
        double penalty = model.Regularizer.Penalty;

        // The Jacobian by central differences of the encoder, one input value at a time.
        double expected = 0;
        for (int item = 0; item < 2; item++)
        {
            var one = new Tensor(1, 6);
            x.Row(item).CopyTo(one.Span);
            for (int i = 0; i < 6; i++)
            {
                float saved = one[i];
                one[i] = saved + 1e-3f;
                var plus = model.Encode(one).Span.ToArray();
                one[i] = saved - 1e-3f;
                var minus = model.Encode(one).Span.ToArray();
                one[i] = saved;
                for (int j = 0; j < plus.Length; j++)
                {
                    double d = (plus[j] - minus[j]) / 2e-3;
                    expected += d * d;
                }
            }
        }
        Assert.Equal(expected, penalty, expected * 1e-2);
        var norms = model.JacobianNorms(x)!;
        Assert.Equal(expected, norms.Sum(v => v * v), expected * 1e-2);
    }

    [Fact]
    public void Jacobian_norms_of_many_items_are_each_items_own()
    {
        // More items than one chunk of the computation: each norm as if the item were alone.
        var model = new Autoencoder(Config("contractive", "relu"), seed: 3);
        var x = new Tensor(1500, 6);
        new Rng(5).FillUniform(x.Span, 0f, 1f);
        var norms = model.JacobianNorms(x)!;
        foreach (int item in new[] { 0, 1023, 1024, 1499 })
        {
            var one = new Tensor(1, 6);
            x.Row(item).CopyTo(one.Span);
            Assert.Equal(model.JacobianNorms(one)![0], norms[item]);
        }
    }
}
