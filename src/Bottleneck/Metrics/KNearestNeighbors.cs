using System.Buffers;
using System.Numerics;
using Bottleneck.Tensors;

namespace Bottleneck.Metrics;

/// <summary>
/// The k nearest training rows of each query, [queries, k] row-major, nearest first: their indices
/// and squared Euclidean distances. Equal distances are ordered by training index.
/// </summary>
public sealed record Neighbors(int K, int[] Indices, float[] SquaredDistances);

/// <summary>
/// Exact k-nearest-neighbour search and classification under the Euclidean distance, the usual
/// measure of how well an autoencoder's codes keep classes apart (k-NN accuracy of test codes
/// against training codes).
/// </summary>
/// <remarks>
/// Distances come from ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b with the a·b block computed by <see cref="Gemm"/>,
/// one block of queries against one block of training rows at a time, while each query keeps a
/// sorted top-k list; blocks of queries are spread over <see cref="EngineOptions.Threads"/> threads
/// (each method takes an optional <see cref="EngineOptions"/>; <see cref="EngineOptions.Default"/> when null).
/// Memory is O(block²), never queries × train. Results do not depend on the thread count. Being
/// float arithmetic, two training rows at distances equal to about 1e-6 relative may rank either
/// way; exact ties (duplicate rows) rank by index.
/// </remarks>
public static class KNearestNeighbors
{
    private const int QueryBlock = 128;
    private const int TrainBlock = 2048;

    /// <summary>The <paramref name="k"/> nearest training rows of every query row (both row-major with <paramref name="dims"/> columns).</summary>
    public static unsafe Neighbors Search(ReadOnlySpan<float> train, ReadOnlySpan<float> queries, int dims, int k, EngineOptions? engine = null)
    {
        engine ??= EngineOptions.Default;
        int trainRows = RowMatrix.Rows("k-NN train", train, dims);
        int queryRows = RowMatrix.Rows("k-NN queries", queries, dims);
        if (k < 1 || k > trainRows)
            throw new BottleneckException($"k-NN: k = {k} must be between 1 and the number of training rows, {trainRows}");
        RowMatrix.CheckFinite("k-NN train", train, dims);
        RowMatrix.CheckFinite("k-NN queries", queries, dims);

        var trainNorms = new float[trainRows];
        for (int i = 0; i < trainRows; i++) trainNorms[i] = SquaredNorm(train.Slice(i * dims, dims));
        // −2·q is exact in float, so the GEMM yields −2a·b directly and the scan adds one term.
        var scaled = new float[queries.Length];
        for (int i = 0; i < queries.Length; i++) scaled[i] = -2 * queries[i];

        var result = new Neighbors(k, new int[queryRows * k], new float[queryRows * k]);
        fixed (float* pTrain = train)
        {
            var job = new SearchJob(pTrain, trainRows, trainNorms, scaled, queryRows, dims, k, result, engine);
            if (!WorkerPool.TryRun(job, engine.Threads))
                ((WorkerPool.IParallelJob)job).RunPart(0, 1);
        }
        // Add ‖a‖² back only now: ranking one query's candidates does not need it.
        for (int q = 0; q < queryRows; q++)
        {
            float norm = SquaredNorm(queries.Slice(q * dims, dims));
            var d = result.SquaredDistances.AsSpan(q * k, k);
            // Rounding can take the expanded form a hair below zero for (near-)identical rows.
            for (int j = 0; j < k; j++) d[j] = Math.Max(0, d[j] + norm);
        }
        return result;
    }

    /// <summary>
    /// The majority label among each query's <paramref name="k"/> nearest training rows; a tie
    /// between labels goes to the one whose nearest member is closest.
    /// </summary>
    public static int[] Predict(ReadOnlySpan<float> train, ReadOnlySpan<int> trainLabels, ReadOnlySpan<float> queries, int dims, int k = 5, EngineOptions? engine = null)
    {
        int trainRows = RowMatrix.Rows("k-NN train", train, dims);
        if (trainLabels.Length != trainRows)
            throw new BottleneckException($"k-NN: {trainRows} training rows but {trainLabels.Length} training labels; give one label per row");
        var neighbors = Search(train, queries, dims, k, engine);
        int queryRows = queries.Length / dims;
        var predicted = new int[queryRows];
        for (int q = 0; q < queryRows; q++)
        {
            var idx = neighbors.Indices.AsSpan(q * k, k);
            int best = 0, bestVotes = 0;
            // Neighbours are in distance order, so a strict ">" leaves a tie to the label seen first, the nearest.
            for (int i = 0; i < k; i++)
            {
                int label = trainLabels[idx[i]], votes = 0;
                for (int j = 0; j < k; j++)
                {
                    if (trainLabels[idx[j]] == label) votes++;
                }
                if (votes > bestVotes)
                {
                    best = label;
                    bestVotes = votes;
                }
            }
            predicted[q] = best;
        }
        return predicted;
    }

