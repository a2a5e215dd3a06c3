using System.Diagnostics;
using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Optimizers;
using Bottleneck.Tensors;

namespace Bottleneck.Bench;

/// <summary>Temporary: training steps with settings alternated window by window inside one process.</summary>
public static class Experiment
{
    public static int Run(string[] args)
    {
        int[] modes = args[0].Split(',').Select(int.Parse).ToArray();
        var (train, _) = Mnist.Load("../shared/datasets/mnist");
        var model = new Autoencoder(new AutoencoderConfig(), seed: 42);
        var adam = new Adam(model.Parameters);
        var batch = new Tensor(128, 784);
        var grad = new Tensor(128, 784);
        var order = Enumerable.Range(0, train.Count).ToArray();
        const int Windows = 60, Steps = 20;
        var times = modes.Select(_ => new List<double>()).ToArray();
        int step = 0;
        for (int w = -3; w < Windows; w++)
        {
            for (int mi = 0; mi < modes.Length; mi++)
            {
                Gemm.Mode = modes[mi] % 10;
                Elementwise.Serial = modes[mi] / 10 % 2 == 1;
                Bottleneck.Layers.Linear.NoPair = modes[mi] >= 20;
                long t0 = Stopwatch.GetTimestamp();
                for (int s = 0; s < Steps; s++, step++)
                {
                    train.GetBatch(order.AsSpan((step % 400) * 128, 128), batch);
                    var y = model.Forward(batch, true);
                    model.Loss.Forward(y, batch);
                    model.Loss.Backward(y, batch, grad);
                    model.Backward(grad);
                    foreach (var p in model.Parameters) p.Grad.AllFinite();
                    adam.Update();
                }
                if (w >= 0) times[mi].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds / Steps);
            }
        }
        for (int mi = 0; mi < modes.Length; mi++)
        {
            var t = times[mi].Order().ToArray();
            Console.WriteLine($"mode {modes[mi]}: median {t[t.Length / 2]:F3} ms/step, p25 {t[t.Length / 4]:F3}, best {t[0]:F3}");
        }
        return 0;
    }
}

/// <summary>Temporary: GEMM shapes with settings alternated call batch by call batch.</summary>
public static class GemmExperiment
{
    public static int Run(string[] args)
    {
        int[] modes = args[0].Split(',').Select(int.Parse).ToArray();
        (bool, bool, int, int, int)[] shapes =
        [
            (false, true, 128, 400, 784), (false, false, 128, 784, 400), (true, false, 400, 784, 128),
            (false, true, 128, 784, 400), (false, false, 128, 400, 784), (true, false, 784, 400, 128),
            (false, true, 128, 20, 400), (false, false, 128, 400, 20), (true, false, 20, 400, 128),
            (false, true, 128, 400, 20), (false, false, 128, 20, 400), (true, false, 400, 20, 128),
            (false, true, 1000, 400, 784), (false, true, 1000, 784, 400),
        ];
        var random = new Random(1);
        string only = args.Length > 1 ? args[1] : "";
        foreach (var (ta, tb, m, n, k) in shapes)
        {
            if (!$"{(ta ? 'T' : 'N')}{(tb ? 'T' : 'N')} {m}x{n}x{k}".Contains(only, StringComparison.Ordinal)) continue;
            float[] a = new float[m * k], b = new float[n * k], c = new float[m * n];
            for (int i = 0; i < a.Length; i++) a[i] = (float)random.NextDouble();
            for (int i = 0; i < b.Length; i++) b[i] = (float)random.NextDouble();
            int lda = ta ? m : k, ldb = tb ? k : n;
            double flops = 2.0 * m * n * k;
            int calls = Math.Max(1, (int)(0.005 * 100e9 / flops));
            var times = modes.Select(_ => new List<double>()).ToArray();
            for (int r = -3; r < (only.Length > 0 ? 400 : 40); r++)
            {
                for (int mi = 0; mi < modes.Length; mi++)
                {
                    Gemm.Mode = modes[mi];
                    long t0 = Stopwatch.GetTimestamp();
                    for (int i = 0; i < calls; i++) Gemm.Multiply(ta, tb, m, n, k, a, lda, b, ldb, c, n, false);
                    if (r >= 0) times[mi].Add(flops * calls / Stopwatch.GetElapsedTime(t0).TotalSeconds / 1e9);
                }
            }
            Console.Write($"{(ta ? 'T' : 'N')}{(tb ? 'T' : 'N')} {m}x{n}x{k}:");
            for (int mi = 0; mi < modes.Length; mi++)
            {
                var t = times[mi].Order().ToArray();
                Console.Write($"  m{modes[mi]} {t[t.Length / 2],6:F1} ({t[t.Length * 3 / 4],6:F1})");
            }
            Console.WriteLine("   GFLOP/s median (p75)");
        }
        return 0;
    }
}

