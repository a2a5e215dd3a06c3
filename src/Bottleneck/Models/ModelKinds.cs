using Bottleneck.Losses;
using static Bottleneck.Models.ModelKind;

namespace Bottleneck.Models;

/// <summary>The names of the model kinds, what sets them apart, and the defaults each starts from.</summary>
public static class ModelKinds
{
    /// <summary>
    /// The kinds of <see cref="Autoencoder"/> built from options (<see cref="Defaults"/>): all but
    /// <see cref="ModelKind.Seq2Seq"/>, a model of its own, and <see cref="ModelKind.Custom"/>,
    /// built from the user's layers.
    /// </summary>
    public static readonly ModelKind[] Builtin = [.. Enum.GetValues<ModelKind>().Where(k => k is not (ModelKind.Seq2Seq or ModelKind.Custom))];

    /// <summary>The names of <see cref="Builtin"/>, for messages.</summary>
    public static readonly string[] Names = [.. Builtin.Select(NamedEnum.Name)];

    /// <summary>The kind of a name, or an error that lists the names of the kinds built from options.</summary>
    public static ModelKind Parse(string name) => NamedEnum.TryParse<ModelKind>(name, out var kind)
        ? kind
        : throw new BottleneckException($"unknown model kind '{name}'; choose one of {string.Join(", ", Names)}");

    /// <summary>True for the kinds that read each item as a sequence of steps (windows of a time series).</summary>
    public static bool IsSequence(ModelKind kind) => kind is Lstm or Gru or Attention;

    /// <summary>True for the kinds whose encoder gives a distribution (μ, log σ²) rather than a code.</summary>
    public static bool IsVariational(ModelKind kind) => kind is Vae or BetaVae or InfoVae or FactorVae or TcVae;

    /// <summary>
    /// The configuration a kind starts from on MNIST-like data; every field may still be changed.
    /// Vanilla is the PyTorch tutorial's model; deep is the Keras tutorial's 256-128-32 with MSE;
    /// the others keep the tutorial's 784-400-20 so their effect can be compared with it.
    /// </summary>
    public static AutoencoderConfig Defaults(ModelKind kind) => kind switch
    {
        Vanilla or Denoising or Contractive or Vae or Aae => new AutoencoderConfig { Kind = kind },
        Deep => new AutoencoderConfig { Kind = kind, Hidden = [256, 128], Latent = 32, Loss = LossKind.Mse },
        Conv => new AutoencoderConfig { Kind = kind, Hidden = [], Channels = [16, 32] },
        Sparse => new AutoencoderConfig { Kind = kind, Latent = 32, LatentActivation = Layers.ActivationKind.Relu, SparsityWeight = 0.1 },
        BetaVae => new AutoencoderConfig { Kind = kind, Beta = 4 },
        InfoVae => new AutoencoderConfig { Kind = kind, MmdWeight = 100 },
        // The weights the papers use on dSprites: γ = 35 for FactorVAE (Kim and Mnih's best), β = 6 for β-TCVAE.
        FactorVae => new AutoencoderConfig { Kind = kind, TcWeight = 35 },
        TcVae => new AutoencoderConfig { Kind = kind, TcWeight = 6 },
        // Windows of a standardised series: a linear output and MSE, as for tables.
        Lstm or Gru => new AutoencoderConfig { Kind = kind, Hidden = [64], Latent = 16, OutputActivation = Layers.ActivationKind.None, Loss = LossKind.Mse, InputShape = null },
        Attention => new AutoencoderConfig { Kind = kind, Hidden = [32], Latent = 16, OutputActivation = Layers.ActivationKind.None, Loss = LossKind.Mse, InputShape = null },
        _ => throw new BottleneckException($"{kind.Name()} models are not built from options; choose one of {string.Join(", ", Names)}"),
    };

    /// <summary>A line per kind for --help.</summary>
    public static string Describe(ModelKind kind) => kind switch
    {
        Vanilla => "the tutorial model: 784-400-20, ReLU, sigmoid output, BCE",
        Deep => "any stack of dense layers (default 256-128-32, MSE)",
        Conv => "strided convolutions 1→16→32 and a dense code; transposed convolutions back",
        Denoising => "trained to undo corruption (gaussian, mask, salt-and-pepper) of its inputs",
        Sparse => "L1 activity or KL sparsity penalty on the code",
        Contractive => "penalty λ‖J‖²_F on the encoder's Jacobian",
        Vae => "variational: μ and log σ², reparameterised sample, BCE + KL",
        BetaVae => "VAE with the KL weighted by β (default 4)",
        InfoVae => "VAE plus λ·MMD between the batch's codes and N(0, I) (InfoVAE; --mmd-weight, default 100)",
        FactorVae => "VAE plus γ·TC, the codes' total correlation estimated by a discriminator on shuffled codes (FactorVAE; --tc-weight, default 35)",
        TcVae => "VAE with the KL's total-correlation part weighted by β (β-TCVAE, minibatch-weighted sampling; --tc-weight, default 6)",
        Aae => "adversarial: a discriminator on the code pushes it towards a prior (--prior gaussian|mixture|uniform|categorical, the last a cluster head for clustering)",
        Lstm => "windows of a time series: an LSTM encoder to a code, an LSTM decoder unrolled from it (--window)",
        Gru => "as lstm with GRU cells",
        Seq2Seq => "text, one sequence (word) per line: a GRU encoder of the characters to a code, a GRU decoder that writes them back",
        Attention => "windows of a time series: transformer encoder layers (self-attention) on each side of a dense code (--window)",
        Custom => "the user's own encoder and decoder layers (built with the library)",
        _ => kind.Name(),
    };
}
