using Bottleneck.Data;
using Bottleneck.Layers;
using Bottleneck.Losses;
using Bottleneck.Tensors;

namespace Bottleneck.Models;

/// <summary>
/// An autoencoder: an encoder to a code, a <see cref="CodeRegularizer"/> in the middle (a VAE's
/// sampling, a sparsity or contractive penalty, or nothing), and a decoder back. Encoder and
/// decoder are nn.Sequential-like stacks whose parameters carry PyTorch state_dict names
/// ("encoder.0.weight", ...).
/// </summary>
public sealed class Autoencoder : ITrainable
{
    // Inference over large inputs goes in chunks so memory stays bounded.
    /// <summary>Items per pass when inference runs over many (bounded buffers, enough rows for the GEMMs).</summary>
    internal const int InferenceChunk = 1024;
    // Distinct from the initialisation stream: dropout masks, VAE noise and input corruption.
    private const ulong SamplerStream = 0x9E3779B97F4A7C15UL;
    // The AAE discriminator's initial weights: a stream of their own, so the autoencoder's are those of the same seed without it.
    private const ulong DiscriminatorStream = 0xD1B54A32D192ED03UL;
    // Evaluation's own noise (VAE samples, corruption), fixed so every evaluation of the same weights agrees.
    private const ulong EvaluationSeed = 0xE7A1UL;
    private readonly Lock gate = new();
    private Tensor? corrupted;
    private Tensor? trainingOutput;

    /// <param name="engine">Threads, kernel and fusion for everything the model computes; <see cref="EngineOptions.Default"/> when null.</param>
    public Autoencoder(AutoencoderConfig config, ulong seed = 42, EngineOptions? engine = null)
        : this(config, seed, engine, null)
    {
    }

    private Autoencoder(AutoencoderConfig config, ulong seed, EngineOptions? engine, (Sequential Encoder, Sequential Decoder)? layers)
    {
        config.Validate();
        Config = config;
        Engine = engine ?? EngineOptions.Default;
        Sampler = new Rng(seed ^ SamplerStream);
        var init = new Rng(seed);
        int encodedSize = ModelKinds.IsVariational(config.Kind) ? 2 * config.Latent : config.Latent;
        (Encoder, Decoder) = layers ?? NetworkBuilder.Build(config, encodedSize, init, Sampler);
        Encoder.Engine = Decoder.Engine = Engine;
        Regularizer = CodeRegularizer.Create(config, Encoder, new Rng(seed ^ DiscriminatorStream));
        Corruption = config.Kind == ModelKind.Denoising ? new Corruption(config.Noise, config.NoiseLevel) : null;
        NamedParameters = Encoder.NamedParameters.Select(p => ("encoder." + p.Name, p.Parameter))
            .Concat(Decoder.NamedParameters.Select(p => ("decoder." + p.Name, p.Parameter))).ToArray();
        NamedBuffers = Encoder.NamedBuffers.Select(b => ("encoder." + b.Name, b.Value))
            .Concat(Decoder.NamedBuffers.Select(b => ("decoder." + b.Name, b.Value))).ToArray();
        Loss = Losses.Loss.Create(config.Loss, engine: Engine);
    }

    /// <summary>
    /// An autoencoder of the user's own layers, like a PyTorch module of two nn.Sequential: it
    /// trains with <c>Trainer.Fit</c>, saves and loads with <see cref="ModelFile"/>, exports to
    /// ONNX and scores anomalies like the built-in kinds. The layers keep the weights they were
    /// made with. The encoder maps <paramref name="inputSize"/> values to the code, the decoder
    /// the code back; a model file can hold Linear, BatchNorm1d, Dropout and the activations.
    /// </summary>
    /// <param name="inputShape">Channels, height and width when the items are images (for pictures and reports).</param>
    /// <param name="seed">Seeds the training-time noise (dropout layers the model rebuilds when it is loaded draw from it).</param>
    /// <param name="engine">Threads, kernel and fusion, handed to the layers as to a built-in kind's.</param>
    public static Autoencoder FromLayers(int inputSize, Sequential encoder, Sequential decoder, LossKind loss = LossKind.Mse,
        int[]? inputShape = null, ulong seed = 42, EngineOptions? engine = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(decoder);
        var encoderLayers = encoder.Layers.Select(LayerSpec.Of).ToArray();
        int latent = inputSize;
        for (int i = 0; i < encoderLayers.Length; i++) latent = encoderLayers[i].OutputWidth(latent, $"encoder layer {i}");
        var config = new AutoencoderConfig
        {
            Kind = ModelKind.Custom,
            InputSize = inputSize,
            InputShape = inputShape,
            Hidden = [],
            Latent = latent,
            LatentActivation = encoder.Layers is [.., Activation code] ? code.Kind : ActivationKind.None,
            OutputActivation = decoder.Layers is [.., Activation output] ? output.Kind : ActivationKind.None,
            Loss = loss,
            EncoderLayers = encoderLayers,
            DecoderLayers = decoder.Layers.Select(LayerSpec.Of).ToArray(),
        };
        return new Autoencoder(config, seed, engine, (encoder, decoder));
    }

