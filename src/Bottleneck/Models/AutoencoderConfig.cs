using System.Text.Json.Serialization;
using Bottleneck.Layers;
using Bottleneck.Losses;

namespace Bottleneck.Models;

/// <summary>
/// The architecture and objective of an autoencoder. The defaults are the classic tutorial model:
/// 784-400-20 with ReLU hidden layers, a linear code and a sigmoid output, trained with BCE.
/// The kind decides the shape of the network (dense or convolutional) and what is added to the
/// reconstruction loss (nothing, a sparsity or contractive penalty, or a VAE's KL divergence).
/// </summary>
public sealed record AutoencoderConfig
{
    /// <summary>Model kind: one of <see cref="ModelKinds.Builtin"/>, or <see cref="ModelKind.Custom"/> for a model of the user's layers.</summary>
    public ModelKind Kind { get; init; } = ModelKind.Vanilla;

    /// <summary>Values per input item (784 for MNIST).</summary>
    public int InputSize { get; init; } = 784;

    /// <summary>Shape of one item as channels, height, width, when the items are images; needed by conv models.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] // written when null too: a table's model has no shape, and reading must not give it MNIST's
    public int[]? InputShape { get; init; } = [1, 28, 28];

    /// <summary>Dense hidden layer widths from the input towards the code; the decoder mirrors them.</summary>
    public int[] Hidden { get; init; } = [400];

    /// <summary>Size of the code (the bottleneck).</summary>
    public int Latent { get; init; } = 20;

    /// <summary>Activation after each hidden layer: one for all of them, or one per hidden layer, input side first.</summary>
    public ActivationKind[] Activation { get; init; } = [ActivationKind.Relu];

    /// <summary>Activation on the code; none gives the tutorial's linear code.</summary>
    public ActivationKind LatentActivation { get; init; } = ActivationKind.None;

    /// <summary>Activation on the reconstruction; sigmoid suits data in [0, 1].</summary>
    public ActivationKind OutputActivation { get; init; } = ActivationKind.Sigmoid;

    /// <summary>Reconstruction loss, summed over the values of an item.</summary>
    public LossKind Loss { get; init; } = LossKind.Bce;

    /// <summary>Conv models: channels of each strided convolution, input side first (the decoder mirrors them).</summary>
    public int[] Channels { get; init; } = [16, 32];

    /// <summary>Conv models: square kernel size of every convolution (stride 2, "same"-style padding).</summary>
    public int Kernel { get; init; } = 3;

    /// <summary>Batch normalisation after every hidden dense layer (and convolution), before its activation.</summary>
    public bool BatchNorm { get; init; }

    /// <summary>
    /// AAE: batch normalisation (with its scale and shift) of the encoder's output, the code, so
    /// that a clustering head's logits keep a spread the softmax does not saturate at (dense
    /// encoders with a linear code).
    /// </summary>
    public bool CodeBatchNorm { get; init; }

    /// <summary>Dropout probability after every hidden activation (0: none).</summary>
    public double Dropout { get; init; }

    /// <summary>Denoising: the corruption applied to training inputs (gaussian, mask or salt-and-pepper).</summary>
    public NoiseKind Noise { get; init; } = NoiseKind.Gaussian;

    /// <summary>Denoising: the gaussian noise's standard deviation, or the fraction of values masked or salted.</summary>
    public double NoiseLevel { get; init; } = 0.5;

    /// <summary>Sparse: an L1 activity penalty on the code, or KL (each code unit's mean activation pulled toward <see cref="SparsityTarget"/>).</summary>
    public SparsityKind Sparsity { get; init; } = SparsityKind.L1;

    /// <summary>Sparse: weight of the penalty (λ for L1, β for KL).</summary>
    public double SparsityWeight { get; init; } = 1e-2;

    /// <summary>Sparse with KL: the target mean activation ρ of every code unit.</summary>
    public double SparsityTarget { get; init; } = 0.05;

    /// <summary>Contractive: weight λ of the squared Frobenius norm of the encoder's Jacobian.</summary>
    public double ContractiveWeight { get; init; } = 1;

    /// <summary>VAE: weight β of the KL divergence (1 for a plain VAE).</summary>
    public double Beta { get; init; } = 1;

    /// <summary>InfoVAE: weight λ of N·MMD² between a batch's sampled codes and N(0, I).</summary>
    public double MmdWeight { get; init; } = 100;

    /// <summary>FactorVAE: weight γ of the discriminator's total-correlation estimate; β-TCVAE: weight β of the total-correlation part of the KL.</summary>
    public double TcWeight { get; init; } = 6;

    /// <summary>AAE: the prior the codes are pushed towards.</summary>
    public PriorKind Prior { get; init; } = PriorKind.Gaussian;

    /// <summary>AAE with a mixture prior: its number of components.</summary>
    public int PriorComponents { get; init; } = 10;

    /// <summary>
    /// AAE with a mixture prior: push each training item's code towards the component of its class
    /// label (Makhzani et al.'s label-conditioned prior), so that the classes fall into their own
    /// components; training then needs labelled data.
    /// </summary>
    public bool PriorLabels { get; init; }