/// <summary>Temporary: packing costs.</summary>
public static unsafe class PackExperiment
{
    public static int Run(string[] args)
    {
        int n = 400, k = 784;
        var w = new float[n * k];
        var w2 = new float[k * n];
        for (int i = 0; i < w.Length; i++) w[i] = i;
        var dst = GC.AllocateUninitializedArray<float>(416 * 800, pinned: true);
        int kc = GemmBlocking.Kc(k);
        fixed (float* pw = w, pw2 = w2, pd = dst)
        {
            for (int rep = 0; rep < 5; rep++)
            {
                long t0 = Stopwatch.GetTimestamp();
                for (int it = 0; it < 100; it++)
                    for (int pc = 0; pc < k; pc += kc)
                        GemmPacking.PackB<GemmKernel512>(true, pw, k, pc, Math.Min(kc, k - pc), 0, n, pd);
                double tTrans = Stopwatch.GetElapsedTime(t0).TotalMilliseconds / 100;
                t0 = Stopwatch.GetTimestamp();
                for (int it = 0; it < 100; it++)
                    for (int pc = 0; pc < k; pc += kc)
                        GemmPacking.PackB<GemmKernel512>(false, pw2, n, pc, Math.Min(kc, k - pc), 0, n, pd);
                double tCopy = Stopwatch.GetElapsedTime(t0).TotalMilliseconds / 100;
                t0 = Stopwatch.GetTimestamp();
                for (int it = 0; it < 100; it++)
                    for (int pc = 0; pc < k; pc += kc)
                        GemmPacking.PackA<GemmKernel512>(false, pw, k, 0, 64, pc, Math.Min(kc, k - pc), pd);
                double tA = Stopwatch.GetElapsedTime(t0).TotalMilliseconds / 100;
                Console.WriteLine($"PackB transposed 400x784: {tTrans * 1000:F1} us, copy: {tCopy * 1000:F1} us, PackA transposed 64x784: {tA * 1000:F1} us");
            }
        }
        return 0;
    }
}

/// <summary>Temporary: the micro-kernel alone on L1-resident panels.</summary>
public static unsafe class KernelExperiment
{
    public static int Run(string[] args)
    {
        int kc = args.Length > 0 ? int.Parse(args[0]) : 196;
        var a = GC.AllocateUninitializedArray<float>(8 * kc, pinned: true);
        var b = GC.AllocateUninitializedArray<float>(32 * kc, pinned: true);
        var c = GC.AllocateUninitializedArray<float>(8 * 32, pinned: true);
        for (int i = 0; i < a.Length; i++) a[i] = 1e-3f * i;
        for (int i = 0; i < b.Length; i++) b[i] = 1e-3f * i;
        fixed (float* pa = a, pb = b, pc = c)
        {
            for (int rep = 0; rep < 6; rep++)
            {
                const int Calls = 100_000;
                long t0 = Stopwatch.GetTimestamp();
                for (int i = 0; i < Calls; i++) GemmKernel512.Run(kc, pa, pb, pc, 32, true);
                double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                Console.WriteLine($"kernel 8x32, kc {kc}: {2.0 * 8 * 32 * kc * Calls / s / 1e9:F1} GFLOP/s");
            }
        }
        return 0;
    }
}