    /// <summary>The fraction of test rows whose <see cref="Predict"/>ed label equals their own.</summary>
    public static double Accuracy(ReadOnlySpan<float> train, ReadOnlySpan<int> trainLabels, ReadOnlySpan<float> test, ReadOnlySpan<int> testLabels, int dims, int k = 5, EngineOptions? engine = null)
    {
        int testRows = RowMatrix.Rows("k-NN test", test, dims);
        if (testLabels.Length != testRows)
            throw new BottleneckException($"k-NN: {testRows} test rows but {testLabels.Length} test labels; give one label per row");
        var predicted = Predict(train, trainLabels, test, dims, k, engine);
        int correct = 0;
        for (int i = 0; i < testRows; i++)
        {
            if (predicted[i] == testLabels[i]) correct++;
        }
        return (double)correct / testRows;
    }

    private static float SquaredNorm(ReadOnlySpan<float> row)
    {
        double sum = 0;
        foreach (float v in row) sum += (double)v * v;
        return (float)sum;
    }

    /// <summary>
    /// Each thread claims blocks of queries from a shared counter (so a slow thread does not hold
    /// the others up) and runs its own single-threaded GEMM per block: the pool is busy with this
    /// job, so <see cref="Gemm"/> called inside it stays on the calling thread.
    /// </summary>
    private sealed unsafe class SearchJob(float* train, int trainRows, float[] trainNorms, float[] queries, int queryRows, int dims, int k, Neighbors result, EngineOptions engine)
        : WorkerPool.IParallelJob
    {
        private int nextBlock;

        void WorkerPool.IParallelJob.RunPart(int part, int parts)
        {
            int tileColumns = Math.Min(TrainBlock, trainRows);
            float[] tile = ArrayPool<float>.Shared.Rent(QueryBlock * tileColumns);
            try
            {
                var trainSpan = new ReadOnlySpan<float>(train, trainRows * dims);
                int blocks = (queryRows + QueryBlock - 1) / QueryBlock;
                for (int b = Interlocked.Increment(ref nextBlock) - 1; b < blocks; b = Interlocked.Increment(ref nextBlock) - 1)
                {
                    int q0 = b * QueryBlock, count = Math.Min(QueryBlock, queryRows - q0);
                    var distances = result.SquaredDistances.AsSpan(q0 * k, count * k);
                    var indices = result.Indices.AsSpan(q0 * k, count * k);
                    distances.Fill(float.PositiveInfinity);
                    indices.Fill(-1);
                    for (int t0 = 0; t0 < trainRows; t0 += TrainBlock)
                    {
                        int columns = Math.Min(TrainBlock, trainRows - t0);
                        Gemm.Multiply(false, true, count, columns, dims, queries.AsSpan(q0 * dims, count * dims), dims,
                            trainSpan.Slice(t0 * dims, columns * dims), dims, tile, columns, accumulate: false, engine);
                        for (int r = 0; r < count; r++)
                            Scan(tile.AsSpan(r * columns, columns), trainNorms.AsSpan(t0, columns), t0, distances.Slice(r * k, k), indices.Slice(r * k, k));
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(tile);
            }
        }
    }

    /// <summary>
    /// Merges one block row of −2a·b (plus ‖b‖²) into the query's sorted top-k. Most candidates lose
    /// to the current k-th distance, so the comparison runs a vector at a time and only winners are inserted.
    /// </summary>
    private static void Scan(ReadOnlySpan<float> products, ReadOnlySpan<float> norms, int offset, Span<float> best, Span<int> bestIndex)
    {
        int k = best.Length, j = 0;
        float worst = best[k - 1];
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            for (; j <= products.Length - width; j += width)
            {
                var d = new Vector<float>(products.Slice(j, width)) + new Vector<float>(norms.Slice(j, width));
                if (!Vector.LessThanAny(d, new Vector<float>(worst))) continue;
                for (int lane = 0; lane < width; lane++)
                {
                    if (d[lane] < worst) worst = Insert(d[lane], offset + j + lane, best, bestIndex);
                }
            }
        }
        for (; j < products.Length; j++)
        {
            float d = products[j] + norms[j];
            if (d < worst) worst = Insert(d, offset + j, best, bestIndex);
        }
    }

    /// <summary>Inserts after any equal distance (training rows arrive in index order, so ties keep the lower index first); returns the new k-th distance.</summary>
    private static float Insert(float distance, int index, Span<float> best, Span<int> bestIndex)
    {
        int i = best.Length - 1;
        while (i > 0 && best[i - 1] > distance)
        {
            best[i] = best[i - 1];
            bestIndex[i] = bestIndex[i - 1];
            i--;
        }
        best[i] = distance;
        bestIndex[i] = index;
        return best[^1];
    }
}
