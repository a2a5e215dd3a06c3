using Bottleneck.Layers;
using Bottleneck.Models;
using LSTM = TorchSharp.Modules.LSTM;
using Linear = TorchSharp.Modules.Linear;
using static TorchSharp.torch;

namespace Bottleneck.Torch.Tests;

/// <summary>
/// The TorchSharp modules a PyTorch user would write for Bottleneck's built-in kinds: an encoder
/// and a decoder whose layer indices, and so whose state_dict names, are Bottleneck's. Layers
/// without parameters that Bottleneck folds into its neighbours (flatten, unflatten) have names
/// that are not indices, so they take no place in the numbering that matters.
/// </summary>
internal sealed class TorchAutoencoder : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> encoder;
    private readonly nn.Module<Tensor, Tensor> decoder;
    private readonly long latent;
    private readonly bool variational;

    private TorchAutoencoder(nn.Module<Tensor, Tensor> encoder, nn.Module<Tensor, Tensor> decoder, long latent, bool variational) : base("autoencoder")
    {
        this.encoder = encoder;
        this.decoder = decoder;
        this.latent = latent;
        this.variational = variational;
        RegisterComponents();
    }

    /// <summary>The code: for a VAE the mean, the first half of what the encoder gives.</summary>
    public Tensor Encode(Tensor x)
    {
        var encoded = encoder.forward(x);
        return variational ? encoded.narrow(1, 0, latent) : encoded;
    }

    public override Tensor forward(Tensor x) => decoder.forward(Encode(x));

    /// <summary>A dense (vanilla, deep, VAE) or convolutional configuration with ReLU between layers.</summary>
    public static TorchAutoencoder For(AutoencoderConfig c)
    {
        bool variational = ModelKinds.IsVariational(c.Kind);
        long encoded = variational ? 2 * c.Latent : c.Latent;
        return c.Kind == ModelKind.Conv
            ? Convolutional(c, encoded)
            : new TorchAutoencoder(Dense(c, c.InputSize, c.Hidden, encoded), Dense(c, c.Latent, c.Hidden.Reverse().ToArray(), c.InputSize, sigmoid: c.OutputActivation == ActivationKind.Sigmoid), c.Latent, variational);
    }

    private static nn.Module<Tensor, Tensor> Dense(AutoencoderConfig c, long input, int[] hidden, long output, bool sigmoid = false)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        long width = input;
        foreach (int h in hidden)
        {
            layers.Add(($"{layers.Count}", nn.Linear(width, h)));
            if (c.BatchNorm) layers.Add(($"{layers.Count}", nn.BatchNorm1d(h)));
            layers.Add(($"{layers.Count}", nn.ReLU()));
            width = h;
        }
        layers.Add(($"{layers.Count}", nn.Linear(width, output)));
        if (sigmoid) layers.Add(($"{layers.Count}", nn.Sigmoid()));
        return nn.Sequential(layers);
    }

    /// <summary>Stride-2 convolutions with padding k/2, then a dense code; the decoder mirrors them with transposed convolutions.</summary>
    private static TorchAutoencoder Convolutional(AutoencoderConfig c, long encoded)
    {
        var shape = c.InputShape!;
        int k = c.Kernel, pad = (k - 1) / 2;
        var sizes = new List<(long C, long H, long W)> { (shape[0], shape[1], shape[2]) };
        var encoder = new List<(string, nn.Module<Tensor, Tensor>)> { ("image", nn.Unflatten(1, [shape[0], shape[1], shape[2]])) };
        int index = 0;
        foreach (int channels in c.Channels)
        {
            var (inC, h, w) = sizes[^1];
            encoder.Add(($"{index++}", nn.Conv2d(inC, channels, k, stride: 2, padding: pad)));
            encoder.Add(($"{index++}", nn.ReLU()));
            sizes.Add((channels, (h + 2 * pad - k) / 2 + 1, (w + 2 * pad - k) / 2 + 1));
        }
        var (lastC, lastH, lastW) = sizes[^1];
        encoder.Add(("flatten", nn.Flatten()));
        encoder.Add(($"{index}", nn.Linear(lastC * lastH * lastW, encoded)));

        index = 0;
        var decoder = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ($"{index++}", nn.Linear(c.Latent, lastC * lastH * lastW)),
            ($"{index++}", nn.ReLU()),
            ("map", nn.Unflatten(1, [lastC, lastH, lastW])),
        };
        for (int i = sizes.Count - 1; i >= 1; i--)
        {
            var (inC, h, _) = sizes[i];
            var target = sizes[i - 1];
            long outputPadding = target.H - ((h - 1) * 2 - 2 * pad + k);
            decoder.Add(($"{index++}", nn.ConvTranspose2d(inC, target.C, k, stride: 2, padding: pad, output_padding: outputPadding)));
            decoder.Add(($"{index++}", i > 1 ? nn.ReLU() : nn.Sigmoid()));
        }
        decoder.Add(("flatten", nn.Flatten()));
        return new TorchAutoencoder(nn.Sequential(encoder), nn.Sequential(decoder), c.Latent, variational: false);
    }
}

/// <summary>
/// The lstm kind with one recurrent layer: an LSTM over the window whose last state goes to a
/// dense code; a dense layer back, repeated at every step (RepeatVector), an LSTM, and one dense
/// layer applied at every step. Parameters as Bottleneck names them: encoder.0.weight_ih_l0, ...
/// </summary>
internal sealed class TorchLstmAutoencoder : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.ModuleList<nn.Module> encoder;
    private readonly TorchSharp.Modules.ModuleList<nn.Module> decoder;
    private readonly long steps;
    private readonly long features;

    public TorchLstmAutoencoder(AutoencoderConfig c) : base("lstm_autoencoder")
    {
        steps = c.Steps;
        features = c.StepFeatures;
        int hidden = c.Hidden.Single();
        encoder = nn.ModuleList<nn.Module>(nn.LSTM(features, hidden, batchFirst: true), nn.Linear(hidden, c.Latent));
        decoder = nn.ModuleList<nn.Module>(nn.Linear(c.Latent, hidden), nn.Identity(), nn.LSTM(hidden, hidden, batchFirst: true), nn.Linear(hidden, features));
        RegisterComponents();
    }

    public Tensor Encode(Tensor x)
    {
        var (sequence, _, _) = ((LSTM)encoder[0]).forward(x.view(x.shape[0], steps, features));
        return ((Linear)encoder[1]).forward(sequence.select(1, steps - 1));
    }

    public override Tensor forward(Tensor x)
    {
        var code = Encode(x);
        var repeated = ((Linear)decoder[0]).forward(code).unsqueeze(1).expand(-1, steps, -1);
        var (sequence, _, _) = ((LSTM)decoder[2]).forward(repeated);
        return ((Linear)decoder[3]).forward(sequence).reshape(x.shape[0], steps * features);
    }
}
