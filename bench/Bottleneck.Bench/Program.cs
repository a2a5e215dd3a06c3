namespace Bottleneck.Bench;

/// <summary>
/// Benchmark entry point: <c>dotnet run -c Release --project bench/Bottleneck.Bench -- MODE [args]</c>.
/// Each mode lives in its own class; add a case here for a new one.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string mode = args.Length > 0 ? args[0] : "";
        string[] rest = args.Length > 1 ? args[1..] : [];
        switch (mode)
        {
            case "gemm":
                return GemmBenchmark.Run(rest);
            case "train":
                return TrainBenchmark.Run(rest);
            case "profile":
                return StepProfile.Run(rest);
            case "run":
                return RunProfile.Run(rest);
            case "checksum":
                return ChecksumBenchmark.Run(rest);
            case "csv":
                return CsvBenchmark.Run(rest);
            default:
                Console.Error.WriteLine("usage: Bottleneck.Bench MODE [options]");
                Console.Error.WriteLine("modes:");
                Console.Error.WriteLine("  gemm [--threads N] [--path Auto|Vector512|Vector256|Scalar] [--reps N] [--only TEXT]");
                Console.Error.WriteLine("       GFLOP/s of the seed autoencoder's training products (batch 128) and 1024^3;");
                Console.Error.WriteLine("       --only keeps the shapes whose \"OP MxNxK\" label contains TEXT");
                Console.Error.WriteLine("  train [--data DIR] [--epochs N] [--threads N]");
                Console.Error.WriteLine("       seed autoencoder on MNIST: samples/s, allocations per step, encode samples/s, peak memory");
                Console.Error.WriteLine("  profile [MNIST_DIR] [--from CHECKPOINT]");
                Console.Error.WriteLine("       milliseconds per training step, phase by phase (from a run's trained state with --from),");
                Console.Error.WriteLine("       each layer alone, and the fused passes against separate ones");
                Console.Error.WriteLine("  run [--data DIR] [--epochs N] [--threads N]");
                Console.Error.WriteLine("       a whole default run (evaluation, run folder, checkpoints): seconds per phase");
                Console.Error.WriteLine("  checksum [--mb N] [--reps N]");
                Console.Error.WriteLine("       CRC-32: System.IO.Hashing against the previous table loop; PNG encode and decode times");
                Console.Error.WriteLine("  csv [--rows N] [--columns N] [--reps N] [--file PATH]");
                Console.Error.WriteLine("       parse a numeric CSV (written to PATH first): CsvTable.Read against the Sep parser");
                return 2;
        }
    }
}
