using Bottleneck.Layers;
using Bottleneck.Optimizers;
using Bottleneck.Tensors;

namespace Bottleneck.Models;

/// <summary>
/// The adversarial autoencoder's middle (Makhzani et al. 2015): a discriminator D on codes learns
/// to tell draws of the prior (label 1) from the encoder's codes (label 0), and the encoder is
/// pushed to fool it, which makes the codes' distribution match the prior. Each training step:
/// (1) one Adam step of D on a batch of prior draws and the batch's codes, with binary
/// cross-entropy on D's logits; (2) the generator penalty λ·Σ softplus(−D(z)), the cross-entropy
/// of the codes labelled as prior, joins the reconstruction loss, its gradient flowing through D
/// (unchanged by it) into the encoder. Outside training the code passes through untouched, but
/// for a categorical prior (clustering) the first K values of the encoder's output always go
/// through a softmax, the cluster head, and as in the paper it has an adversary of its own that
/// pushes it towards the prior's one-hot draws, while a second one pushes the style values after
/// it towards N(0, I). With labels (a mixture prior, Makhzani et al.'s Figure 6) each item's code
/// is pushed towards the component of its class: D reads the code with the one-hot label appended,
/// and its prior draws come from the component of the same label.
/// </summary>
/// <remarks>
/// By default the phases share the autoencoder's step, a common form of AAE training. In phases
/// (the paper's schedule) the step's reconstruction gradient alone updates the autoencoder, and
/// then, after that update, D takes its step on fresh codes of the batch and the encoder alone
/// takes one as generator on the generator loss, with an Adam of its own (lr 1e-3, β₁ 0.5): its
/// gradient is then not weighed against the reconstruction's. D (<see cref="CodeDiscriminator"/>)
/// uses Adam(lr 2e-4, β₁ 0.5), GAN practice. Neither D nor the generator's Adam is saved.
/// </remarks>
public sealed class AdversarialPrior : CodeRegularizer
{
    private const double DiscriminatorRate = 2e-4, DiscriminatorBeta1 = 0.5, GeneratorRate = 1e-3, GeneratorBeta1 = 0.5;
    private readonly double weight;
    private readonly CodeDiscriminator discriminator;
    // A categorical prior's second adversary, on the style values (null without any).
    private readonly CodeDiscriminator? styleDiscriminator;
    private readonly Func<float, (double, double)> generatorTerm;
    private readonly int head;
    // With a label-conditioned prior: the classes (one-hot values appended to D's input) and the batch's labels.
    private readonly int classes;
    private int[] labels = [];
    private int labelCount;
    // In phases: the encoder, trained as generator with its own optimizer after each step.
    private readonly Sequential? encoder;
    private readonly Adam? generatorOptimizer;
    private readonly Parameter[] encoderParameters = [];
    private readonly EngineOptions engine;
    private Tensor? zeroGrad;
    private Tensor? both, codeGrad, gradEncoded, headCode, draws, part, partCodes, gradHead, labelled;

    /// <param name="conditioned">Push each code towards the mixture component of its item's label (needs <see cref="SetLabels"/> before every training forward).</param>
    /// <param name="engine">The engine settings of the discriminators; <see cref="EngineOptions.Default"/> when null.</param>
    /// <param name="phases">The encoder, to train in phases (see the remarks); null shares the autoencoder's step.</param>
    public AdversarialPrior(LatentPrior prior, double weight, Rng init, EngineOptions? engine = null, bool conditioned = false, Sequential? phases = null)
    {
        this.engine = engine ?? EngineOptions.Default;
        encoder = phases;
        if (phases is not null)
        {
            encoderParameters = phases.Parameters.ToArray();
            generatorOptimizer = new Adam(encoderParameters, GeneratorRate, GeneratorBeta1, engine: this.engine);
        }
        if (conditioned && prior.Kind != PriorKind.Mixture)
            throw new BottleneckException($"labels choose a mixture prior's component; a {prior.Kind.Name()} prior has none");
        Prior = prior;
        this.weight = weight;
        head = prior.ClusterHead;
        classes = conditioned ? prior.Components : 0;
        discriminator = new CodeDiscriminator((head > 0 ? head : prior.Latent) + classes, init, DiscriminatorRate, DiscriminatorBeta1, engine: engine);
        if (head > 0 && prior.Latent > head) styleDiscriminator = new CodeDiscriminator(prior.Latent - head, init, DiscriminatorRate, DiscriminatorBeta1, engine: engine);
        // λ·softplus(−s), the cross-entropy of a code labelled as prior; its slope is λ·(σ(s) − 1).
        generatorTerm = s => (CodeDiscriminator.CrossEntropy(s, 1), weight * (CodeDiscriminator.Sigmoid(s) - 1));
    }

    public LatentPrior Prior { get; }

