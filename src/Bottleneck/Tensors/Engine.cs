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
            if (value < 1 || value > MaxThreads)
                throw new BottleneckException($"threads must be 1 to {MaxThreads} ({ThreadLimitReason}), got {value}");
            threads = value;
        }
    }

    /// <summary>
    /// The most worker threads allowed: 4 per core, or 64 on small machines. Far more threads than
    /// cores only add switching (64 on 2 cores trains 4× slower than 2; 10,000 spent a minute
    /// starting threads without finishing a batch), so a larger count is a mistake to report.
    /// </summary>
    public static int MaxThreads { get; } = Math.Max(64, 4 * Environment.ProcessorCount);

    /// <summary>Where <see cref="MaxThreads"/> comes from, for error messages.</summary>
    public static string ThreadLimitReason => $"4 per core on this machine's {Environment.ProcessorCount}, or 64";
}
