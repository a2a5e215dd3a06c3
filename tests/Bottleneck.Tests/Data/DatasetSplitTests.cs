using Bottleneck.Data;

namespace Bottleneck.Tests.Data;

public class DatasetSplitTests
{
    /// <summary>1000 samples whose single feature is their index: 950 normal (0), 40 anomalies (1), 10 of a rare class (7).</summary>
    private static Dataset Imbalanced()
    {
        var labels = Enumerable.Range(0, 1000).Select(i => i % 100 < 4 ? 1 : i % 100 == 50 ? 7 : 0).ToArray();
        return new Dataset("d", [.. Enumerable.Range(0, 1000).Select(i => (float)i)], 1000, 1, labels);
    }

    [Fact]
    public void StratifiedKeepsClassProportionsOnBothSides()
    {
        var data = Imbalanced();
        var (train, test) = DatasetSplit.Stratified(data, 0.7, seed: 42);
        Assert.Equal((700, 300), (train.Count, test.Count));
        Assert.Equal((665, 28, 7), (train.Labels!.Count(l => l == 0), train.Labels!.Count(l => l == 1), train.Labels!.Count(l => l == 7)));
        Assert.Equal((285, 12, 3), (test.Labels!.Count(l => l == 0), test.Labels!.Count(l => l == 1), test.Labels!.Count(l => l == 7)));
        AssertPartition(data, train, test);
    }

    [Fact]
    public void SplitsAreDeterministicForASeedAndDifferAcrossSeeds()
    {
        var data = Imbalanced();
        var a = DatasetSplit.Stratified(data, 0.8, 7);
        var b = DatasetSplit.Stratified(data, 0.8, 7);
        var c = DatasetSplit.Stratified(data, 0.8, 8);
        Assert.Equal(a.Train.Features, b.Train.Features);
        Assert.Equal(a.Test.Features, b.Test.Features);
        Assert.NotEqual(a.Train.Features, c.Train.Features);
        var r1 = DatasetSplit.Random(data, 0.8, 7);
        var r2 = DatasetSplit.Random(data, 0.8, 7);
        Assert.Equal(r1.Train.Features, r2.Train.Features);
        Assert.NotEqual(r1.Train.Features, DatasetSplit.Random(data, 0.8, 9).Train.Features);
    }

    [Fact]
    public void SmallClassesGetAtLeastOneSampleOnEachSide()
    {
        var data = new Dataset("d", [0f, 1f, 2f, 3f, 4f, 5f, 6f], 7, 1, [0, 0, 0, 0, 1, 1, 2]);
        var (train, test) = DatasetSplit.Stratified(data, 0.9, 1);
        Assert.Equal(1, train.Labels!.Count(l => l == 1));
        Assert.Equal(1, test.Labels!.Count(l => l == 1));
        Assert.Equal(1, test.Labels!.Count(l => l == 0));
        Assert.Contains(2, train.Labels!); // a class of one goes where most of the data goes
        AssertPartition(data, train, test);
    }

    [Fact]
    public void RandomSplitsUnlabeledData()
    {
        var data = new Dataset("u", [.. Enumerable.Range(0, 101).Select(i => (float)i)], 101, 1);
        var (train, test) = DatasetSplit.Random(data, 0.9, 3);
        Assert.Equal((91, 10), (train.Count, test.Count));
        Assert.Null(train.Labels);
        AssertPartition(data, train, test);
    }

    [Fact]
    public void BadArgumentsAreClearErrors()
    {
        var unlabeled = new Dataset("u", [1f, 2f], 2, 1);
        Assert.Equal("u: a stratified split needs labels and this data set has none; use a random split",
            Assert.Throws<BottleneckException>(() => DatasetSplit.Stratified(unlabeled, 0.5, 1)).Message);
        foreach (double bad in new[] { 0, 1, -0.5, 1.5, double.NaN })
            Assert.Throws<BottleneckException>(() => DatasetSplit.Random(unlabeled, bad, 1));
    }

    [Fact]
    public void SelectCopiesSamplesLabelsAndShapeInTheOrderGiven()
    {
        var data = new Dataset("img", [.. Enumerable.Range(0, 12).Select(i => (float)i)], 3, 4, [5, 6, 7], [1, 2, 2]);
        var picked = data.Select([2, 0, 2]);
        Assert.Equal(("img", 3, 4), (picked.Name, picked.Count, picked.FeatureCount));
        Assert.Equal(new[] { 8f, 9f, 10f, 11f, 0f, 1f, 2f, 3f, 8f, 9f, 10f, 11f }, picked.Features);
        Assert.Equal(new[] { 7, 5, 7 }, picked.Labels);
        Assert.Equal(new[] { 1, 2, 2 }, picked.SampleShape);
        picked.Features[0] = -1; // a copy: the source is untouched
        Assert.Equal(8f, data.Features[8]);
        Assert.Equal(0, data.Select([]).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Select([3]));
    }

    /// <summary>Both sides together hold every sample exactly once, each side in file order, features and labels kept together.</summary>
    private static void AssertPartition(Dataset data, Dataset train, Dataset test)
    {
        var ids = train.Features.Concat(test.Features).Select(v => (int)v).ToArray();
        Assert.Equal(Enumerable.Range(0, data.Count), ids.Order());
        Assert.Equal(train.Features.Order(), train.Features);
        Assert.Equal(test.Features.Order(), test.Features);
        if (data.Labels == null) return;
        foreach (var side in new[] { train, test })
        {
            for (int i = 0; i < side.Count; i++) Assert.Equal(data.Labels[(int)side.Features[i]], side.Labels![i]);
        }
    }
}