    /// <summary>D: codes [N, latent] (for a categorical prior, the cluster head [N, K]) to logits [N, 1], high for the prior.</summary>
    public Sequential Discriminator => discriminator.Network;

    /// <summary>The discriminator's loss (binary cross-entropy summed over prior draws and codes) at its last step.</summary>
    public double DiscriminatorLoss => discriminator.Loss;

    public override string PenaltyName => "adversarial";

    public override bool NeedsLabels => classes > 0;

    public override void SetLabels(ReadOnlySpan<int> batchLabels)
    {
        if (classes == 0) return;
        foreach (int label in batchLabels)
            if ((uint)label >= (uint)classes)
                throw new BottleneckException($"label {label} has no component in a prior of {classes}: give --prior-components of at least the number of classes");
        if (labels.Length < batchLabels.Length) labels = new int[batchLabels.Length];
        batchLabels.CopyTo(labels);
        labelCount = batchLabels.Length;
    }

    public override Tensor Forward(Tensor encoded, Tensor input, Rng? sampler, bool training)
    {
        var code = Code(encoded);
        // In phases the adversaries wait for AfterStep, when the reconstruction step is done.
        if (!training || sampler is null || encoder is not null)
        {
            Penalty = 0;
            codeGrad = null;
            return code;
        }
        TrainDiscriminator(code, sampler);
        Penalty = GeneratorPenalty(code);
        labelCount = 0; // Each batch brings its own labels.
        return code;
    }

    /// <summary>The generator's loss λ·Σ softplus(−D(z)) at the last step in phases.</summary>
    public double GeneratorLoss { get; private set; }

    public override void AfterStep(Tensor input, Rng sampler)
    {
        if (encoder is null) return;
        var code = Code(encoder.Forward(input, training: true));
        TrainDiscriminator(code, sampler);
        GeneratorLoss = GeneratorPenalty(code);
        labelCount = 0;
        if (!double.IsFinite(GeneratorLoss))
            throw new BottleneckException($"training diverged: the generator's adversarial loss became {GeneratorLoss}; try a lower --lr");
        // The generator loss alone: no reconstruction gradient reaches the code in this phase.
        Tensor.Ensure(ref zeroGrad, code.Rows, code.RowLength);
        zeroGrad!.Span.Clear();
        encoder.Backward(Backward(zeroGrad), needInputGrad: false);
        foreach (var p in encoderParameters)
            if (!p.Grad.AllFinite(engine))
                throw new BottleneckException("training diverged: the encoder's gradient as generator holds NaN or infinity; try a lower --lr");
        generatorOptimizer!.Update();
    }

    public override Tensor Backward(Tensor gradCode)
    {
        if (head == 0) return codeGrad is null ? gradCode : WithPenaltyGradient(ref gradEncoded, gradCode, codeGrad);
        // The cluster head's softmax needs a gradient even outside training (no adversary then).
        if (codeGrad is null)
        {
            Tensor.Ensure(ref gradEncoded, gradCode.Rows, gradCode.RowLength);
            gradCode.Span.CopyTo(gradEncoded!.Span);
        }
        else WithPenaltyGradient(ref gradEncoded, gradCode, codeGrad);
        var g = gradEncoded!.Span;
        // Through the softmax: dL/dlogit_k = y_k·(dL/dy_k − Σ_j y_j·dL/dy_j).
        int l = Prior.Latent;
        var y = headCode!.Span;
        for (int r = 0; r < gradCode.Rows; r++)
        {
            var gr = g.Slice(r * l, head);
            var yr = y.Slice(r * l, head);
            float dot = System.Numerics.Tensors.TensorPrimitives.Dot(gr, yr);
            for (int k = 0; k < head; k++) gr[k] = yr[k] * (gr[k] - dot);
        }
        return gradEncoded;
    }

    /// <summary>The code the decoder reads: the encoder's output, its cluster head through a softmax for a categorical prior.</summary>
    internal Tensor Code(Tensor encoded) => head > 0 ? ClusterHead(encoded) : encoded;

    /// <summary>The code with its first <see cref="LatentPrior.ClusterHead"/> values replaced by their softmax, the cluster probabilities.</summary>
    private Tensor ClusterHead(Tensor encoded)
    {
        int n = encoded.Rows, l = Prior.Latent;
        Tensor.Ensure(ref headCode, n, l);
        var y = headCode!.Span;
        encoded.Span.CopyTo(y);
        for (int r = 0; r < n; r++)
        {
            var row = y.Slice(r * l, head);
            // Less the largest first: D pushes the head towards one-hot, which drives its logits
            // apart without bound, and e^x overflows beyond 88.
            float max = System.Numerics.Tensors.TensorPrimitives.Max(row);
            System.Numerics.Tensors.TensorPrimitives.Subtract(row, max, row);
            System.Numerics.Tensors.TensorPrimitives.SoftMax(row, row);
        }
        return headCode;
    }

