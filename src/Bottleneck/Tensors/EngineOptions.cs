namespace Bottleneck.Tensors;

/// <summary>
/// How the compute kernels run: worker threads, which GEMM micro-kernel, and whether layers fuse
/// an activation into the pass next to it. Immutable; a model hands its options to its layers,
/// optimizer and loss, and metrics that run in parallel take them as an argument. None of the
/// settings changes a result: work is split by output, never by reduction, so results are
/// identical for any thread count, and the fused passes compute the same values as the separate ones.
/// </summary>
public sealed record EngineOptions
{
    /// <summary>All cores, the widest kernel the CPU supports, fused activations.</summary>
    public static EngineOptions Default { get; } = new();

    /// <summary>
    /// The most worker threads allowed: 4 per core, or 64 on small machines. Far more threads than
    /// cores only add switching (64 on 2 cores trains 4× slower than 2; 10,000 spent a minute
    /// starting threads without finishing a batch), so a larger count is a mistake to report.
    /// </summary>
    public static int MaxThreads { get; } = Math.Max(64, 4 * Environment.ProcessorCount);

    /// <summary>Where <see cref="MaxThreads"/> comes from, for error messages.</summary>
    public static string ThreadLimitReason => $"4 per core on this machine's {Environment.ProcessorCount}, or 64";

    /// <summary>Worker threads for the kernels, 1 to <see cref="MaxThreads"/>; all cores by default.</summary>
    public int Threads
    {
        get;
        init => field = value >= 1 && value <= MaxThreads ? value
            : throw new BottleneckException($"threads must be 1 to {MaxThreads} ({ThreadLimitReason}), got {value}");
    } = Environment.ProcessorCount;

    /// <summary>
    /// The GEMM micro-kernel; <see cref="GemmPath.Auto"/> picks the widest the CPU supports. A path
    /// the CPU lacks is refused when a product first runs with it.
    /// </summary>
    public GemmPath Kernel { get; init; } = GemmPath.Auto;

    /// <summary>
    /// Whether a Linear followed by a ReLU rectifies its output tiles inside the GEMM (and the
    /// backward pass masks them there), and a sigmoid output under BCE takes its gradient straight
    /// from the loss. Off only to compare against the separate passes.
    /// </summary>
    public bool FuseActivations { get; init; } = true;

    /// <summary>Whether right-edge tiles use a kernel's narrow form (<see cref="IGemmKernel.RunStepsNarrow"/>); off only in tests, to compare.</summary>
    internal bool NarrowEdges { get; init; } = true;

    /// <summary>Whether GEMM skips the reduction steps where a packed panel is all zeros (<see cref="GemmSparsity"/>); off only in tests, to compare.</summary>
    internal bool SkipZeros { get; init; } = true;
}
