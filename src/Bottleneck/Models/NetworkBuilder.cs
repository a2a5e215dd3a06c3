using Bottleneck.Layers;
using Bottleneck.Tensors;

namespace Bottleneck.Models;

/// <summary>
/// Builds the encoder and decoder stacks for a configuration. Layer order and indices follow the
/// nn.Sequential a PyTorch user would write, so state_dict names match ("encoder.0.weight").
/// </summary>
internal static class NetworkBuilder
{
    public static (Sequential Encoder, Sequential Decoder) Build(AutoencoderConfig config, int encodedSize, Rng init, Rng sampler) =>
        config.Kind switch
        {
            ModelKind.Conv => Convolutional(config, encodedSize, init, sampler),
            ModelKind.Lstm or ModelKind.Gru => Recurrent(config, encodedSize, init),
            ModelKind.Attention => Attention(config, encodedSize, init, sampler),
            ModelKind.Custom => (Stack(config.EncoderLayers!, init, sampler), Stack(config.DecoderLayers!, init, sampler)),
            _ => Dense(config, encodedSize, init, sampler),
        };

    /// <summary>A custom model's stack, layer by layer as model.json describes it.</summary>
    private static Sequential Stack(IReadOnlyList<LayerSpec> layers, Rng init, Rng sampler) =>
        new(layers.Select(l => l.Build(init, sampler)).ToList());

    /// <summary>
    /// Encoder: recurrent layers over the window (the last one keeps only its final state), then a
    /// dense layer to the code. Decoder: a dense layer back to the recurrent width, that vector
    /// repeated at every step, recurrent layers unrolled over the window, and one dense layer
    /// applied at every step back to the variables (Keras' RepeatVector and TimeDistributed).
    /// </summary>
    private static (Sequential, Sequential) Recurrent(AutoencoderConfig c, int encodedSize, Rng init)
    {
        int steps = c.Steps, features = c.StepFeatures;
        Layer Cell(int input, int hidden, bool sequences) => c.Kind == ModelKind.Lstm
            ? new Lstm(input, hidden, steps, sequences, init)
            : new Gru(input, hidden, steps, sequences, init);
        var encoder = new List<Layer>();
        int width = features;
        for (int i = 0; i < c.Hidden.Length; i++)
        {
            encoder.Add(Cell(width, c.Hidden[i], sequences: i < c.Hidden.Length - 1));
            width = c.Hidden[i];
        }
        encoder.Add(new Linear(width, encodedSize, init));
        AddLast(encoder, c.LatentActivation);

        var widths = c.Hidden.Reverse().ToArray();
        var decoder = new List<Layer> { new Linear(c.Latent, widths[0], init), new RepeatSteps(steps) };
        width = widths[0];
        foreach (int hidden in widths)
        {
            decoder.Add(Cell(width, hidden, sequences: true));
            width = hidden;
        }
        decoder.Add(new TimeDistributed(new Linear(width, features, init), steps));
        AddLast(decoder, c.OutputActivation);
        return (new Sequential(encoder), new Sequential(decoder));
    }

    /// <summary>
    /// Encoder: every step projected to the model width, the positional encoding added, a
    /// transformer encoder layer (self-attention over the window), and a dense layer from the
    /// whole window to the code. Decoder: a dense layer from the code back to a window of model
    /// width, the positional encoding, a transformer encoder layer, and a projection of every step
    /// back to the variables.
    /// </summary>
    private static (Sequential, Sequential) Attention(AutoencoderConfig c, int encodedSize, Rng init, Rng sampler)
    {
        int steps = c.Steps, features = c.StepFeatures, model = c.Hidden[0], feedForward = 2 * model;
        var encoder = new List<Layer>
        {
            new TimeDistributed(new Linear(features, model, init), steps),
            new PositionalEncoding(steps, model),
            new TransformerEncoderLayer(model, c.Heads, feedForward, steps, init, c.Dropout, sampler),
            new Linear(steps * model, encodedSize, init),
        };
        AddLast(encoder, c.LatentActivation);
        var decoder = new List<Layer>
        {
            new Linear(c.Latent, steps * model, init),
            new PositionalEncoding(steps, model),
            new TransformerEncoderLayer(model, c.Heads, feedForward, steps, init, c.Dropout, sampler),
            new TimeDistributed(new Linear(model, features, init), steps),
        };
        AddLast(decoder, c.OutputActivation);
        return (new Sequential(encoder), new Sequential(decoder));
    }

