using Bottleneck.Data;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Data;

/// <summary>Reading a CSV time series, splitting it in time and cutting it into windows.</summary>
public class TimeSeriesTests
{
    private static string Write(TempDir dir, string text)
    {
        string path = dir.File("series.csv");
        File.WriteAllText(path, text);
        return path;
    }

    // Two series (sensor 1 and 2) of a, b with labels; time is text and left out.
    private const string TwoSensors =
        "time,sensor,a,b,label\n" +
        "t0,1,0,10,0\nt1,1,1,11,0\nt2,1,2,12,1\nt3,1,3,13,0\nt4,1,4,14,0\n" +
        "t5,2,5,15,0\nt6,2,6,16,0\nt7,2,7,17,0\n";

    [Fact]
    public void Windows_lie_within_each_series_step_after_step_with_any_anomalous_step_labelling_the_window()
    {
        using var dir = new TempDir();
        var series = TimeSeries.Read(Write(dir, TwoSensors), new SeriesOptions { Window = 2, GroupColumn = "sensor", LabelColumn = "label" });
        Assert.Equal(["a", "b"], series.Variables);
        Assert.Equal([0, 5], series.SegmentStarts);
        // Windows of 2 never span rows 4 and 5, which belong to different sensors.
        Assert.Equal([0, 1, 2, 3, 5, 6], series.WindowStarts(2, 1));
        Assert.Equal([0, 2, 5], series.WindowStarts(2, 2));
        var windows = series.Windows(2, 1);
        Assert.Equal(6, windows.Count);
        Assert.Equal(4, windows.FeatureCount);
        var item = new float[4];
        windows.Sample(3).CopyTo(item);
        Assert.Equal([3f, 13f, 4f, 14f], item); // [steps·variables], step after step
        Assert.Equal([0, 1, 1, 0, 0, 0], windows.Labels!);
    }

    [Fact]
    public void The_split_in_time_keeps_the_first_part_of_every_series_for_training()
    {
        using var dir = new TempDir();
        var series = TimeSeries.Read(Write(dir, TwoSensors), new SeriesOptions { Window = 1, GroupColumn = "sensor", LabelColumn = "label" });
        var (head, tail) = series.SplitInTime(0.6);
        // Sensor 1: 5 rows → 3 train, 2 test; sensor 2: 3 rows → 2 train (1.8 rounded), 1 test.
        Assert.Equal(5, head.Steps);
        Assert.Equal([0, 3], head.SegmentStarts);
        Assert.Equal(3, tail.Steps);
        Assert.Equal([3f, 13f, 4f, 14f, 7f, 17f], tail.Values.ToArray());
    }

    [Fact]
    public void Bad_series_are_refused_with_one_line()
    {
        using var dir = new TempDir();
        RefusalAssert.Refused(() => TimeSeries.Read(Write(dir, TwoSensors), new SeriesOptions { Window = 6, GroupColumn = "sensor" }),
            "a window of 6 steps is longer than the series (5 steps in its longest series)");
        RefusalAssert.Refused(() => TimeSeries.Read(Write(dir, "a,b\n1,2\n3\n"), new SeriesOptions { Window = 1 }), "series.csv");
        RefusalAssert.Refused(() => TimeSeries.Read(Write(dir, "g,a\n1,0\n2,1\n1,2\n"), new SeriesOptions { Window = 1, GroupColumn = "g" }),
            "not consecutive");
        RefusalAssert.Refused(() => TimeSeries.Read(Write(dir, "a,label\n1,0\n2,3\n"), new SeriesOptions { Window = 1, LabelColumn = "label" }),
            "must hold 0 (normal) and 1 (anomalous)");
        RefusalAssert.Refused(() => TimeSeries.Read(Write(dir, "a,b\n1,2\n"), new SeriesOptions { Window = 1, GroupColumn = "c" }), "'c'");
        RefusalAssert.Refused(() => TimeSeries.Read(Write(dir, "a,b\n1,2\n"), new SeriesOptions { Window = 1, Stride = 0 }), "stride");
    }
}
