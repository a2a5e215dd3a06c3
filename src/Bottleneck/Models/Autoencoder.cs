using Bottleneck.Data;
using Bottleneck.Layers;
using Bottleneck.Losses;
using Bottleneck.Tensors;
using Bottleneck.Training;

namespace Bottleneck.Models;

/// <summary>
/// A dense autoencoder: an encoder to a code and a decoder back, each an nn.Sequential-like
/// stack whose parameters carry PyTorch state_dict names ("encoder.0.weight", ...).
/// </summary>
public sealed class Autoencoder
{
    // Inference over large inputs goes in chunks so memory stays bounded.
    private const int InferenceChunk = 1024;
    private readonly Lock gate = new();

    public Autoencoder(AutoencoderConfig config, ulong seed = 42)
    {
        config.Validate();
        Config = config;
        var rng = new Rng(seed);
        Encoder = new Sequential(BuildStack(config.InputSize, config.Hidden, config.Latent, config.Activation, config.LatentActivation, rng));
        Decoder = new Sequential(BuildStack(config.Latent, config.Hidden.Reverse().ToArray(), config.InputSize, config.Activation, config.OutputActivation, rng));
        NamedParameters = Encoder.NamedParameters.Select(p => ("encoder." + p.Name, p.Parameter))
            .Concat(Decoder.NamedParameters.Select(p => ("decoder." + p.Name, p.Parameter))).ToArray();
        Loss = Losses.Loss.Create(config.Loss);
    }

    public AutoencoderConfig Config { get; }

    public Sequential Encoder { get; }

    public Sequential Decoder { get; }

    /// <summary>The reconstruction loss the model trains with.</summary>
    public Loss Loss { get; }

    /// <summary>Every parameter with its state_dict name, encoder first.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters { get; }

    public IEnumerable<Parameter> Parameters => NamedParameters.Select(p => p.Parameter);

    public int ParameterCount => NamedParameters.Sum(p => p.Parameter.Value.Length);

    private static IEnumerable<Layer> BuildStack(int input, int[] hidden, int output, string activation, string lastActivation, Rng rng)
    {
        int width = input;
        foreach (int h in hidden)
        {
            yield return new Linear(width, h, rng);
            yield return Activation.Create(activation);
            width = h;
        }
        yield return new Linear(width, output, rng);
        // A linear code or output adds no layer, so the state_dict indices match PyTorch's Sequential.
        if (Activation.Create(lastActivation) is not Identity) yield return Activation.Create(lastActivation);
    }

    /// <summary>Training forward pass; returns the layer-owned reconstruction buffer.</summary>
    internal Tensor Forward(Tensor x, bool training) => Decoder.Forward(Encoder.Forward(x, training), training);

    /// <summary>Backward pass from dL/d(reconstruction); writes every parameter's gradient.</summary>
    internal void Backward(Tensor gradReconstruction)
    {
        var gradCode = Decoder.Backward(gradReconstruction, needInputGrad: true)!;
        Encoder.Backward(gradCode, needInputGrad: false);
    }

    /// <summary>Trains the model (Keras' fit): see <see cref="Trainer"/>.</summary>
    public History Fit(Dataset train, FitOptions? options = null, TrainingCallback? callback = null) =>
        Trainer.Fit(this, train, options ?? new FitOptions(), callback);

    /// <summary>Codes for the items of <paramref name="x"/> [N, InputSize] → [N, Latent]. Safe to call from several threads.</summary>
    public Tensor Encode(Tensor x) => Infer(x, Config.InputSize, Config.Latent, v => Encoder.Forward(v, false));

    /// <summary>Reconstructions from codes [N, Latent] → [N, InputSize]. Safe to call from several threads.</summary>
    public Tensor Decode(Tensor codes) => Infer(codes, Config.Latent, Config.InputSize, v => Decoder.Forward(v, false));

    /// <summary>Decode(Encode(x)). Safe to call from several threads.</summary>
    public Tensor Reconstruct(Tensor x) => Infer(x, Config.InputSize, Config.InputSize, v => Forward(v, false));

    /// <summary>Mean loss per item over a dataset (the tutorial's "test set loss").</summary>
    public double Evaluate(Dataset data, int batchSize = 1000)
    {
        CheckFeatures(data.FeatureCount, Config.InputSize, "dataset");
        lock (gate)
        {
            var batch = new Tensor(Math.Min(batchSize, Math.Max(1, data.Count)), Config.InputSize);
            return Trainer.EvaluateLocked(this, data, batch);
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

    /// <summary>Lock shared with the trainer so inference never interleaves with a training step.</summary>
    internal Lock Gate => gate;
}
