using System.CommandLine;
using System.Globalization;
using Bottleneck.Data;
using Bottleneck.Layers;
using Bottleneck.Models;
using Bottleneck.Tensors;
using Bottleneck.Training;

namespace Bottleneck.Cli.Commands;

/// <summary>`bottleneck train`: the tutorial autoencoder by default, every setting an option.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model kind: vanilla (the tutorial model) or deep (any stack of --hidden layers)", DefaultValueFactory = _ => "vanilla" };
        var dataset = new Option<string>("--dataset") { Description = "Named dataset: mnist or fashion-mnist", DefaultValueFactory = _ => "mnist" };
        var data = new Option<string?>("--data") { Description = "Folder holding the dataset's IDX files (else $BOTTLENECK_DATA, the user cache, then a download)" };
        var hidden = new Option<string>("--hidden") { Description = "Hidden layer sizes, input side first, e.g. 400 or 256,128 (the decoder mirrors them)", DefaultValueFactory = _ => "400" };
        var latent = new Option<int>("--latent") { Description = "Size of the code", DefaultValueFactory = _ => 20 };
        var activation = new Option<string>("--activation") { Description = $"Hidden activation: {string.Join(", ", Activation.Names)}", DefaultValueFactory = _ => "relu" };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training set", DefaultValueFactory = _ => 10 };
        var batchSize = new Option<int>("--batch-size") { Description = "Items per training step", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 1e-3 };
        var loss = new Option<string>("--loss") { Description = "Reconstruction loss, summed over an item's values: bce or mse", DefaultValueFactory = _ => "bce" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the initialisation and the shuffling", DefaultValueFactory = _ => 42UL };
        var output = new Option<string?>("--out") { Description = "Run folder (default runs/<timestamp>)" };
        var initWeights = new Option<string?>("--init-weights") { Description = "Start from these weights (safetensors with PyTorch state_dict names)" };
        var noShuffle = new Option<bool>("--no-shuffle") { Description = "Keep batches in file order (to reproduce an unshuffled PyTorch run batch for batch)" };
        var threads = new Option<int>("--threads") { Description = "Worker threads (default: all cores); results are identical for a given count", DefaultValueFactory = _ => Environment.ProcessorCount };
        var force = new Option<bool>("--force") { Description = "Write into a run folder that is not empty" };
        var limit = new Option<int?>("--limit") { Description = "Train on the first N training items only (quick tries)" };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Epochs between checkpoints (weights, optimizer, epoch, random state)", DefaultValueFactory = _ => 1 };
        var resume = new Option<string?>("--resume") { Description = "Continue the stopped run in this folder from its last checkpoint, with its settings (--data, --epochs and --threads may be given)" };

        var command = new Command("train", "Train an autoencoder and write a run folder (model, metrics, pictures).\n\nExample:\n  bottleneck train --data ../shared/datasets/mnist --out runs/tutorial")
        {
            model, dataset, data, hidden, latent, activation, epochs, batchSize, lr, loss, seed, output, initWeights, noShuffle, threads, force, limit, checkpointEvery, resume,
        };
        command.SetAction(parse =>
        {
            var settings = new TrainSettings
            {
                Kind = OptionParsing.OneOf(parse.GetValue(model)!, "--model", "vanilla", "deep"),
                Dataset = OptionParsing.OneOf(parse.GetValue(dataset)!, "--dataset", DatasetLocator.Names.ToArray()),
                DataPath = parse.GetValue(data),
                Hidden = OptionParsing.LayerList(parse.GetValue(hidden)!, "--hidden"),
                Latent = OptionParsing.AtLeast(parse.GetValue(latent), 1, "--latent"),
                Activation = OptionParsing.OneOf(parse.GetValue(activation)!, "--activation", Activation.Names),
                Epochs = OptionParsing.AtLeast(parse.GetValue(epochs), 1, "--epochs"),
                BatchSize = OptionParsing.AtLeast(parse.GetValue(batchSize), 1, "--batch-size"),
                LearningRate = OptionParsing.Positive(parse.GetValue(lr), "--lr"),
                Loss = OptionParsing.OneOf(parse.GetValue(loss)!, "--loss", "bce", "mse"),
                Seed = parse.GetValue(seed),
                OutputDirectory = parse.GetValue(output) ?? Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)),
                InitWeights = parse.GetValue(initWeights),
                Shuffle = !parse.GetValue(noShuffle),
                Threads = OptionParsing.AtLeast(parse.GetValue(threads), 1, "--threads"),
                Force = parse.GetValue(force),
                Limit = parse.GetValue(limit) is int l ? OptionParsing.AtLeast(l, 1, "--limit") : null,
                CheckpointEvery = OptionParsing.AtLeast(parse.GetValue(checkpointEvery), 1, "--checkpoint-every"),
            };
            if (parse.GetValue(resume) is { } runDirectory)
            {
                var allowed = new HashSet<Option> { data, epochs, threads, resume };
                var extra = command.Options.FirstOrDefault(o => !allowed.Contains(o) && parse.GetResult(o) is { Implicit: false });
                if (extra is not null)
                    throw new UsageException($"{extra.Name} cannot be combined with --resume: a resumed run keeps the settings in {Path.Combine(runDirectory, ModelFile.JsonName)}");
                settings = ResumeSettings(runDirectory, settings,
                    parse.GetResult(epochs) is { Implicit: false }, parse.GetResult(threads) is { Implicit: false });
            }
            return Run(settings);
        });
        return command;
    }

    private sealed record TrainSettings
    {
        public required string Kind { get; init; }
        public required string Dataset { get; init; }
        public string? DataPath { get; init; }
        public required int[] Hidden { get; init; }
        public required int Latent { get; init; }
        public required string Activation { get; init; }
        public required int Epochs { get; init; }
        public required int BatchSize { get; init; }
        public required double LearningRate { get; init; }
        public required string Loss { get; init; }
        public required ulong Seed { get; init; }
        public required string OutputDirectory { get; init; }
        public string? InitWeights { get; init; }
        public required bool Shuffle { get; init; }
        public required int Threads { get; init; }
        public required bool Force { get; init; }
        public int? Limit { get; init; }
        public required int CheckpointEvery { get; init; }
        public string? ResumeFrom { get; init; }
        public int EpochsDone { get; init; }
    }

    /// <summary>The settings of the run in <paramref name="directory"/>, with the few that may change on resume.</summary>
    private static TrainSettings ResumeSettings(string directory, TrainSettings given, bool epochsGiven, bool threadsGiven)
    {
        string checkpoint = Path.Combine(directory, Checkpoint.FileName);
        if (!File.Exists(checkpoint))
            throw new BottleneckException($"{directory}: no {Checkpoint.FileName} to resume from (a run writes one after each finished epoch)");
        var json = ModelFile.ReadJson(Path.Combine(directory, ModelFile.JsonName));
        var t = json.Training ?? throw new BottleneckException($"{Path.Combine(directory, ModelFile.JsonName)}: has no training settings to resume with");
        var a = json.Architecture;
        return given with
        {
            Kind = json.Kind,
            Dataset = t.Dataset,
            Hidden = a.Hidden,
            Latent = a.Latent,
            Activation = a.Activation,
            Loss = json.Loss,
            Epochs = epochsGiven ? given.Epochs : t.Epochs,
            BatchSize = t.BatchSize,
            LearningRate = t.LearningRate,
            Seed = t.Seed,
            Shuffle = t.Shuffle,
            Threads = threadsGiven ? given.Threads : t.Threads,
            OutputDirectory = directory,
            InitWeights = null,
            Limit = t.Limit,
            CheckpointEvery = t.CheckpointEvery,
            ResumeFrom = checkpoint,
            Force = true,
        };
    }

    private static int Run(TrainSettings s)
    {
        // A folder with anything in it may be another run's: keep it unless told otherwise.
        if (!s.Force && Directory.Exists(s.OutputDirectory) && Directory.EnumerateFileSystemEntries(s.OutputDirectory).Any())
            throw new UsageException($"{s.OutputDirectory} already exists and is not empty; choose another --out, add --force to overwrite it, or --resume it");
        Engine.Threads = s.Threads;
        var resumed = s.ResumeFrom is { } checkpointPath ? Checkpoint.Load(checkpointPath) : null;

        string directory = new DatasetLocator().Locate(s.Dataset, s.DataPath);
        var (train, test) = Mnist.Load(directory, s.Dataset);
        if (s.Limit is int limit && limit < train.Count) train = train.Slice(0, limit);

        var config = new AutoencoderConfig
        {
            Kind = s.Kind,
            InputSize = train.FeatureCount,
            InputShape = train.SampleShape,
            Hidden = s.Hidden,
            Latent = s.Latent,
            Activation = s.Activation,
            Loss = s.Loss,
            OutputActivation = "sigmoid",
        };
        var autoencoder = new Autoencoder(config, s.Seed);
        if (s.InitWeights is { } init)
        {
            if (!File.Exists(init)) throw new BottleneckException($"{init}: no such file (--init-weights)");
            autoencoder.LoadStateDict(IO.SafeTensorsFile.Read(init).Tensors, init);
        }

        var options = new FitOptions
        {
            Epochs = s.Epochs,
            BatchSize = s.BatchSize,
            LearningRate = s.LearningRate,
            Shuffle = s.Shuffle,
            Seed = s.Seed,
            Validation = test,
            CheckpointPath = Path.Combine(s.OutputDirectory, Checkpoint.FileName),
            CheckpointEvery = s.CheckpointEvery,
            ResumeFrom = resumed,
        };
        TrainingJson Describe(EpochEnd e) => new()
        {
            Dataset = s.Dataset,
            Epochs = s.Epochs,
            EpochsDone = e.Epoch,
            Limit = s.Limit,
            CheckpointEvery = s.CheckpointEvery,
            BatchSize = s.BatchSize,
            LearningRate = s.LearningRate,
            Optimizer = "adam",
            Shuffle = s.Shuffle,
            Seed = s.Seed,
            Threads = s.Threads,
            InitWeights = s.InitWeights,
        };

        Console.WriteLine($"Training {autoencoder.Config.Kind} autoencoder {FormatLayers(config)} ({autoencoder.ParameterCount:N0} parameters) on {s.Dataset}: " +
            $"{train.Count} train / {test.Count} test items, {s.Loss.ToUpperInvariant()} loss, Adam lr {s.LearningRate.ToString(CultureInfo.InvariantCulture)}, batch {s.BatchSize}, {s.Epochs} epochs, {s.Threads} threads");
        if (resumed is not null) Console.WriteLine($"Resuming after epoch {resumed.Epoch} from {resumed.Path}");
        var runFolder = new RunFolder(s.OutputDirectory, autoencoder, test, Describe, resumed?.History);
        var history = ConsoleProgress.Run(reporter => autoencoder.Fit(train, options, new CallbackList(reporter, runFolder)));
        var last = history.Last!;
        Console.WriteLine($"Done in {last.ElapsedSeconds:F1} s: test loss {last.TestLoss:F4}. Run folder: {s.OutputDirectory}");
        return 0;
    }

    private static string FormatLayers(AutoencoderConfig c) =>
        string.Join("-", new[] { c.InputSize }.Concat(c.Hidden).Append(c.Latent));
}
