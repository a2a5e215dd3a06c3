using Bottleneck.Metrics;
using Bottleneck.Tensors;
using static Bottleneck.Tests.RefusalAssert;

namespace Bottleneck.Tests.Metrics;

public class KNearestNeighborsTests
{
    private static float[] Random(int rows, int dims, int seed)
    {
        var x = new float[rows * dims];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(PcaTests.Uniform(seed * 1_000_003L + i) * 4 - 2);
        return x;
    }

    /// <summary>Every distance in double, sorted by (distance, index): the definition the fast search must meet.</summary>
    private static (int Index, double Distance)[] BruteForce(float[] train, float[] query, int q, int dims, int k)
    {
        int rows = train.Length / dims;
        var all = new (int Index, double Distance)[rows];
        for (int t = 0; t < rows; t++)
        {
            double s = 0;
            for (int j = 0; j < dims; j++)
            {
                double d = (double)query[q * dims + j] - train[t * dims + j];
                s += d * d;
            }
            all[t] = (t, s);
        }
        return all.OrderBy(p => p.Distance).ThenBy(p => p.Index).Take(k).ToArray();
    }

    [Theory]
    [InlineData(5000, 300, 3, 5)] // several train and query blocks; low dimension, many close points
    [InlineData(2500, 130, 32, 5)] // code-sized dimension, a partial last query block
    [InlineData(700, 50, 17, 40)] // a long top-k list
    [InlineData(9, 20, 4, 9)] // k = all the training rows
    public void MatchesBruteForce(int trainRows, int queryRows, int dims, int k)
    {
        var train = Random(trainRows, dims, 1);
        var queries = Random(queryRows, dims, 2);
        var result = KNearestNeighbors.Search(train, queries, dims, k);
        Assert.Equal(k, result.K);
        int mismatches = 0;
        for (int q = 0; q < queryRows; q++)
        {
            var expected = BruteForce(train, queries, q, dims, k);
            for (int i = 0; i < k; i++)
            {
                double got = result.SquaredDistances[q * k + i];
                Assert.True(Math.Abs(got - expected[i].Distance) <= 1e-5 * Math.Max(1, expected[i].Distance),
                    $"query {q}, neighbour {i}: distance {got}, expected {expected[i].Distance}");
                // float rounding may swap two rows whose distances agree to ~1e-6; count such swaps
                if (result.Indices[q * k + i] != expected[i].Index)
                {
                    mismatches++;
                    Assert.True(Math.Abs(got - expected[i].Distance) <= 1e-5 * Math.Max(1, expected[i].Distance));
                }
            }
        }
        Assert.True(mismatches <= queryRows * k / 1000, $"{mismatches} neighbours differ from brute force");
    }

    [Fact]
    public void DuplicateRowsRankByIndexAndDistancesAreNotNegative()
    {
        float[] train = [1, 2, 5, 5, 1, 2, 1, 2, 0, 0];
        var result = KNearestNeighbors.Search(train, [1f, 2f], 2, 4);
        Assert.Equal([0, 2, 3, 4], result.Indices);
        Assert.Equal([0f, 0f, 0f, 5f], result.SquaredDistances);
    }

    [Fact]
    public void VotesAreMajorityWithTiesToTheNearestLabel()
    {
        // 1-D training points at distances 1..5 from the query 0, labels 7, 3, 3, 7, 9.
        float[] train = [1, -2, 3, -4, 5];
        int[] labels = [7, 3, 3, 7, 9];
        Assert.Equal([7], KNearestNeighbors.Predict(train, labels, [0f], 1, k: 5)); // 7 and 3 tie 2–2; 7 is nearer
        Assert.Equal([3], KNearestNeighbors.Predict(train, labels, [0f], 1, k: 3)); // 3 wins 2–1
        Assert.Equal([7], KNearestNeighbors.Predict(train, labels, [0f], 1, k: 1));
        Assert.Equal([9], KNearestNeighbors.Predict(train, labels, [5.2f], 1, k: 1));
        // With k = 5 the query 5.2 sees 9 (nearest), then 3, 7, 3, 7: 3 and 7 tie and 3 is nearer.
        Assert.Equal([7, 3], KNearestNeighbors.Predict(train, labels, [0f, 5.2f], 1, k: 5));
        Assert.Equal(0.5, KNearestNeighbors.Accuracy(train, labels, [0f, 5.2f], [7, 9], 1, k: 5));
    }

