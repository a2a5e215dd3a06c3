using Bottleneck.Layers;
using Bottleneck.Optimizers;
using Bottleneck.Tensors;

namespace Bottleneck.Models;

/// <summary>
/// A small classifier on codes with its own Adam, the adversary of two kinds: the AAE's D (prior
/// draws against codes) and FactorVAE's (codes against codes shuffled dimension by dimension).
/// Hidden dense layers (the AAE's: two of 256 with ReLU) and a Linear(width, 1) give one logit
/// per code, high for the first class. It is trained on binary cross-entropy of its logits, and it lends its
/// input gradient to a penalty that the encoder minimises through it.
/// </summary>
/// <remarks>
/// Not part of a saved model: encoding, decoding and generating do not need it, and a resumed run
/// starts a new one.
/// </remarks>
public sealed class CodeDiscriminator
{
    private readonly Adam optimizer;
    private Tensor? logitsGrad, codesCopy;

    /// <param name="leak">The negative slope of LeakyReLU hidden activations; 0 gives ReLU.</param>
    /// <param name="engine">The engine settings of its network and optimizer; <see cref="EngineOptions.Default"/> when null.</param>
    public CodeDiscriminator(int latent, Rng init, double learningRate, double beta1, double beta2 = 0.999, int width = 256, int hiddenLayers = 2, float leak = 0,
        EngineOptions? engine = null)
    {
        engine ??= EngineOptions.Default;
        var layers = new List<Layer>();
        for (int i = 0; i < hiddenLayers; i++)
        {
            layers.Add(new Linear(i == 0 ? latent : width, width, init));
            layers.Add(leak > 0 ? new LeakyReLU(leak) : new ReLU());
        }
        layers.Add(new Linear(width, 1, init));
        Network = new Sequential([.. layers]) { Engine = engine };
        optimizer = new Adam(Network.Parameters, learningRate, beta1, beta2, engine: engine);
    }

    /// <summary>Codes [N, latent] to logits [N, 1].</summary>
    public Sequential Network { get; }

    /// <summary>The loss (binary cross-entropy summed over both classes) at the last <see cref="Train"/>.</summary>
    public double Loss { get; private set; }

    /// <summary>One Adam step on <paramref name="both"/>: its first <paramref name="positives"/> rows are class 1, the rest class 0.</summary>
    public void Train(Tensor both, int positives)
    {
        var logits = Network.Forward(both, training: true).Span;
        Tensor.Ensure(ref logitsGrad, both.Rows, 1);
        var grad = logitsGrad!.Span;
        double loss = 0;
        for (int i = 0; i < both.Rows; i++)
        {
            int label = i < positives ? 1 : 0;
            loss += CrossEntropy(logits[i], label);
            grad[i] = Sigmoid(logits[i]) - label;
        }
        Loss = loss;
        // Adversarial training can blow up on its own; stop before D's weights turn to NaN.
        if (!double.IsFinite(loss))
            throw new BottleneckException($"training diverged: the code discriminator's loss became {loss}; try a lower --lr or a smaller penalty weight");
        Network.Backward(logitsGrad, needInputGrad: false);
        optimizer.Update();
    }

    /// <summary>
    /// A penalty Σ f(D(code)) over the rows of <paramref name="codes"/> and its gradient with
    /// respect to them; <paramref name="term"/> gives f(s) and f′(s) of a logit s. D's own weights
    /// are left as they are (the gradients this pass leaves in them are overwritten by its next step).
    /// </summary>
    public (double Penalty, Tensor CodeGradient) Penalty(Tensor codes, Func<float, (double Value, double Slope)> term)
    {
        int n = codes.Rows;
        // D keeps its input for backward; a copy keeps the caller's tensor out of its buffers.
        Tensor.Ensure(ref codesCopy, n, codes.RowLength);
        codes.Span.CopyTo(codesCopy!.Span);
        var logits = Network.Forward(codesCopy, training: true).Span;
        Tensor.Ensure(ref logitsGrad, n, 1);
        var grad = logitsGrad!.Span;
        double penalty = 0;
        for (int i = 0; i < n; i++)
        {
            var (value, slope) = term(logits[i]);
            penalty += value;
            grad[i] = (float)slope;
        }
        return (penalty, Network.Backward(logitsGrad, needInputGrad: true) ?? throw new InvalidOperationException("the discriminator gave no input gradient"));
    }

    /// <summary>Binary cross-entropy of a logit s for label t, max(s, 0) − s·t + log(1 + e^−|s|), exact for large |s|.</summary>
    public static double CrossEntropy(float s, int t) => Math.Max(s, 0) - s * t + Math.Log(1 + Math.Exp(-Math.Abs(s)));

    public static float Sigmoid(float s) => (float)(1 / (1 + Math.Exp(-s)));
}
