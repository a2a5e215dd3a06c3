using System.Numerics.Tensors;
using Bottleneck.Data;

namespace Bottleneck.Models;

/// <summary>
/// Catches a model that cannot fit its data: an output activation whose range does not cover
/// the values it must reconstruct (a sigmoid output on standardised data, as one well-known
/// tutorial has, can never bring its MSE to zero), or BCE on targets outside [0, 1].
/// </summary>
public static class DataRangeCheck
{
    /// <summary>A warning saying what to change, or null when the data and the model agree.</summary>
    public static string? Warning(AutoencoderConfig config, Dataset data)
    {
        if (data.Count == 0) return null;
        var (min, max) = ValueRange(data);
        string range = $"[{min.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)}, {max.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)}]";
        var (low, high, shown) = config.OutputActivation switch
        {
            Layers.ActivationKind.Sigmoid => (0.0, 1.0, "(0, 1)"),
            Layers.ActivationKind.Tanh => (-1.0, 1.0, "(-1, 1)"),
            Layers.ActivationKind.Relu or Layers.ActivationKind.Softplus => (0.0, double.PositiveInfinity, "[0, ∞)"),
            Layers.ActivationKind.Elu => (-1.0, double.PositiveInfinity, "(-1, ∞)"),
            _ => (double.NegativeInfinity, double.PositiveInfinity, ""),
        };
        if (min < low || max > high)
            return $"the data ranges over {range} but the {config.OutputActivation.Name()} output can only give {shown}, so the reconstruction error can never reach zero; " +
                (min >= 0 && max <= 1 ? "use a sigmoid output" : "use --output-activation none with --loss mse, or scale the data to [0, 1] (--scale minmax)");
        if (config.Loss == Losses.LossKind.Bce && (min < 0 || max > 1))
            return $"binary cross-entropy needs targets in [0, 1] but the data ranges over {range}; use --loss mse, or scale the data to [0, 1] (--scale minmax)";
        return null;
    }

    /// <summary>The smallest and largest value of a non-empty data set (both NaN if any is NaN).</summary>
    internal static (float Min, float Max) ValueRange(Dataset data) => data.Pixels is { } pixels
        // Image bytes read as byte / 255: the range is that of the bytes, without making the floats.
        ? (TensorPrimitives.Min<byte>(pixels) / 255f, TensorPrimitives.Max<byte>(pixels) / 255f)
        : Range(data.Features, data.Count * data.FeatureCount);

    /// <summary>The smallest and largest of the first <paramref name="length"/> values (both NaN if any is NaN).</summary>
    internal static (float Min, float Max) Range(float[] values, int length)
    {
        // Image data sets are held as bytes and take the branch above; tables are small enough
        // for one plain pass.
        var window = values.AsSpan(0, length);
        return (TensorPrimitives.Min<float>(window), TensorPrimitives.Max<float>(window));
    }
}
