using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bottleneck.Losses;

/// <summary>
/// Cross-entropy of token predictions: F.cross_entropy(logits, targets, ignore_index=0,
/// reduction='sum') over rows of logits [rows, classes], one target id per row. Target 0 is
/// padding: it adds nothing to the loss and gets a zero gradient. Each row's loss is
/// logsumexp(z) − z[target], computed from the row's maximum so that no exponential overflows;
/// its gradient is softmax(z) − onehot(target).
/// </summary>
public static class TokenCrossEntropy
{
    /// <summary>Id of the padding target, which the loss ignores.</summary>
    public const int Ignore = 0;

    /// <summary>
    /// The summed loss over the real rows; with <paramref name="grad"/> (the logits' shape) also
    /// dLoss/dLogits; with <paramref name="rowLosses"/> each row's own loss (0 for padding).
    /// </summary>
    public static double Forward(ReadOnlySpan<float> logits, int classes, ReadOnlySpan<int> targets, Span<float> grad = default, Span<double> rowLosses = default)
    {
        if (classes < 1 || logits.Length != targets.Length * classes)
            throw new BottleneckException($"cross-entropy: {logits.Length} logits for {targets.Length} targets of {classes} classes");
        bool withGrad = !grad.IsEmpty;
        if (withGrad && grad.Length < logits.Length)
            throw new BottleneckException($"cross-entropy: the gradient buffer has {grad.Length} values but the logits have {logits.Length}");
        double total = 0;
        for (int r = 0; r < targets.Length; r++)
        {
            int target = targets[r];
            var z = logits.Slice(r * classes, classes);
            if (target == Ignore)
            {
                if (withGrad) grad.Slice(r * classes, classes).Clear();
                if (!rowLosses.IsEmpty) rowLosses[r] = 0;
                continue;
            }
            if ((uint)target >= (uint)classes)
                throw new BottleneckException($"cross-entropy: target {target} is outside 0..{classes - 1}");
            float max = TensorPrimitives.Max(z);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.Exp(z[c] - max);
            double loss = Math.Log(sum) + max - z[target];
            total += loss;
            if (!rowLosses.IsEmpty) rowLosses[r] = loss;
            if (withGrad)
            {
                var g = grad.Slice(r * classes, classes);
                double inverse = 1 / sum;
                for (int c = 0; c < classes; c++) g[c] = (float)(Math.Exp(z[c] - max) * inverse);
                g[target] -= 1f;
            }
        }
        return total;
    }
}