    /// <summary>One Adam step of D on as many prior draws as <paramref name="codes"/> has rows (label 1) and the codes themselves (label 0).</summary>
    internal void TrainDiscriminator(Tensor codes, Rng sampler)
    {
        int n = codes.Rows, l = Prior.Latent;
        if (classes > 0)
        {
            RequireLabels(n);
            Tensor.Ensure(ref both, 2 * n, l + classes);
            for (int r = 0; r < n; r++)
            {
                Prior.SampleComponent(both!.Row(r)[..l], labels[r], sampler);
                OneHot(both.Row(r)[l..], labels[r]);
                WithLabel(codes.Row(r), labels[r], both.Row(n + r));
            }
            discriminator.Train(both!, n);
            return;
        }
        if (head == 0)
        {
            Tensor.Ensure(ref both, 2 * n, l);
            Prior.Sample(both!.Span[..(n * l)], sampler);
            codes.Span.CopyTo(both.Span[(n * l)..]);
            discriminator.Train(both, n);
            return;
        }
        Tensor.Ensure(ref draws, n, l);
        Prior.Sample(draws!.Span, sampler);
        discriminator.Train(Columns(draws, codes, 0, head), n);
        styleDiscriminator?.Train(Columns(draws, codes, head, l - head), n);
    }

    /// <summary>Columns [start, start + width) of the prior draws over the same columns of the codes, for one adversary.</summary>
    private Tensor Columns(Tensor priorDraws, Tensor codes, int start, int width)
    {
        int n = codes.Rows, l = Prior.Latent;
        Tensor.Ensure(ref part, 2 * n, width);
        var target = part!.Span;
        for (int r = 0; r < n; r++)
        {
            priorDraws.Span.Slice(r * l + start, width).CopyTo(target.Slice(r * width, width));
            codes.Span.Slice(r * l + start, width).CopyTo(target.Slice((n + r) * width, width));
        }
        return part;
    }

    /// <summary>λ·Σ softplus(−D(z)) over the rows of <paramref name="codes"/>, keeping its gradient for <see cref="Backward"/>.</summary>
    internal double GeneratorPenalty(Tensor codes)
    {
        if (classes > 0)
        {
            int width = Prior.Latent + classes;
            RequireLabels(codes.Rows);
            Tensor.Ensure(ref labelled, codes.Rows, width);
            for (int r = 0; r < codes.Rows; r++) WithLabel(codes.Row(r), labels[r], labelled!.Row(r));
            var (labelledPenalty, grad) = discriminator.Penalty(labelled!, generatorTerm);
            // The label is no input of the encoder: only the code's columns of D's input gradient flow back.
            Tensor.Ensure(ref gradHead, codes.Rows, Prior.Latent);
            for (int r = 0; r < codes.Rows; r++) grad.Row(r)[..Prior.Latent].CopyTo(gradHead!.Row(r));
            codeGrad = gradHead;
            return weight * labelledPenalty;
        }
        if (head == 0)
        {
            (double penalty, codeGrad) = discriminator.Penalty(codes, generatorTerm);
            return weight * penalty;
        }
        int n = codes.Rows, l = Prior.Latent;
        Tensor.Ensure(ref gradHead, n, l);
        double total = PartPenalty(discriminator, codes, 0, head);
        if (styleDiscriminator is not null) total += PartPenalty(styleDiscriminator, codes, head, l - head);
        codeGrad = gradHead;
        return weight * total;
    }

    /// <summary>One adversary's generator penalty on columns [start, start + width) of the codes, its gradient written into those columns of the code gradient.</summary>
    private double PartPenalty(CodeDiscriminator adversary, Tensor codes, int start, int width)
    {
        int n = codes.Rows, l = Prior.Latent;
        Tensor.Ensure(ref partCodes, n, width);
        for (int r = 0; r < n; r++) codes.Span.Slice(r * l + start, width).CopyTo(partCodes!.Row(r));
        var (penalty, grad) = adversary.Penalty(partCodes!, generatorTerm);
        for (int r = 0; r < n; r++) grad.Row(r).CopyTo(gradHead!.Span.Slice(r * l + start, width));
        return penalty;
    }

    /// <summary>A code followed by the one-hot of its label, D's input under a label-conditioned prior.</summary>
    private void WithLabel(ReadOnlySpan<float> code, int label, Span<float> target)
    {
        code.CopyTo(target);
        OneHot(target[code.Length..], label);
    }

    private static void OneHot(Span<float> target, int label)
    {
        target.Clear();
        target[label] = 1;
    }

    private void RequireLabels(int rows)
    {
        if (labelCount != rows)
            throw new InvalidOperationException($"a label-conditioned prior needs the batch's {rows} labels (SetLabels) before its forward pass, got {labelCount}");
    }
}
