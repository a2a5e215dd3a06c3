namespace Bottleneck.Models;

/// <summary>The model kinds Bottleneck builds, with the defaults each starts from.</summary>
public static class ModelKinds
{
    public const string Vanilla = "vanilla";
    public const string Deep = "deep";
    public const string Conv = "conv";
    public const string Denoising = "denoising";
    public const string Sparse = "sparse";
    public const string Contractive = "contractive";
    public const string Vae = "vae";
    public const string BetaVae = "beta-vae";
    public const string FactorVae = "factor-vae";
    public const string TcVae = "tc-vae";
    public const string Aae = "aae";
    public const string InfoVae = "info-vae";
    public const string Lstm = "lstm";
    public const string Gru = "gru";
    public const string Attention = "attention";

    /// <summary>Text: a character-level sequence-to-sequence model of one sequence per line (<see cref="Seq2SeqAutoencoder"/>), outside <see cref="Names"/>, the kinds of <see cref="Autoencoder"/>.</summary>
    public const string Seq2Seq = "seq2seq";

    /// <summary>
    /// A model of the user's own layers (<see cref="Autoencoder.FromLayers"/>), outside
    /// <see cref="Names"/>: it is built in code, not from training options, and saved with its
    /// layers described in model.json.
    /// </summary>
    public const string Custom = "custom";

    public static readonly string[] Names = [Vanilla, Deep, Conv, Denoising, Sparse, Contractive, Vae, BetaVae, InfoVae, FactorVae, TcVae, Aae, Lstm, Gru, Attention];

    /// <summary>True for the kinds that read each item as a sequence of steps (windows of a time series).</summary>
    public static bool IsSequence(string kind) => kind is Lstm or Gru or Attention;

    /// <summary>True for the kinds whose encoder gives a distribution (μ, log σ²) rather than a code.</summary>
    public static bool IsVariational(string kind) => kind is Vae or BetaVae or InfoVae or FactorVae or TcVae;

    /// <summary>
    /// The configuration a kind starts from on MNIST-like data; every field may still be changed.
    /// Vanilla is the PyTorch tutorial's model; deep is the Keras tutorial's 256-128-32 with MSE;
    /// the others keep the tutorial's 784-400-20 so their effect can be compared with it.
    /// </summary>
    public static AutoencoderConfig Defaults(string kind) => kind switch
    {
        Vanilla or Denoising or Contractive or Vae or Aae => new AutoencoderConfig { Kind = kind },
        Deep => new AutoencoderConfig { Kind = kind, Hidden = [256, 128], Latent = 32, Loss = "mse" },
        Conv => new AutoencoderConfig { Kind = kind, Hidden = [], Channels = [16, 32] },
        Sparse => new AutoencoderConfig { Kind = kind, Latent = 32, LatentActivation = "relu", SparsityWeight = 0.1 },
        BetaVae => new AutoencoderConfig { Kind = kind, Beta = 4 },
        InfoVae => new AutoencoderConfig { Kind = kind, MmdWeight = 100 },
        // The weights the papers use on dSprites: γ = 35 for FactorVAE (Kim and Mnih's best), β = 6 for β-TCVAE.
        FactorVae => new AutoencoderConfig { Kind = kind, TcWeight = 35 },
        TcVae => new AutoencoderConfig { Kind = kind, TcWeight = 6 },
        // Windows of a standardised series: a linear output and MSE, as for tables.
        Lstm or Gru => new AutoencoderConfig { Kind = kind, Hidden = [64], Latent = 16, OutputActivation = "none", Loss = "mse", InputShape = null },
        Attention => new AutoencoderConfig { Kind = kind, Hidden = [32], Latent = 16, OutputActivation = "none", Loss = "mse", InputShape = null },
        _ => throw new BottleneckException($"unknown model kind '{kind}'; choose one of {string.Join(", ", Names)}"),
    };

    /// <summary>A line per kind for --help.</summary>
    public static string Describe(string kind) => kind switch
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
        _ => kind,
    };
}
