using System.Globalization;

namespace Bottleneck.Cli.Commands;

/// <summary>Option values that System.CommandLine's converters do not check for us.</summary>
internal static class OptionParsing
{
    /// <summary>"400" or "256,128": positive layer widths.</summary>
    public static int[] LayerList(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
                throw new UsageException($"{option} takes positive layer sizes separated by commas (e.g. 400 or 256,128), got '{text}'");
        }
        return sizes;
    }

    public static int AtLeast(int value, int minimum, string option)
    {
        if (value < minimum) throw new UsageException($"{option} must be at least {minimum}, got {value}");
        return value;
    }

    public static double Positive(double value, string option)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw new UsageException($"{option} must be a positive number, got {value.ToString(CultureInfo.InvariantCulture)}");
        return value;
    }

    public static string OneOf(string value, string option, params string[] allowed)
    {
        if (!allowed.Contains(value)) throw new UsageException($"{option} must be one of {string.Join(", ", allowed)}, got '{value}'");
        return value;
    }
}
