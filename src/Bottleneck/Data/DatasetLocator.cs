namespace Bottleneck.Data;

/// <summary>TEMPORARY, replaced by the io branch.</summary>
public static class DatasetLocator
{
    public static readonly string[] KnownDatasets = ["mnist", "fashion-mnist"];

    public static string Locate(string name, string? explicitPath) => explicitPath ?? throw new BottleneckException("give --data");
}
