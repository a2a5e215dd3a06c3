using System.Globalization;

namespace Bottleneck.Cli.Commands;

/// <summary>Option values that System.CommandLine's converters do not check for us.</summary>
internal static class OptionParsing
{
    /// <summary>"400" or "256,128": positive layer widths.</summary>
    public static int[] LayerList(string text, string option, bool allowEmpty = false)
    {
        if (allowEmpty && text.Trim() is "" or "none") return [];
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

    /// <summary>A worker thread count: 1 to <see cref="Tensors.EngineOptions.MaxThreads"/>.</summary>
    public static int Threads(int value, string option = "--threads")
    {
        if (value < 1 || value > Tensors.EngineOptions.MaxThreads)
            throw new UsageException($"{option} must be 1 to {Tensors.EngineOptions.MaxThreads} ({Tensors.EngineOptions.ThreadLimitReason}), got {value}");
        return value;
    }

    public static double Positive(double value, string option)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw new UsageException($"{option} must be a positive number, got {value.ToString(CultureInfo.InvariantCulture)}");
        return value;
    }

    public static double NotNegative(double value, string option)
    {
        if (!(value >= 0) || double.IsInfinity(value)) throw new UsageException($"{option} must be zero or a positive number, got {value.ToString(CultureInfo.InvariantCulture)}");
        return value;
    }

    /// <summary>A probability in [0, 1).</summary>
    public static double Fraction(double value, string option)
    {
        if (!(value >= 0 && value < 1)) throw new UsageException($"{option} must be at least 0 and below 1, got {value.ToString(CultureInfo.InvariantCulture)}");
        return value;
    }

    /// <summary>"relu" or "relu,tanh": one activation for every hidden layer, or one per layer.</summary>
    public static Layers.ActivationKind[] ActivationList(string text, string option) =>
        [.. text.Split(',', StringSplitOptions.TrimEntries).Select(name => Choice(name, option, default, Enum.GetValues<Layers.ActivationKind>()))];

    public static string OneOf(string value, string option, params string[] allowed)
    {
        if (!allowed.Contains(value)) throw new UsageException($"{option} must be one of {string.Join(", ", allowed)}, got '{value}'");
        return value;
    }

    /// <summary>A choice of <typeparamref name="T"/> by its name, one of <paramref name="allowed"/>; null gives <paramref name="fallback"/>.</summary>
    public static T Choice<T>(string? value, string option, T fallback, params T[] allowed) where T : struct, Enum
    {
        if (value is null) return fallback;
        if (NamedEnum.TryParse<T>(value, out var choice) && allowed.Contains(choice)) return choice;
        throw new UsageException($"{option} must be one of {string.Join(", ", allowed.Select(NamedEnum.Name))}, got '{value}'");
    }
}