    /// <summary>
    /// AAE: train in Makhzani et al.'s phases rather than in one step: the reconstruction step,
    /// then the discriminators, then the encoder alone as generator with an Adam of its own
    /// (lr 1e-3, β₁ 0.5). Adam's steps do not depend on a gradient's scale, so the adversarial
    /// weight has no effect then.
    /// </summary>
    public bool AdversarialPhases { get; init; }

    /// <summary>AAE: weight λ of the generator's adversarial penalty.</summary>
    public double AdversarialWeight { get; init; } = 1;

    /// <summary>
    /// Sequence kinds: steps per item (the window length); each item is <see cref="InputSize"/> /
    /// <see cref="Steps"/> variables per step, laid out step after step. 0 for the other kinds.
    /// </summary>
    public int Steps { get; init; }

    /// <summary>Attention: heads of every self-attention layer (they split <see cref="Hidden"/>[0], the model width).</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Custom models: the encoder's layers, input side first (null for the built-in kinds).</summary>
    public IReadOnlyList<LayerSpec>? EncoderLayers { get; init; }

    /// <summary>Custom models: the decoder's layers, code side first.</summary>
    public IReadOnlyList<LayerSpec>? DecoderLayers { get; init; }

    /// <summary>Sequence kinds: the variables per step.</summary>
    [JsonIgnore]
    public int StepFeatures => Steps > 0 ? InputSize / Steps : InputSize;

    /// <summary>Whether the kind is built from convolutions.</summary>
    [JsonIgnore]
    public bool IsConvolutional => Kind == ModelKind.Conv;

    /// <summary>One activation per hidden layer.</summary>
    public ActivationKind[] HiddenActivations()
    {
        if (Activation is null || Activation.Length == 0) throw new BottleneckException("no hidden activation given; give one, or one per hidden layer");
        if (Activation.Length == 1) return Enumerable.Repeat(Activation[0], Hidden.Length).ToArray();
        if (Activation.Length != Hidden.Length)
            throw new BottleneckException($"{Activation.Length} activations given for {Hidden.Length} hidden layers; give one, or one per layer");
        return Activation;
    }

