namespace Bottleneck.Tests;

/// <summary>
/// Real time series no one here wrote: the CSV files of Debian's python3-statsmodels, which
/// .ci/run installs. Tests that need them are skipped, saying why, where the package is missing.
/// </summary>
public static class SeriesData
{
    private const string Folder = "/usr/lib/python3/dist-packages/statsmodels/datasets";

    /// <summary>US quarterly macroeconomic data 1959–2009: 203 rows, realgdp, realcons, realinv, unemp and more.</summary>
    public static string Macrodata => Path.Combine(Folder, "macrodata", "macrodata.csv");

    public const string MissingReason = "Debian's python3-statsmodels is not installed (apt-get install python3-statsmodels); .ci/run installs it, so CI runs this test";

    public static bool Available => File.Exists(Macrodata);
}

/// <summary>A fact that reads the statsmodels series; skipped where they are not installed.</summary>
public sealed class SeriesFactAttribute : FactAttribute
{
    public SeriesFactAttribute()
    {
        if (!SeriesData.Available) Skip = SeriesData.MissingReason;
    }
}

/// <summary>A theory that reads the statsmodels series; skipped where they are not installed.</summary>
public sealed class SeriesTheoryAttribute : TheoryAttribute
{
    public SeriesTheoryAttribute()
    {
        if (!SeriesData.Available) Skip = SeriesData.MissingReason;
    }
}

/// <summary>
/// A word list no one here wrote: Debian's wamerican (/usr/share/dict/american-english, about
/// 104,000 words), which .ci/run installs. Tests that need it are skipped, saying why, where it is missing.
/// </summary>
public static class WordsData
{
    public const string Path = "/usr/share/dict/american-english";

    public const string MissingReason = "Debian's wamerican is not installed (apt-get install wamerican); .ci/run installs it, so CI runs this test";

    public static bool Available => File.Exists(Path);

    /// <summary>Every <paramref name="every"/>-th word of the list, at most <paramref name="count"/>, of at most <paramref name="maxLength"/> characters.</summary>
    public static string[] Sample(int count, int every, int maxLength = int.MaxValue) =>
        File.ReadLines(Path).Where((_, i) => i % every == 0).Where(w => w.Length > 0 && w.Length <= maxLength).Take(count).ToArray();
}

/// <summary>A fact that reads the wamerican word list; skipped where it is not installed.</summary>
public sealed class WordsFactAttribute : FactAttribute
{
    public WordsFactAttribute()
    {
        if (!WordsData.Available) Skip = WordsData.MissingReason;
    }
}