    public AutoencoderConfig Config { get; }

    /// <summary>The engine settings its networks, loss and optimizer compute with.</summary>
    public EngineOptions Engine { get; }

    /// <summary>The distribution generation draws codes from: an AAE's prior, N(0, I) for a variational model, none for the others.</summary>
    public LatentPrior? Prior => Regularizer is AdversarialPrior adversarial ? adversarial.Prior
        : ModelKinds.IsVariational(Config.Kind) ? new LatentPrior(PriorKind.Gaussian, Config.Latent, 2) : null;

    public Sequential Encoder { get; }

    public Sequential Decoder { get; }

    /// <summary>What turns the encoder's output into the code, and the penalty it adds to the loss.</summary>
    public CodeRegularizer Regularizer { get; }

    /// <summary>The corruption of training inputs (denoising models); null for the other kinds.</summary>
    public Corruption? Corruption { get; }

    /// <summary>Random stream of training-time noise: dropout masks, VAE samples, input corruption. Checkpoints save it.</summary>
    internal Rng Sampler { get; }

    /// <summary>The reconstruction loss the model trains with.</summary>
    public Loss Loss { get; }

    /// <summary>Every parameter with its state_dict name, encoder first.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters { get; }

    /// <summary>State that is not trained by gradients (batch norm's running statistics), with state_dict names.</summary>
    public IReadOnlyList<(string Name, Tensor Value)> NamedBuffers { get; }

    public IEnumerable<Parameter> Parameters => NamedParameters.Select(p => p.Parameter);

    public int ParameterCount => NamedParameters.Sum(p => p.Parameter.Value.Length);

    /// <summary>
    /// Forward pass to the reconstruction (a layer-owned buffer). With a <paramref name="sampler"/>
    /// a VAE samples its code; without one it decodes μ. The regulariser's penalty is then in
    /// <see cref="CodeRegularizer.Penalty"/>.
    /// </summary>
    internal Tensor Forward(Tensor x, Rng? sampler, bool training)
    {
        var code = Regularizer.Forward(Encoder.Forward(x, training), x, sampler, training);
        return Decoder.Forward(code, training);
    }

    /// <summary>Training forward pass of the plain kinds; returns the layer-owned reconstruction buffer.</summary>
    internal Tensor Forward(Tensor x, bool training) => Forward(x, training ? Sampler : null, training);

    /// <summary>Backward pass from dL/d(reconstruction); writes every parameter's gradient.</summary>
    internal void Backward(Tensor gradReconstruction) => BackwardFromDecoderLayer(gradReconstruction, Decoder.Layers.Count);

    /// <summary>
    /// The loss's gradient for <paramref name="reconstruction"/> against <paramref name="target"/>
    /// (into <paramref name="gradBuffer"/>), then the backward pass. A sigmoid output under BCE
    /// takes the gradient with respect to its input straight from the loss, in one pass instead of
    /// the loss's and the sigmoid's (the same values, see BinaryCrossEntropy).
    /// </summary>
    internal void BackwardFromLoss(Tensor reconstruction, Tensor target, Tensor gradBuffer)
    {
        int last = Decoder.Layers.Count - 1;
        if (Engine.FuseActivations && last >= 0 && Decoder.Layers[last] is Sigmoid
            && Loss.TryBackwardThroughSigmoid(reconstruction, target, gradBuffer))
        {
            BackwardFromDecoderLayer(gradBuffer, last);
            return;
        }
        Loss.Backward(reconstruction, target, gradBuffer);
        Backward(gradBuffer);
    }

    private void BackwardFromDecoderLayer(Tensor grad, int end)
    {
        var gradCode = Decoder.Backward(grad, needInputGrad: true, end)!;
        Encoder.Backward(Regularizer.Backward(gradCode), needInputGrad: false);
        Regularizer.AddParameterGradients();
    }

    /// <summary>
    /// The input a denoising model trains on: a corrupted copy of <paramref name="clean"/> (in a
    /// model-owned buffer). Other kinds train on the clean items themselves.
    /// </summary>
    internal Tensor Corrupt(Tensor clean, Rng rng)
    {
        if (Corruption is null) return clean;
        Tensor.Ensure(ref corrupted, clean.Rows, clean.RowLength);
        Corruption.Apply(clean.Span, corrupted!.Span, rng);
        return corrupted;
    }

    int ITrainable.InputSize => Config.InputSize;

    Rng ITrainable.Sampler => Sampler;

    Lock ITrainable.Gate => gate;

    void ITrainable.Prepare(int trainingItems) => Regularizer.Prepare(trainingItems);

    bool ITrainable.NeedsLabels => Regularizer.NeedsLabels;

    void ITrainable.SetLabels(ReadOnlySpan<int> labels) => Regularizer.SetLabels(labels);

    void ITrainable.AfterStep(Tensor batch) => Regularizer.AfterStep(batch, Sampler);

