using System.Globalization;

namespace Bottleneck.Models;

/// <summary>
/// A configuration's size, worked out from its numbers before anything is allocated, so that a
/// mistyped width (--hidden 2000000000) is refused with what it would need instead of failing
/// deep inside an allocation. Checked: every weight and every batch of activations fits in one
/// array, and the weights (for training: with their gradients and Adam's two moments) fit in
/// the memory this process may use.
/// </summary>
public static class ModelSize
{
    /// <summary>Copies of every parameter that training keeps: values, gradients, Adam's m and v.</summary>
    private const int TrainingCopies = 4;

    /// <summary>What is too large and which setting makes it so ("hidden", "latent", "channels" or "input").</summary>
    public sealed record Problem(string Setting, string Message);

    /// <summary>
    /// The first size problem of <paramref name="config"/> when it runs batches of
    /// <paramref name="batchRows"/> items (training keeps four copies of the weights); null if none.
    /// <paramref name="availableBytes"/> defaults to the memory this process may use.
    /// </summary>
    public static Problem? Check(AutoencoderConfig config, int batchRows, bool training, long? availableBytes = null)
    {
        long available = availableBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if ((long)batchRows * config.InputSize > Array.MaxLength)
            return new Problem("input", $"an input of {config.InputSize:N0} values needs batches of {batchRows:N0}×{config.InputSize:N0} values, more than one array can hold ({Array.MaxLength:N0})");
        long parameters = 0;
        foreach (var layer in Layers(config))
        {
            long activations = batchRows * layer.OutputValues;
            if (layer.Weights > Array.MaxLength)
                return new Problem(layer.Setting, $"{Blame(layer)} needs a weight of {layer.Weights:N0} values ({Bytes(4 * layer.Weights)}), more than one array can hold ({Array.MaxLength:N0})");
            if (activations > Array.MaxLength)
                return new Problem(layer.Setting, $"{Blame(layer)} needs batches of {batchRows:N0}×{layer.OutputValues:N0} activations ({Bytes(4 * activations)}), more than one array can hold ({Array.MaxLength:N0})");
            parameters += layer.Weights + layer.Biases;
        }
        long needed = 4 * (training ? TrainingCopies : 1) * parameters;
        if (training && config.Kind == ModelKind.Contractive && config.Hidden is [int h])
        {
            // The penalty's hidden×hidden matrices (the model refuses anything but one hidden layer).
            if ((long)h * h > Array.MaxLength)
                return new Problem("hidden", $"hidden width {h:N0} needs {h:N0}×{h:N0} matrices for the contractive penalty, more than one array can hold ({Array.MaxLength:N0})");
            long square = 4L * ContractivePenalty.SquareBuffers * h * h;
            if (needed + square > available)
                return new Problem("hidden", $"hidden width {h:N0} needs {Bytes(square)} for the contractive penalty's {h:N0}×{h:N0} matrices and {Bytes(needed)} for training the weights; this process may use {Bytes(available)}");
        }
        if (needed > available)
        {
            var largest = Layers(config).MaxBy(l => l.Weights)!;
            string use = training ? "to train (weights, gradients and Adam's two moments)" : "for its weights";
            return new Problem(largest.Setting,
                $"{Blame(largest)} makes a model of {parameters:N0} parameters, which needs {Bytes(needed)} {use}; this process may use {Bytes(available)}");
        }
        return null;
    }

    /// <summary>A layer's weight and bias counts, the values per item it outputs, and the setting (with its value) that sizes it.</summary>
    private sealed record Layer(long Weights, long Biases, long OutputValues, string Setting, long Value);

    private static string Blame(Layer l) => l.Setting switch
    {
        "hidden" => $"hidden width {l.Value:N0}",
        "latent" => $"latent size {l.Value:N0}",
        "layers" => $"a layer of {l.Value:N0} outputs",
        _ => $"{l.Value:N0} channels",
    };