    private static (Sequential, Sequential) Dense(AutoencoderConfig c, int encodedSize, Rng init, Rng sampler)
    {
        var activations = c.HiddenActivations();
        var encoder = DenseStack(c, c.InputSize, c.Hidden, activations, encodedSize, c.LatentActivation, init, sampler);
        // After the last Linear, which ends the encoder: Validate allows it with a linear code only.
        if (c.CodeBatchNorm) encoder.Add(new BatchNorm1d(encodedSize));
        var decoder = DenseStack(c, c.Latent, c.Hidden.Reverse().ToArray(), activations.Reverse().ToArray(), c.InputSize, c.OutputActivation, init, sampler);
        return (new Sequential(encoder), new Sequential(decoder));
    }

    private static List<Layer> DenseStack(AutoencoderConfig c, int input, int[] hidden, ActivationKind[] activations, int output, ActivationKind lastActivation, Rng init, Rng sampler)
    {
        var layers = new List<Layer>();
        int width = input;
        for (int i = 0; i < hidden.Length; i++)
        {
            layers.Add(new Linear(width, hidden[i], init));
            AddHiddenTail(layers, c, hidden[i], null, activations[i], sampler);
            width = hidden[i];
        }
        layers.Add(new Linear(width, output, init));
        AddLast(layers, lastActivation);
        return layers;
    }

    /// <summary>
    /// Encoder: strided convolutions (stride 2, padding k/2 halving each side), then a dense layer
    /// to the code. Decoder: dense layer back to the last feature map, transposed convolutions
    /// whose output padding restores each encoder size exactly (28 → 14 → 7 → 14 → 28).
    /// </summary>
    private static (Sequential, Sequential) Convolutional(AutoencoderConfig c, int encodedSize, Rng init, Rng sampler)
    {
        var shape = c.InputShape!;
        int k = c.Kernel, pad = (k - 1) / 2;
        var sizes = new List<(int C, int H, int W)> { (shape[0], shape[1], shape[2]) };
        var encoder = new List<Layer>();
        var activation = c.Activation[0];
        foreach (int channels in c.Channels)
        {
            var (inC, h, w) = sizes[^1];
            var conv = new Conv2d(inC, channels, k, 2, pad, h, w, init);
            if (conv.OutputShape[1] < 1 || conv.OutputShape[2] < 1)
                throw new BottleneckException($"{shape[1]}×{shape[2]} images are too small for {c.Channels.Length} stride-2 convolutions");
            encoder.Add(conv);
            AddHiddenTail(encoder, c, channels, (conv.OutputShape[1], conv.OutputShape[2]), activation, sampler);
            sizes.Add((channels, conv.OutputShape[1], conv.OutputShape[2]));
        }
        var (lastC, lastH, lastW) = sizes[^1];
        int flat = lastC * lastH * lastW;
        encoder.Add(new Linear(flat, encodedSize, init));
        AddLast(encoder, c.LatentActivation);

        var decoder = new List<Layer> { new Linear(c.Latent, flat, init), Activation.Create(activation) };
        for (int i = sizes.Count - 1; i >= 1; i--)
        {
            var (inC, h, w) = sizes[i];
            var target = sizes[i - 1];
            int outPadH = target.H - ((h - 1) * 2 - 2 * pad + k);
            int outPadW = target.W - ((w - 1) * 2 - 2 * pad + k);
            if (outPadH is < 0 or > 1 || outPadH != outPadW)
                throw new BottleneckException($"cannot mirror a {target.H}×{target.W} feature map with kernel {k}; use an odd kernel");
            decoder.Add(new ConvTranspose2d(inC, target.C, k, 2, pad, outPadH, h, w, init));
            if (i > 1) AddHiddenTail(decoder, c, target.C, (target.H, target.W), activation, sampler);
        }
        AddLast(decoder, c.OutputActivation);
        return (new Sequential(encoder), new Sequential(decoder));
    }

    /// <summary>What follows a hidden layer: batch norm (before the activation, as is usual), the activation, dropout.</summary>
    private static void AddHiddenTail(List<Layer> layers, AutoencoderConfig c, int channels, (int H, int W)? map, ActivationKind activation, Rng sampler)
    {
        if (c.BatchNorm) layers.Add(map is (int h, int w) ? new BatchNorm2d(channels, h, w) : new BatchNorm1d(channels));
        layers.Add(Activation.Create(activation));
        if (c.Dropout > 0) layers.Add(new Dropout(c.Dropout, sampler));
    }

    /// <summary>A linear code or output adds no layer, so state_dict indices match PyTorch's Sequential.</summary>
    private static void AddLast(List<Layer> layers, ActivationKind activation)
    {
        if (activation != ActivationKind.None) layers.Add(Activation.Create(activation));
    }
}
