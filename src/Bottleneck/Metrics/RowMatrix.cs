namespace Bottleneck.Metrics;

/// <summary>
/// Checks of the flat row-major matrices (rows of <c>dims</c> floats) that the metrics take, so
/// that PCA and k-NN refuse bad input with the same one-line messages.
/// </summary>
internal static class RowMatrix
{
    /// <summary>The number of rows in <paramref name="data"/>; refuses an empty or ragged span.</summary>
    public static int Rows(string what, ReadOnlySpan<float> data, int dims)
    {
        if (dims < 1) throw new BottleneckException($"{what}: dims must be at least 1, got {dims}");
        if (data.Length == 0) throw new BottleneckException($"{what}: no data given (no rows)");
        if (data.Length % dims != 0)
            throw new BottleneckException($"{what}: {data.Length} values are not a whole number of rows of {dims}");
        return data.Length / dims;
    }

    /// <summary>Refuses a NaN or infinity, naming its row and column.</summary>
    public static void CheckFinite(string what, ReadOnlySpan<float> data, int dims)
    {
        for (int i = 0; i < data.Length; i++)
        {
            if (!float.IsFinite(data[i]))
                throw new BottleneckException($"{what}: row {i / dims}, column {i % dims} is {data[i]}; values must be finite");
        }
    }
}