    /// <summary>Checks every field and throws a <see cref="BottleneckException"/> naming the first bad one.</summary>
    public void Validate()
    {
        bool custom = Kind == ModelKind.Custom;
        if (!custom && (EncoderLayers is not null || DecoderLayers is not null))
            throw new BottleneckException($"layer lists describe a {ModelKind.Custom.Name()} model, not a {Kind.Name()} one");
        if (!custom && !ModelKinds.Builtin.Contains(Kind))
            throw new BottleneckException($"{Kind.Name()} is not a kind of autoencoder built from options; choose one of {string.Join(", ", ModelKinds.Names)}");
        if (PriorLabels && Kind != ModelKind.Aae)
            throw new BottleneckException($"a label-conditioned prior belongs to an {ModelKind.Aae.Name()} model, not a {Kind.Name()} one");
        if (AdversarialPhases && Kind != ModelKind.Aae)
            throw new BottleneckException($"adversarial phases belong to an {ModelKind.Aae.Name()} model, not a {Kind.Name()} one");
        if (CodeBatchNorm && (Kind != ModelKind.Aae || LatentActivation != ActivationKind.None))
            throw new BottleneckException($"batch normalisation of the code applies to an {ModelKind.Aae.Name()} model with a linear code, not to {Kind.Name()} with latent activation {LatentActivation.Name()}");
        if (InputSize < 1) throw new BottleneckException($"input size must be positive, got {InputSize}");
        if (Latent < 1) throw new BottleneckException($"latent size must be positive, got {Latent}");
        if (InputShape is not null && InputShape.Aggregate(1L, (a, b) => a * b) != InputSize)
            throw new BottleneckException($"input shape [{string.Join(",", InputShape)}] does not hold {InputSize} values");
        if (custom)
        {
            // The user's layers say everything else: only their sizes are left to check.
            _ = Losses.Loss.Create(Loss);
            ValidateLayerLists();
            CheckSize();
            return;
        }
        if (Hidden is null || Hidden.Any(h => h < 1))
            throw new BottleneckException($"hidden layer sizes must be positive, got [{string.Join(",", Hidden ?? [])}]");
        foreach (var kind in HiddenActivations().Append(LatentActivation).Append(OutputActivation))
            NamedEnum.Defined(kind);
        _ = Losses.Loss.Create(Loss);
        if (!(Dropout >= 0 && Dropout < 1)) throw new BottleneckException($"dropout must be in [0, 1), got {Dropout}");
        if (IsConvolutional)
        {
            if (InputShape is not [_, _, _])
                throw new BottleneckException("a conv model needs image input with a channels, height, width shape");
            if (Channels is null || Channels.Length == 0 || Channels.Any(c => c < 1))
                throw new BottleneckException($"conv channels must be positive, got [{string.Join(",", Channels ?? [])}]");
            if (Kernel < 2 || Kernel > 7) throw new BottleneckException($"conv kernel size must be 2 to 7, got {Kernel}");
        }
        if (ModelKinds.IsSequence(Kind))
        {
            if (Steps < 1) throw new BottleneckException($"a {Kind.Name()} model reads windows of a series: give the window length in steps (--window), got {Steps}");
            if (InputSize % Steps != 0) throw new BottleneckException($"an item of {InputSize} values does not split into {Steps} steps");
            if (Hidden.Length == 0) throw new BottleneckException($"a {Kind.Name()} model needs a hidden size (--hidden)");
            if (BatchNorm) throw new BottleneckException($"batch normalisation does not apply to a {Kind.Name()} model");
            if (Kind == ModelKind.Attention)
            {
                if (Hidden.Length != 1) throw new BottleneckException($"an attention model has one width, the model dimension (--hidden {Hidden[0]}), got [{string.Join(",", Hidden)}]");
                if (Heads < 1 || Hidden[0] % Heads != 0) throw new BottleneckException($"the model width {Hidden[0]} must split evenly into {Heads} heads");
            }
            else if (Dropout > 0) throw new BottleneckException($"dropout does not apply to a {Kind.Name()} model");
        }
        else if (Steps != 0) throw new BottleneckException($"steps per item apply to the sequence kinds ({ModelKind.Lstm.Name()}, {ModelKind.Gru.Name()}, {ModelKind.Attention.Name()}), not to {Kind.Name()}");
        CheckSize();
        switch (Kind)
        {
            case ModelKind.Denoising:
                NamedEnum.Defined(Noise);
                if (!(NoiseLevel > 0) || !double.IsFinite(NoiseLevel) || (Noise != NoiseKind.Gaussian && NoiseLevel >= 1))
                    throw new BottleneckException($"noise level must be positive (and below 1 for {Noise.Name()}), got {NoiseLevel}");
                break;
            case ModelKind.Sparse:
                NamedEnum.Defined(Sparsity);
                RequirePositive(SparsityWeight, "sparsity weight");
                if (!(SparsityTarget > 0 && SparsityTarget < 1)) throw new BottleneckException($"sparsity target must be in (0, 1), got {SparsityTarget}");
                if (Sparsity == SparsityKind.Kl && LatentActivation != ActivationKind.Sigmoid)
                    throw new BottleneckException("KL sparsity needs code activations in (0, 1): use latent activation sigmoid");
                break;
            case ModelKind.Contractive:
                RequirePositive(ContractiveWeight, "contractive weight");
                if (Hidden.Length != 1 || LatentActivation != ActivationKind.None || BatchNorm || Dropout > 0)
                    throw new BottleneckException("the contractive penalty is exact for a dense encoder with one hidden layer and a linear code (no batch norm or dropout); use one --hidden size");
                if (!ContractivePenalty.SupportsActivation(HiddenActivations()[0]))
                    throw new BottleneckException($"the contractive penalty supports hidden activations {string.Join(", ", ContractivePenalty.Activations.Select(NamedEnum.Name))}, got '{HiddenActivations()[0].Name()}'");
                break;
            case ModelKind.Aae:
                RequirePositive(AdversarialWeight, "adversarial weight");
                _ = new LatentPrior(Prior, Latent, PriorComponents);
                if (PriorLabels && Prior != PriorKind.Mixture)
                    throw new BottleneckException($"labels choose a component of a mixture prior: use --prior mixture with --prior-labels, not {Prior.Name()}");
                break;
            case ModelKind.Vae or ModelKind.BetaVae or ModelKind.InfoVae or ModelKind.FactorVae or ModelKind.TcVae:
                RequirePositive(Beta, "beta");
                if (Kind == ModelKind.InfoVae) RequirePositive(MmdWeight, "MMD weight");
                if (Kind is ModelKind.FactorVae or ModelKind.TcVae) RequirePositive(TcWeight, "TC weight");
                if (LatentActivation != ActivationKind.None) throw new BottleneckException("a VAE's encoder gives μ and log σ² directly: use latent activation none");
                break;
        }
    }

    /// <summary>A custom model's layer lists: both present, each size following on from the last, the code and output widths right.</summary>
    private void ValidateLayerLists()
    {
        int Walk(IReadOnlyList<LayerSpec>? layers, string side, int width)
        {
            if (layers is null || layers.Count == 0) throw new BottleneckException($"a {ModelKind.Custom.Name()} model needs {side} layers");
            for (int i = 0; i < layers.Count; i++) width = layers[i].OutputWidth(width, $"{side} layer {i}");
            return width;
        }
        int code = Walk(EncoderLayers, "encoder", InputSize);
        if (code != Latent) throw new BottleneckException($"the encoder ends in {code} values but the code has {Latent}");
        int output = Walk(DecoderLayers, "decoder", Latent);
        if (output != InputSize) throw new BottleneckException($"the decoder ends in {output} values but an item has {InputSize}");
    }

    private void CheckSize()
    {
        if (ModelSize.Check(this, Autoencoder.InferenceChunk, training: false) is { } tooLarge)
            throw new BottleneckException($"the model is too large: {tooLarge.Message}");
    }

    private static void RequirePositive(double value, string what)
    {
        if (!(value > 0) || !double.IsFinite(value)) throw new BottleneckException($"{what} must be a positive number, got {value}");
    }
}
