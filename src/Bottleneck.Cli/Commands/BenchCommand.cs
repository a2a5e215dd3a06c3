using System.CommandLine;
using System.Globalization;
using Bottleneck.Applications;
using Bottleneck.Data;
using Bottleneck.Tensors;

namespace Bottleneck.Cli.Commands;

/// <summary>`bottleneck bench anomaly`: the anomaly-detection benchmarks anyone can rerun.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var suite = new Option<string>("--suite") { Description = "adbench (ADBench classical datasets under 60,000 rows) or mnist-one-class", Required = true };
        var data = new Option<string>("--data") { Description = "Folder of the ADBench .npz files, or of the MNIST IDX files", Required = true };
        var seeds = new Option<string>("--seeds") { Description = "adbench: split seeds, comma separated", DefaultValueFactory = _ => "0,1,2" };
        var ensemble = new Option<int>("--ensemble") { Description = "Autoencoders averaged per detector", DefaultValueFactory = _ => new AnomalyOptions().Ensemble };
        var epochs = new Option<int>("--epochs") { Description = "Maximum epochs per autoencoder (early stopping on a 10% validation split)", DefaultValueFactory = _ => new AnomalyOptions().Epochs };
        var scale = new Option<string?>("--scale") { Description = "Per-feature scaling fitted on each training split: standard, minmax or none (default standard; mnist-one-class: none, pixels / 255)" };
        var score = new Option<string?>("--score") { Description = "Member score: weighted (squared error, each feature against its own typical error), combined (weighted plus the code's distance from the training codes) or error (plain squared error); default weighted, mnist-one-class: error" };
        var trim = new Option<double?>("--trim") { Description = "Share of the training items (the highest-scoring after a first fit) dropped before each member's final fit; 0 fits once (default 0.25, mnist-one-class: 0)" };
        var only = new Option<string?>("--only") { Description = "Run only the datasets (or digits) whose name contains this text" };
        var threads = new Option<int>("--threads") { Description = "Worker threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var anomaly = new Command("anomaly", "Anomaly detection benchmarks: one line per dataset, then the mean ROC-AUC.\n\nExamples:\n" +
            "  bottleneck bench anomaly --suite adbench --data ../shared/datasets/adbench\n" +
            "  bottleneck bench anomaly --suite mnist-one-class --data ../shared/datasets/mnist")
        {
            suite, data, seeds, ensemble, epochs, scale, score, trim, only, threads,
        };
        anomaly.SetAction(parse =>
        {
            var engine = new EngineOptions { Threads = OptionParsing.Threads(parse.GetValue(threads)) };
            string name = OptionParsing.OneOf(parse.GetValue(suite)!, "--suite", "adbench", "mnist-one-class");
            var options = (name == "adbench" ? new AnomalyOptions() : AnomalyOptions.CleanImages) with
            {
                Engine = engine,
                Ensemble = OptionParsing.AtLeast(parse.GetValue(ensemble), 1, "--ensemble"),
                Epochs = OptionParsing.AtLeast(parse.GetValue(epochs), 1, "--epochs"),
            };
            if (parse.GetValue(scale) is { } sc) options = options with { Scale = OptionParsing.OneOf(sc, "--scale", "standard", "minmax", "none") };
            if (parse.GetValue(score) is { } sm) options = options with { Score = OptionParsing.OneOf(sm, "--score", MemberCalibration.ScoreNames) };
            if (parse.GetValue(trim) is { } t)
                options = options with { Trim = t >= 0 && t < 1 ? t : throw new UsageException($"--trim takes a share from 0 up to (not including) 1, got {t.ToString(CultureInfo.InvariantCulture)}") };
            string? filter = parse.GetValue(only);
            var lines = new List<BenchmarkLine>();
            void Report(BenchmarkLine line)
            {
                lines.Add(line);
                Console.WriteLine(line);
            }
            if (name == "adbench")
            {
                var seedList = parse.GetValue(seeds)!.Split(',', StringSplitOptions.TrimEntries)
                    .Select(s => ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v) ? v : throw new UsageException($"--seeds takes numbers separated by commas, got '{s}'"))
                    .ToArray();
                foreach (var file in AnomalyBenchmark.AdbenchFiles(parse.GetValue(data)!))
                    if (filter is null || Path.GetFileName(file).Contains(filter, StringComparison.OrdinalIgnoreCase))
                        Report(AnomalyBenchmark.RunAdbench(file, options, seedList));
            }
            else
            {
                var (train, test) = Mnist.Load(new DatasetLocator().Locate("mnist", parse.GetValue(data)), "mnist");
                for (int digit = 0; digit < 10; digit++)
                    if (filter is null || digit.ToString(CultureInfo.InvariantCulture).Contains(filter, StringComparison.Ordinal))
                        Report(AnomalyBenchmark.RunMnistDigit(train, test, digit, options));
            }
            if (lines.Count == 0) throw new UsageException($"--only '{filter}' matches no dataset");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mean ROC-AUC: {lines.Average(l => l.RocAuc):F4} over {lines.Count} datasets"));
            return 0;
        });
        return new Command("bench", "Benchmarks") { anomaly };
    }
}
