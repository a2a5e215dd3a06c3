namespace Bottleneck.Losses;

/// <summary>How per-element losses are combined, as PyTorch's `reduction` argument.</summary>
public enum Reduction
{
    Sum,
    Mean,
}
