using Bottleneck.Layers;
using Bottleneck.Tensors;

namespace Bottleneck.Models;

/// <summary>
/// What sits between encoder and decoder: it turns the encoder's output into the code the decoder
/// reads and adds a penalty to the loss (sparsity, contraction, a VAE's KL divergence). Plain
/// kinds pass the code through untouched. Like a layer it owns its buffers and keeps what its
/// backward pass needs from the last forward.
/// </summary>
public abstract class CodeRegularizer
{
    /// <summary>The penalty of the last forward, summed over the batch (the loss is summed the same way).</summary>
    public double Penalty { get; protected set; }

    /// <summary>Name of the penalty in metrics ("kl", "l1", ...); empty when there is none.</summary>
    public abstract string PenaltyName { get; }

    /// <summary>Width of the encoder's output for a code of <paramref name="latent"/> values.</summary>
    public virtual int EncodedSize(int latent) => latent;

    /// <summary>
    /// The code for the decoder. <paramref name="sampler"/> draws a VAE's noise; null gives the
    /// deterministic code (μ). <paramref name="input"/> is the encoder's input.
    /// </summary>
    public abstract Tensor Forward(Tensor encoded, Tensor input, Rng? sampler, bool training);

    /// <summary>dL/d(encoded) from dL/d(code), including the penalty's own gradient.</summary>
    public abstract Tensor Backward(Tensor gradCode);

    /// <summary>Told the training set's size before a fit (an estimator over the whole data set needs it).</summary>
    public virtual void Prepare(int trainingItems)
    {
    }

    /// <summary>Whether training needs each item's class label (a label-conditioned prior); see <see cref="SetLabels"/>.</summary>
    public virtual bool NeedsLabels => false;

    /// <summary>The class labels of the next training batch's items, one per row, before its forward pass.</summary>
    public virtual void SetLabels(ReadOnlySpan<int> labels)
    {
    }

    /// <summary>
    /// A phase of the training step after the optimizer's update, for a regulariser that trains
    /// the encoder on its own terms (an AAE in phases); <paramref name="input"/> is the batch.
    /// </summary>
    public virtual void AfterStep(Tensor input, Rng sampler)
    {
    }

    /// <summary>Adds the penalty's gradient with respect to encoder weights (after the encoder's backward).</summary>
    public virtual void AddParameterGradients()
    {
    }

    /// <summary>
    /// dL/d(code) plus the penalty's own gradient at the code (an adversary's or the MMD's), in
    /// <paramref name="buffer"/>, made on first use and reused: the step of every kind whose
    /// penalty is a function of the code.
    /// </summary>
    protected static Tensor WithPenaltyGradient(ref Tensor? buffer, Tensor gradCode, Tensor penaltyGrad)
    {
        Tensor.Ensure(ref buffer, gradCode.Rows, gradCode.RowLength);
        System.Numerics.Tensors.TensorPrimitives.Add(gradCode.Span, penaltyGrad.Span, buffer!.Span);
        return buffer;
    }

    /// <summary>The regulariser the configuration asks for, wired to <paramref name="encoder"/> where it must see inside it.</summary>
    /// <remarks><paramref name="init"/> draws the initial weights of a regulariser that has its own (the AAE's and FactorVAE's discriminators), which compute with the encoder's <see cref="Layer.Engine"/>.</remarks>
    public static CodeRegularizer Create(AutoencoderConfig config, Sequential encoder, Rng init) => config.Kind switch
    {
        ModelKind.Sparse when config.Sparsity == SparsityKind.Kl => new KlSparsityPenalty(config.SparsityTarget, config.SparsityWeight),
        ModelKind.Sparse => new L1ActivityPenalty(config.SparsityWeight),
        ModelKind.Contractive => new ContractivePenalty(encoder, config.ContractiveWeight),
        ModelKind.Vae or ModelKind.BetaVae => new Reparameterization(config.Latent, config.Beta),
        ModelKind.InfoVae => new MmdReparameterization(config.Latent, config.Beta, config.MmdWeight),
        ModelKind.FactorVae => new FactorVaeReparameterization(config.Latent, config.TcWeight, init, encoder.Engine),
        ModelKind.TcVae => new TotalCorrelationReparameterization(config.Latent, config.TcWeight),
        ModelKind.Aae => new AdversarialPrior(new LatentPrior(config.Prior, config.Latent, config.PriorComponents), config.AdversarialWeight, init, encoder.Engine, config.PriorLabels,
            config.AdversarialPhases ? encoder : null),
        _ => new NoPenalty(),
    };
}

/// <summary>The code is the encoder's output; nothing is added to the loss.</summary>
public sealed class NoPenalty : CodeRegularizer
{
    public override string PenaltyName => "";

    public override Tensor Forward(Tensor encoded, Tensor input, Rng? sampler, bool training) => encoded;

    public override Tensor Backward(Tensor gradCode) => gradCode;
}