    /// <summary>The training step's forward pass: corruption (denoising kinds), encoder, regulariser, decoder, loss plus penalty.</summary>
    double ITrainable.TrainingLoss(Tensor batch)
    {
        var input = Corrupt(batch, Sampler);
        trainingOutput = Forward(input, Sampler, training: true);
        return Loss.Forward(trainingOutput, batch) + Regularizer.Penalty;
    }

    void ITrainable.Backward(Tensor batch, Tensor gradBuffer) =>
        BackwardFromLoss(trainingOutput ?? throw new InvalidOperationException("Backward needs a TrainingLoss first"), batch, gradBuffer);

    /// <summary>
    /// Codes for the items of <paramref name="x"/> [N, InputSize] → [N, Latent] (a VAE's μ).
    /// Safe to call from several threads.
    /// </summary>
    public Tensor Encode(Tensor x) => Infer(x, Config.InputSize, Config.Latent, v => Regularizer.Forward(Encoder.Forward(v, false), v, null, false));

    /// <summary>
    /// The encoder's raw output [N, EncodedSize]: for a VAE μ and log σ² side by side, for the
    /// other kinds the code. Safe to call from several threads.
    /// </summary>
    public Tensor EncodeDistribution(Tensor x) =>
        Infer(x, Config.InputSize, Regularizer.EncodedSize(Config.Latent), v => Encoder.Forward(v, false));

    /// <summary>Reconstructions from codes [N, Latent] → [N, InputSize]. Safe to call from several threads.</summary>
    public Tensor Decode(Tensor codes) => Infer(codes, Config.Latent, Config.InputSize, v => Decoder.Forward(v, false));

    /// <summary>Decode(Encode(x)), deterministic for every kind. Safe to call from several threads.</summary>
    public Tensor Reconstruct(Tensor x) => Infer(x, Config.InputSize, Config.InputSize, v => Forward(v, null, false));

    /// <summary>
    /// The Frobenius norm of the encoder's Jacobian ‖∂code/∂x‖_F per item, for dense encoders with
    /// one hidden layer (what the contractive penalty shrinks); null for other encoders.
    /// </summary>
    public double[]? JacobianNorms(Tensor x)
    {
        CheckFeatures(x.RowLength, Config.InputSize, "input");
        if (ModelKinds.IsVariational(Config.Kind)) return null;
        lock (gate) return ContractivePenalty.JacobianNorms(Encoder, x);
    }

    /// <summary>
    /// Mean loss per item over a dataset (the tutorial's "test set loss"), with its parts: a VAE's
    /// is the negative ELBO, reconstruction plus β·KL, with one sample per item from a fixed seed.
    /// </summary>
    public Evaluation Evaluate(Dataset data, int batchSize = 1000)
    {
        CheckFeatures(data.FeatureCount, Config.InputSize, "dataset");
        lock (gate)
        {
            var batch = new Tensor(Math.Min(batchSize, Math.Max(1, data.Count)), Config.InputSize);
            var rng = new Rng(EvaluationSeed);
            int capacity = batch.Rows;
            double reconstruction = 0, penalty = 0;
            for (int start = 0; start < data.Count; start += capacity)
            {
                int rows = Math.Min(capacity, data.Count - start);
                batch.ResizeBatch(rows);
                data.CopyRows(start, rows, batch);
                var output = Forward(Corrupt(batch, rng), rng, training: false);
                reconstruction += Loss.Forward(output, batch);
                penalty += Regularizer.Penalty;
                batch.ResizeBatch(capacity);
            }
            int n = data.Count;
            return n > 0
                ? new Evaluation((reconstruction + penalty) / n, reconstruction / n, penalty / n, Regularizer.PenaltyName)
                : new Evaluation(double.NaN, double.NaN, double.NaN, Regularizer.PenaltyName);
        }
    }

    private Tensor Infer(Tensor input, int inSize, int outSize, Func<Tensor, Tensor> run)
    {
        CheckFeatures(input.RowLength, inSize, "input");
        int n = input.Rows;
        var result = new Tensor(n, outSize);
        lock (gate)
        {
            var chunk = new Tensor(Math.Min(n, InferenceChunk), inSize);
            for (int start = 0; start < n; start += InferenceChunk)
            {
                int rows = Math.Min(InferenceChunk, n - start);
                chunk.ResizeBatch(rows);
                input.Span.Slice(start * inSize, rows * inSize).CopyTo(chunk.Span);
                var output = run(chunk);
                output.Span.CopyTo(result.Span.Slice(start * outSize, rows * outSize));
            }
        }
        return result;
    }

    private static void CheckFeatures(int actual, int expected, string what)
    {
        if (actual != expected)
            throw new BottleneckException($"{what} has {actual} values per item but the model expects {expected}");
    }

    /// <summary>Lock shared with the trainer (through <see cref="ITrainable.Gate"/>) so inference never interleaves with a training step.</summary>
    internal Lock Gate => gate;
}