    [Fact]
    public void SeparatedClustersAreClassifiedPerfectly()
    {
        // Ten clusters in 16 dimensions, one per label, far apart compared with their spread.
        const int dims = 16;
        (float[] X, int[] Y) Make(int perClass, int seed)
        {
            var x = new float[10 * perClass * dims];
            var y = new int[10 * perClass];
            for (int c = 0; c < 10; c++)
            {
                for (int i = 0; i < perClass; i++)
                {
                    int row = c * perClass + i;
                    y[row] = c;
                    for (int j = 0; j < dims; j++)
                        x[row * dims + j] = (j == c ? 10 : 0) + (float)(PcaTests.Uniform(seed * 100_000L + row * dims + j) - 0.5);
                }
            }
            return (x, y);
        }
        var (train, trainLabels) = Make(300, 1);
        var (test, testLabels) = Make(40, 2);
        Assert.Equal(1.0, KNearestNeighbors.Accuracy(train, trainLabels, test, testLabels, dims));
        var shuffled = testLabels.Select(l => (l + 1) % 10).ToArray();
        Assert.Equal(0.0, KNearestNeighbors.Accuracy(train, trainLabels, test, shuffled, dims));
    }

    [Fact]
    public void BadInputIsRefusedWithOneLine()
    {
        var train = Random(10, 4, 1);
        var labels = new int[10];
        var test = Random(3, 4, 2);
        Refused(() => KNearestNeighbors.Search(train, test, 4, 11), "k = 11 must be between 1 and the number of training rows, 10");
        Refused(() => KNearestNeighbors.Search(train, test, 4, 0), "k = 0");
        Refused(() => KNearestNeighbors.Search(train, test, 5, 1), "not a whole number of rows of 5");
        Refused(() => KNearestNeighbors.Search([], test, 4, 1), "no rows");
        Refused(() => KNearestNeighbors.Search(train, test, 0, 1), "dims must be at least 1");
        Refused(() => KNearestNeighbors.Predict(train, new int[9], test, 4), "10 training rows but 9 training labels");
        Refused(() => KNearestNeighbors.Accuracy(train, labels, test, new int[2], 4), "3 test rows but 2 test labels");
        var nan = (float[])test.Clone();
        nan[6] = float.NaN;
        Refused(() => KNearestNeighbors.Predict(train, labels, nan, 4), "queries: row 1, column 2 is NaN");
        var inf = (float[])train.Clone();
        inf[0] = float.PositiveInfinity;
        Refused(() => KNearestNeighbors.Search(inf, test, 4, 1), "train: row 0, column 0 is");
    }
}

/// <summary>The search gives the same bits whatever the thread count.</summary>
public class KNearestNeighborsThreadTests
{
    [Fact]
    public void ResultsDoNotDependOnThreadCount()
    {
        var train = new float[6000 * 8];
        var queries = new float[700 * 8];
        for (int i = 0; i < train.Length; i++) train[i] = (float)PcaTests.Uniform(i);
        for (int i = 0; i < queries.Length; i++) queries[i] = (float)PcaTests.Uniform(10_000_000 + i);
        var one = KNearestNeighbors.Search(train, queries, 8, 5, new EngineOptions { Threads = 1 });
        // More threads than blocks of work per thread on 2 cores.
        var many = KNearestNeighbors.Search(train, queries, 8, 5, new EngineOptions { Threads = Math.Max(3, Environment.ProcessorCount) });
        Assert.Equal(one.Indices, many.Indices);
        Assert.Equal(one.SquaredDistances, many.SquaredDistances);
    }
}
