using Bottleneck.Tensors;

namespace Bottleneck.Losses;

/// <summary>A reconstruction loss between a prediction and its target.</summary>
public abstract class Loss(Reduction reduction)
{
    public Reduction Reduction { get; } = reduction;

    /// <summary>The threads a loss over a large batch is split across; the owning model sets its own.</summary>
    public EngineOptions Engine
    {
        get;
        set => field = value ?? throw new ArgumentNullException(nameof(value));
    } = EngineOptions.Default;

    /// <summary>The name used on the command line and in model.json.</summary>
    public abstract string Name { get; }

    /// <summary>The reduced loss, accumulated in double precision.</summary>
    public double Forward(Tensor prediction, Tensor target)
    {
        CheckShapes(prediction, target);
        double sum = Sum(prediction, target);
        return Reduction == Reduction.Mean ? sum / prediction.Length : sum;
    }

    /// <summary>The loss of each item (row) on its own, unreduced over items: reconstruction-error scores.</summary>
    public void PerItem(Tensor prediction, Tensor target, Span<double> losses)
    {
        CheckShapes(prediction, target);
        int d = prediction.RowLength;
        for (int r = 0; r < prediction.Rows; r++)
        {
            double sum = Sum(prediction.Span.Slice(r * d, d), target.Span.Slice(r * d, d));
            losses[r] = Reduction == Reduction.Mean ? sum / d : sum;
        }
    }

    /// <summary>Writes dLoss/dPrediction.</summary>
    public void Backward(Tensor prediction, Tensor target, Tensor gradPrediction)
    {
        CheckShapes(prediction, target);
        float scale = Reduction == Reduction.Mean ? 1f / prediction.Length : 1f;
        if (gradPrediction.Length < prediction.Length)
            throw new BottleneckException($"loss: the gradient buffer has {gradPrediction.Length} values but the prediction has {prediction.Length}");
        Gradient(prediction, target, gradPrediction, scale);
    }

    /// <summary>
    /// dL/dz for a prediction p = sigmoid(z), written into <paramref name="gradLogits"/>: what
    /// <see cref="Backward"/> and then the sigmoid's backward give, in one pass. False, writing
    /// nothing, for losses that do not have it (the caller then takes the two steps).
    /// </summary>
    internal bool TryBackwardThroughSigmoid(Tensor prediction, Tensor target, Tensor gradLogits)
    {
        CheckShapes(prediction, target);
        if (gradLogits.Length < prediction.Length)
            throw new BottleneckException($"loss: the gradient buffer has {gradLogits.Length} values but the prediction has {prediction.Length}");
        float scale = Reduction == Reduction.Mean ? 1f / prediction.Length : 1f;
        return GradientThroughSigmoid(prediction, target, gradLogits, scale);
    }

    private protected virtual bool GradientThroughSigmoid(Tensor prediction, Tensor target, Tensor gradLogits, float scale) => false;

    /// <summary>The unreduced sum over whole tensors; losses that split large tensors across threads override it.</summary>
    private protected virtual double Sum(Tensor prediction, Tensor target) => Sum(prediction.Span, target.Span);

    /// <summary>The gradient over whole tensors; see <see cref="Sum(Tensor, Tensor)"/>.</summary>
    private protected virtual void Gradient(Tensor prediction, Tensor target, Tensor grad, float scale) =>
        Gradient(prediction.Span, target.Span, grad.Span, scale);

    protected abstract double Sum(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target);

    protected abstract void Gradient(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float> grad, float scale);

    public static Loss Create(LossKind kind, Reduction reduction = Reduction.Sum, EngineOptions? engine = null)
    {
        Loss loss = kind switch
        {
            LossKind.Bce => new BinaryCrossEntropy(reduction),
            LossKind.Mse => new MeanSquaredError(reduction),
            _ => throw new BottleneckException($"{kind.Name()} is not a reconstruction loss; choose bce or mse"),
        };
        loss.Engine = engine ?? EngineOptions.Default;
        return loss;
    }

    /// <summary>The loss of a name, "bce" or "mse".</summary>
    public static Loss Create(string name, Reduction reduction = Reduction.Sum, EngineOptions? engine = null) =>
        Create(NamedEnum.Parse<LossKind>(name), reduction, engine);

    private static void CheckShapes(Tensor prediction, Tensor target)
    {
        if (prediction.Length != target.Length)
            throw new BottleneckException($"loss: prediction has {prediction.Length} values but the target has {target.Length}");
    }
}