    /// <summary>The weight-bearing layers of the encoder and the decoder, as the network builder makes them.</summary>
    private static IEnumerable<Layer> Layers(AutoencoderConfig c)
    {
        long encoded = ModelKinds.IsVariational(c.Kind) ? 2L * c.Latent : c.Latent;
        if (c.Kind == ModelKind.Custom)
        {
            foreach (var spec in (c.EncoderLayers ?? []).Concat(c.DecoderLayers ?? []))
                if (spec is { Type: LayerSpec.LinearType, In: int inputs, Out: int outputs })
                    yield return new Layer((long)inputs * outputs, outputs, outputs, "layers", outputs);
            yield break;
        }
        if (c.IsConvolutional && c.InputShape is [int inputChannels, int height, int width])
        {
            long inC = inputChannels, h = height, w = width;
            int k = c.Kernel, pad = (k - 1) / 2;
            foreach (int ch in c.Channels)
            {
                h = Math.Max(1, (h + 2 * pad - k) / 2 + 1);
                w = Math.Max(1, (w + 2 * pad - k) / 2 + 1);
                // A stride-2 convolution and, in the decoder, its mirror: [out, in, k, k] weights each.
                var conv = new Layer((long)ch * inC * k * k, ch, ch * h * w, "channels", ch);
                yield return conv;
                yield return conv;
                inC = ch;
            }
            long flat = inC * h * w;
            yield return new Layer(flat * encoded, encoded, encoded, "latent", c.Latent);
            yield return new Layer(c.Latent * flat, flat, flat, "latent", c.Latent);
            yield break;
        }
        if (ModelKinds.IsSequence(c.Kind) && c.Steps > 0)
        {
            foreach (var layer in SequenceLayers(c, encoded)) yield return layer;
            yield break;
        }
        // Each dense layer is blamed on the width it is named for (the user's setting), never on the data's input size.
        long size = c.InputSize;
        foreach (int hidden in c.Hidden)
        {
            yield return Dense(size, hidden, "hidden", hidden);
            size = hidden;
        }
        yield return Dense(size, encoded, "latent", c.Latent);
        size = c.Latent;
        var (setting, value) = ("latent", (long)c.Latent);
        foreach (int hidden in c.Hidden.Reverse())
        {
            yield return Dense(size, hidden, "hidden", hidden);
            (size, setting, value) = (hidden, "hidden", hidden);
        }
        yield return Dense(size, c.InputSize, setting, value);
    }

    /// <summary>The sequence kinds' layers (see NetworkBuilder): per-step widths times the steps of a window.</summary>
    private static IEnumerable<Layer> SequenceLayers(AutoencoderConfig c, long encoded)
    {
        long steps = c.Steps, features = c.StepFeatures;
        if (c.Kind == ModelKind.Attention)
        {
            long d = c.Hidden[0], ff = 2 * d;
            // Per step: q, k and v (3d) or the feed-forward width; per item also every head's steps×steps weights.
            long widest = steps * Math.Max(3 * d, ff) + c.Heads * steps * steps;
            var block = new Layer(4 * d * d + 2 * d * ff, 6 * d + ff + 4 * d, widest, "hidden", d);
            yield return new Layer(features * d, d, steps * d, "hidden", d);
            yield return block;
            yield return new Layer(steps * d * encoded, encoded, encoded, "hidden", d);
            yield return new Layer(c.Latent * steps * d, steps * d, steps * d, "hidden", d);
            yield return block;
            yield return new Layer(d * features, features, steps * features, "hidden", d);
            yield break;
        }
        long gates = c.Kind == ModelKind.Lstm ? 4 : 3;
        long input = features;
        foreach (int h in c.Hidden)
        {
            // The gates of every step are kept for backpropagation through time.
            yield return new Layer(gates * h * (input + h), 2 * gates * h, steps * gates * h, "hidden", h);
            input = h;
        }
        yield return Dense(input, encoded, "latent", c.Latent);
        input = c.Hidden[^1];
        yield return new Layer(c.Latent * input, input, steps * input, "latent", c.Latent);
        foreach (int h in c.Hidden.Reverse())
        {
            yield return new Layer(gates * h * (input + h), 2 * gates * h, steps * gates * h, "hidden", h);
            input = h;
        }
        yield return new Layer(input * features, features, steps * features, "hidden", input);
    }

    private static Layer Dense(long input, long output, string setting, long value) => new(input * output, output, output, setting, value);

    /// <summary>A byte count in the largest binary unit that keeps it at 1 or more.</summary>
    public static string Bytes(long bytes)
    {
        string[] units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} bytes" : value.ToString("0.#", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
