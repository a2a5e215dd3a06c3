using System.Diagnostics;
using Bottleneck.Tensors;

namespace Bottleneck.Bench;

/// <summary>
/// GFLOP/s of <see cref="Gemm.Multiply"/> on the products one training step of the seed
/// autoencoder (784→400→20→400→784, batch 128) performs, plus a large square. For each Linear
/// layer in→out: forward NT (m=batch, n=out, k=in), input gradient NN (m=batch, n=in, k=out),
/// weight gradient TN (m=out, n=in, k=batch). Best of several timed repetitions, since other
/// processes may share the machine.
/// </summary>
internal static class GemmBenchmark
{
    private const int Batch = 128;
    private static readonly (int In, int Out)[] Layers = [(784, 400), (400, 20), (20, 400), (400, 784)];

    public static int Run(string[] args)
    {
        int threads = EngineOptions.Default.Threads, reps = 20;
        GemmPath path = GemmPath.Auto;
        string only = "";
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--threads": threads = int.Parse(args[i + 1]); break;
                case "--path": path = Enum.Parse<GemmPath>(args[i + 1], ignoreCase: true); break;
                case "--reps": reps = int.Parse(args[i + 1]); break;
                case "--only": only = args[i + 1]; break;
                default:
                    Console.Error.WriteLine($"gemm: unknown option {args[i]}");
                    return 2;
            }
        }
        var engine = new EngineOptions { Threads = threads, Kernel = path };
        GemmPath actual = GemmPaths.Resolve(path);

        var shapes = new List<(bool TransA, bool TransB, int M, int N, int K)>();
        foreach (var (input, output) in Layers)
        {
            shapes.Add((false, true, Batch, output, input));
            shapes.Add((false, false, Batch, input, output));
            shapes.Add((true, false, output, input, Batch));
        }
        shapes.Add((false, false, 1024, 1024, 1024));

        foreach (var (transA, transB, m, n, k) in shapes)
        {
            string op = $"{(transA ? 'T' : 'N')}{(transB ? 'T' : 'N')}";
            if (!$"{op} {m}x{n}x{k}".Contains(only, StringComparison.Ordinal)) continue;
            double gflops = Measure(transA, transB, m, n, k, reps, engine);
            Console.WriteLine($"gemm {op} {m}x{n}x{k}  GFLOP/s: {gflops:F1} (path {actual}, threads {threads})");
        }
        return 0;
    }

    /// <summary>Best GFLOP/s over <paramref name="reps"/> timed batches of calls of about 20 ms each.</summary>
    private static double Measure(bool transA, bool transB, int m, int n, int k, int reps, EngineOptions engine)
    {
        var random = new Random(1);
        float[] a = Fill(random, m * k), b = Fill(random, k * n), c = new float[m * n];
        int lda = transA ? m : k, ldb = transB ? k : n;
        double flops = 2.0 * m * n * k;
        int calls = Math.Max(1, (int)(0.02 * 100e9 / flops));

        for (int i = 0; i < Math.Max(3, calls / 4); i++) // warm-up: JIT, workspaces, workers
            Gemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, c, n, false, engine);

        double best = 0;
        for (int r = 0; r < reps; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++)
                Gemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, c, n, false, engine);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, flops * calls / seconds / 1e9);
        }
        return best;
    }

    private static float[] Fill(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
