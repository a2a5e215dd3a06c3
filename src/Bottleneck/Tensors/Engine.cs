namespace Bottleneck.Tensors;

/// <summary>Process-wide compute settings.</summary>
public static class Engine
{
    private static int threads = Environment.ProcessorCount;

    /// <summary>
    /// Worker threads for the kernels; all cores by default. Results are identical for a given
    /// value (work is split by output tile, never by reduction), so a run is reproducible.
    /// </summary>
    public static int Threads
    {
        get => threads;
        set
        {
            if (value < 1) throw new BottleneckException($"threads must be at least 1, got {value}");
            threads = value;
        }
    }
}
