using System.CommandLine;
using System.Globalization;
using Bottleneck.Data;
using Bottleneck.Layers;
using Bottleneck.Losses;
using Bottleneck.Models;
using Bottleneck.Reports;
using Bottleneck.Tensors;
using Bottleneck.Training;

namespace Bottleneck.Cli.Commands;

/// <summary>`bottleneck train`: the tutorial autoencoder by default, every setting an option.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var kindOption = new Option<string>("--kind") { Description = "Model kind: " + string.Join("; ", ModelKinds.Builtin.Append(ModelKind.Seq2Seq).Select(k => $"{k.Name()} ({ModelKinds.Describe(k)})")), DefaultValueFactory = _ => ModelKind.Vanilla.Name() };
        // Every other command's --model names a trained model; here it was the kind. It stays one release, with a warning.
        var model = new Option<string?>("--model") { Description = "Deprecated: the old name of --kind, kept for one release (it prints a warning)" };
        var dataset = new Option<string>("--dataset") { Description = "Named dataset: mnist, fashion-mnist or dsprites (written by 'bottleneck data dsprites')", DefaultValueFactory = _ => "mnist" };
        var data = new Option<string?>("--data") { Description = "Folder holding the dataset's IDX files (else $BOTTLENECK_DATA, the user cache, then a download for MNIST), or a table: .csv with a header, .npy, .npz (X and y)" };
        var testData = new Option<string?>("--test-data") { Description = "Table data: the test file (default: a seeded 10% of --data held out)" };
        var labelColumn = new Option<string?>("--label-column") { Description = "CSV: the label column (kept out of the features)" };
        var features = new Option<string?>("--features") { Description = "CSV: feature columns, comma separated (default: every numeric column but the label)" };
        var window = new Option<int?>("--window") { Description = "CSV time series: cut the rows into windows of N steps, the items of the model (needed by lstm, gru and attention; any other kind reads a window as one flat item)" };
        var stride = new Option<int?>("--stride") { Description = "Time series: steps between the starts of consecutive windows (default 1)" };
        var groupColumn = new Option<string?>("--group-column") { Description = "Time series: a column naming the series each row belongs to (e.g. a sensor id); windows never span two" };
        var embedding = new Option<int?>("--embedding") { Description = $"seq2seq: size of each character's embedding (default {Seq2SeqTrain.Defaults.Embedding})" };
        var clipNorm = new Option<double?>("--clip-norm") { Description = "Clip each step's gradient (of the loss per item) to this norm (default: no clipping)" };
        var lrSchedule = new Option<string?>("--lr-schedule") { Description = $"The learning rate over the run: cosine (decays to zero by the last step) or constant (default {FitOptions.Default.LrSchedule.Name()}; seq2seq {Seq2SeqAutoencoder.FitDefaults.LrSchedule.Name()})" };
        var heads = new Option<int?>("--heads") { Description = "attention: heads of each self-attention layer (default 4; they split the --hidden width)" };
        var scale = new Option<string?>("--scale") { Description = "Table data: per-feature scaling fitted on the training data: standard (default), minmax or none" };
        var hidden = new Option<string?>("--hidden") { Description = "Dense hidden layer sizes, input side first, e.g. 400 or 256,128 (the decoder mirrors them); default per kind" };
        var latent = new Option<int?>("--latent") { Description = "Size of the code (default 20; deep and sparse 32)" };
        var activation = new Option<string?>("--activation") { Description = $"Hidden activation, or one per hidden layer separated by commas: {string.Join(", ", Activation.Names)}" };
        var latentActivation = new Option<string?>("--latent-activation") { Description = "Activation on the code (default none: a linear code; sparse: relu, or sigmoid with --sparsity kl)" };
        var outputActivation = new Option<string?>("--output-activation") { Description = "Activation on the reconstruction (default sigmoid, for data in [0, 1])" };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training set", DefaultValueFactory = _ => FitOptions.Default.Epochs };
        var batchSize = new Option<int>("--batch-size") { Description = "Items per training step", DefaultValueFactory = _ => FitOptions.Default.BatchSize };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => FitOptions.Default.LearningRate };
        var weightDecay = new Option<double>("--weight-decay") { Description = "Adam's L2 weight decay", DefaultValueFactory = _ => FitOptions.Default.WeightDecay };
        var loss = new Option<string?>("--loss") { Description = "Reconstruction loss, summed over an item's values: bce or mse (default bce; deep: mse)" };
        var channels = new Option<string?>("--channels") { Description = "conv: channels of the stride-2 convolutions, input side first (default 16,32)" };
        var kernel = new Option<int?>("--kernel") { Description = "conv: kernel size (default 3)" };
        var batchNorm = new Option<bool>("--batch-norm") { Description = "Batch normalisation after every hidden layer, before its activation" };
        var dropout = new Option<double>("--dropout") { Description = "Dropout probability after every hidden activation", DefaultValueFactory = _ => 0 };
        var noise = new Option<string?>("--noise") { Description = $"denoising: corruption of the training inputs: {string.Join(", ", NamedEnum.Names<NoiseKind>())} (default gaussian)" };
        var noiseLevel = new Option<double?>("--noise-level") { Description = "denoising: gaussian standard deviation, or fraction masked or salted (default 0.5)" };
        var sparsity = new Option<string?>("--sparsity") { Description = "sparse: l1 (activity penalty on the code) or kl (mean activation toward --sparsity-target)" };
        var sparsityWeight = new Option<double?>("--sparsity-weight") { Description = "sparse: weight of the penalty (default 0.1)" };
        var sparsityTarget = new Option<double?>("--sparsity-target") { Description = "sparse with kl: target mean activation ρ (default 0.05)" };
        var contractiveWeight = new Option<double?>("--contractive-weight") { Description = "contractive: weight λ of ‖J‖²_F (default 1)" };
        var beta = new Option<double?>("--beta") { Description = "vae, beta-vae: weight β of the KL divergence (default 1; beta-vae 4)" };
        var mmdWeight = new Option<double?>("--mmd-weight") { Description = "info-vae: weight λ of N·MMD² between a batch's codes and N(0, I) (default 100)" };
        var tcWeight = new Option<double?>("--tc-weight") { Description = "factor-vae: weight γ of the discriminator's total-correlation estimate (default 35); tc-vae: weight β of the total-correlation part of the KL (default 6)" };
        var prior = new Option<string?>("--prior") { Description = $"aae: the prior of the codes: {string.Join(", ", NamedEnum.Names<PriorKind>())} (default gaussian; mixture: components on a circle in the first two code dimensions; categorical: a softmax cluster head of --prior-components values pushed to one-hot, for clustering, the rest of the code N(0, I))" };
        var priorComponents = new Option<int?>("--prior-components") { Description = "aae with --prior mixture or categorical: its components or clusters (default 10)" };
        var priorLabels = new Option<bool>("--prior-labels") { Description = "aae with --prior mixture: push each training item's code towards the component of its class label (labelled data; --prior-components at least the number of classes)" };
        var adversarialPhases = new Option<bool>("--adversarial-phases") { Description = "aae: train in the paper's phases (reconstruction step; then the discriminators; then the encoder alone as generator with its own Adam, lr 1e-3, beta1 0.5) instead of one shared step" };
        var codeBatchNorm = new Option<bool>("--code-batch-norm") { Description = "aae: batch normalisation of the encoder's output, the code (keeps a cluster head's softmax from saturating)" };
        var adversarialWeight = new Option<double?>("--adversarial-weight") { Description = "aae: weight λ of the adversarial penalty (default 1)" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the initialisation and the shuffling", DefaultValueFactory = _ => FitOptions.Default.Seed };
        var output = new Option<string?>("--out") { Description = "Run folder (default runs/<timestamp>)" };
        var initWeights = new Option<string?>("--init-weights") { Description = "Start from these weights (safetensors with PyTorch state_dict names)" };
        var noShuffle = new Option<bool>("--no-shuffle") { Description = "Keep batches in file order (to reproduce an unshuffled PyTorch run batch for batch)" };
        var threads = new Option<int>("--threads") { Description = "Worker threads (default: all cores); results are identical for a given count", DefaultValueFactory = _ => Environment.ProcessorCount };
        var force = new Option<bool>("--force") { Description = "Write into a run folder that is not empty" };
        var limit = new Option<int?>("--limit") { Description = "Train on the first N training items only (quick tries)" };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Epochs between checkpoints (weights, optimizer, epoch, random state)", DefaultValueFactory = _ => FitOptions.Default.CheckpointEvery };
        var resume = new Option<string?>("--resume") { Description = "Continue the stopped run in this folder from its last checkpoint, with its settings (--data, --test-data, --label-column, --features, --epochs and --threads may be given)" };

        var command = new Command("train", "Train an autoencoder and write a run folder (model, metrics, pictures).\n\nExamples:\n" +
            "  bottleneck train --data ../shared/datasets/mnist --out runs/tutorial\n" +
            "  bottleneck train --kind vae --data ../shared/datasets/mnist --out runs/vae\n" +
            "  bottleneck train --kind deep --hidden 256,128 --latent 32 --loss mse --data ../shared/datasets/mnist")
        {
            kindOption, model, dataset, data, testData, labelColumn, features, window, stride, groupColumn, heads, embedding, clipNorm, lrSchedule, scale, hidden, latent, activation, latentActivation, outputActivation, epochs, batchSize, lr, weightDecay, loss,
            channels, kernel, batchNorm, dropout, noise, noiseLevel, sparsity, sparsityWeight, sparsityTarget, contractiveWeight, beta,
            mmdWeight, tcWeight, prior, priorComponents, priorLabels, adversarialPhases, codeBatchNorm, adversarialWeight, seed, output, initWeights, noShuffle, threads, force, limit, checkpointEvery, resume,
        };
        // Options that only mean something for some kinds: given to another kind they are a mistake, not a no-op.
        var kindOptions = new (Option Option, ModelKind[] Kinds)[]
        {
            (channels, [ModelKind.Conv]), (kernel, [ModelKind.Conv]),
            (noise, [ModelKind.Denoising]), (noiseLevel, [ModelKind.Denoising]),
            (sparsity, [ModelKind.Sparse]), (sparsityWeight, [ModelKind.Sparse]), (sparsityTarget, [ModelKind.Sparse]),
            (contractiveWeight, [ModelKind.Contractive]), (beta, [ModelKind.Vae, ModelKind.BetaVae, ModelKind.InfoVae]), (mmdWeight, [ModelKind.InfoVae]),
            (tcWeight, [ModelKind.FactorVae, ModelKind.TcVae]),
            (prior, [ModelKind.Aae]), (priorComponents, [ModelKind.Aae]), (priorLabels, [ModelKind.Aae]), (adversarialPhases, [ModelKind.Aae]), (codeBatchNorm, [ModelKind.Aae]), (adversarialWeight, [ModelKind.Aae]),
            (heads, [ModelKind.Attention]), (embedding, [ModelKind.Seq2Seq]),
        };
        command.SetAction(parse =>
        {
            bool Given(Option o) => parse.GetResult(o) is { Implicit: false };
            // The fit's options over a kind's defaults (seq2seq's differ), parsed alike for every kind.
            FitOptions Fit(FitOptions defaults) => defaults with
            {
                Epochs = OptionParsing.AtLeast(parse.GetValue(epochs), 1, "--epochs"),
                BatchSize = OptionParsing.AtLeast(parse.GetValue(batchSize), 1, "--batch-size"),
                LearningRate = OptionParsing.Positive(parse.GetValue(lr), "--lr"),
                WeightDecay = OptionParsing.NotNegative(parse.GetValue(weightDecay), "--weight-decay"),
                Seed = parse.GetValue(seed),
                Shuffle = !parse.GetValue(noShuffle),
                CheckpointEvery = OptionParsing.AtLeast(parse.GetValue(checkpointEvery), 1, "--checkpoint-every"),
                ClipNorm = parse.GetValue(clipNorm) is double maxNorm ? OptionParsing.Positive(maxNorm, "--clip-norm") : null,
                LrSchedule = OptionParsing.Choice(parse.GetValue(lrSchedule), "--lr-schedule", defaults.LrSchedule, Enum.GetValues<LrScheduleKind>()),
            };
            var kind = Kind(parse, kindOption, model);
            foreach (var (option, kinds) in kindOptions)
                if (Given(option) && !kinds.Contains(kind))
                    throw new UsageException($"{option.Name} applies to --kind {string.Join(" or ", kinds.Select(NamedEnum.Name))}, not {kind.Name()}");
            if (kind == ModelKind.Seq2Seq)
            {
                // Text has its own few settings; the image, table and series options mean nothing to it.
                var applies = new HashSet<Option> { kindOption, model, data, testData, hidden, latent, embedding, clipNorm, lrSchedule, epochs, batchSize, lr, seed, output, initWeights, noShuffle, threads, force, limit };
                if (command.Options.FirstOrDefault(o => !applies.Contains(o) && Given(o)) is { } other)
                    throw new UsageException($"{other.Name} does not apply to --kind seq2seq (it reads a text file of one sequence per line)");
                var sizes = Seq2SeqTrain.Defaults;
                return Seq2SeqTrain.Run(new Seq2SeqTrain.Settings
                {
                    DataPath = parse.GetValue(data) ?? throw new UsageException("--kind seq2seq reads a text file of one sequence per line: give it with --data FILE"),
                    TestDataPath = parse.GetValue(testData),
                    Hidden = parse.GetValue(hidden) is { } hs ? OptionParsing.LayerList(hs, "--hidden") is [int one] ? one
                        : throw new UsageException("--hidden: a seq2seq model has one hidden size, that of its GRUs (e.g. --hidden 256)") : sizes.Hidden,
                    Latent = OptionParsing.AtLeast(parse.GetValue(latent) ?? sizes.Latent, 1, "--latent"),
                    Embedding = OptionParsing.AtLeast(parse.GetValue(embedding) ?? sizes.Embedding, 1, "--embedding"),
                    Fit = Fit(Seq2SeqAutoencoder.FitDefaults),
                    Threads = OptionParsing.Threads(parse.GetValue(threads)),
                    OutputDirectory = parse.GetValue(output) ?? Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)),
                    Force = parse.GetValue(force),
                    InitWeights = parse.GetValue(initWeights),
                    Limit = parse.GetValue(limit) is int lim ? OptionParsing.AtLeast(lim, 1, "--limit") : null,
                });
            }
            var d = ModelKinds.Defaults(kind);
            var sparsityKind = OptionParsing.Choice(parse.GetValue(sparsity), "--sparsity", d.Sparsity, Enum.GetValues<SparsityKind>());
            var config = d with
            {
                Hidden = parse.GetValue(hidden) is { } h ? OptionParsing.LayerList(h, "--hidden", allowEmpty: kind == ModelKind.Conv) : d.Hidden,
                Latent = OptionParsing.AtLeast(parse.GetValue(latent) ?? d.Latent, 1, "--latent"),
                Activation = parse.GetValue(activation) is { } a ? OptionParsing.ActivationList(a, "--activation") : d.Activation,
                LatentActivation = OptionParsing.Choice(parse.GetValue(latentActivation), "--latent-activation", sparsityKind == SparsityKind.Kl ? ActivationKind.Sigmoid : d.LatentActivation, Enum.GetValues<ActivationKind>()),
                OutputActivation = OptionParsing.Choice(parse.GetValue(outputActivation), "--output-activation", d.OutputActivation, Enum.GetValues<ActivationKind>()),
                Loss = OptionParsing.Choice(parse.GetValue(loss), "--loss", d.Loss, LossKind.Bce, LossKind.Mse),
                Channels = parse.GetValue(channels) is { } c ? OptionParsing.LayerList(c, "--channels") : d.Channels,
                Kernel = OptionParsing.AtLeast(parse.GetValue(kernel) ?? d.Kernel, 2, "--kernel"),
                BatchNorm = parse.GetValue(batchNorm),
                Dropout = OptionParsing.Fraction(parse.GetValue(dropout), "--dropout"),
                Noise = OptionParsing.Choice(parse.GetValue(noise), "--noise", d.Noise, Enum.GetValues<NoiseKind>()),
                NoiseLevel = OptionParsing.Positive(parse.GetValue(noiseLevel) ?? d.NoiseLevel, "--noise-level"),
                Sparsity = sparsityKind,
                SparsityWeight = OptionParsing.Positive(parse.GetValue(sparsityWeight) ?? d.SparsityWeight, "--sparsity-weight"),
                SparsityTarget = OptionParsing.Positive(parse.GetValue(sparsityTarget) ?? d.SparsityTarget, "--sparsity-target"),
                ContractiveWeight = OptionParsing.Positive(parse.GetValue(contractiveWeight) ?? d.ContractiveWeight, "--contractive-weight"),
                Beta = OptionParsing.Positive(parse.GetValue(beta) ?? d.Beta, "--beta"),
                MmdWeight = OptionParsing.Positive(parse.GetValue(mmdWeight) ?? d.MmdWeight, "--mmd-weight"),
                TcWeight = OptionParsing.Positive(parse.GetValue(tcWeight) ?? d.TcWeight, "--tc-weight"),
                Prior = OptionParsing.Choice(parse.GetValue(prior), "--prior", d.Prior, Enum.GetValues<PriorKind>()),
                PriorComponents = OptionParsing.AtLeast(parse.GetValue(priorComponents) ?? d.PriorComponents, 2, "--prior-components"),
                PriorLabels = parse.GetValue(priorLabels),
                AdversarialPhases = parse.GetValue(adversarialPhases),
                CodeBatchNorm = parse.GetValue(codeBatchNorm),
                AdversarialWeight = OptionParsing.Positive(parse.GetValue(adversarialWeight) ?? d.AdversarialWeight, "--adversarial-weight"),
                Heads = OptionParsing.AtLeast(parse.GetValue(heads) ?? d.Heads, 1, "--heads"),
            };
            if (Given(priorComponents) && config.Prior is not (PriorKind.Mixture or PriorKind.Categorical))
                throw new UsageException($"--prior-components applies to --prior mixture or categorical, not {config.Prior.Name()}");
            if (config.AdversarialPhases && Given(adversarialWeight))
                throw new UsageException("--adversarial-weight has no effect with --adversarial-phases: the generator's own Adam takes steps of the same size whatever the loss's scale");
            if (config.PriorLabels && config.Prior != PriorKind.Mixture)
                throw new UsageException($"--prior-labels applies to --prior mixture, not {config.Prior.Name()}");
            int? windowSteps = parse.GetValue(window) is int w ? OptionParsing.AtLeast(w, 1, "--window") : null;
            if (ModelKinds.IsSequence(kind) && windowSteps is null && parse.GetValue(resume) is null)
                throw new UsageException($"--kind {kind.Name()} reads windows of a time series: give --window N (and --data FILE.csv)");
            if (windowSteps is null && (Given(stride) || Given(groupColumn)))
                throw new UsageException("--stride and --group-column apply to time series cut into windows: give --window N too");
            var settings = new TrainSettings
            {
                Config = config,
                Dataset = OptionParsing.OneOf(parse.GetValue(dataset)!, "--dataset", DatasetLocator.Names.ToArray()),
                DataPath = parse.GetValue(data),
                TestDataPath = parse.GetValue(testData),
                LabelColumn = parse.GetValue(labelColumn),
                FeatureColumns = parse.GetValue(features)?.Split(',', StringSplitOptions.TrimEntries),
                Scale = parse.GetValue(scale) is { } sc ? OptionParsing.OneOf(sc, "--scale", "standard", "minmax", "none") : null,
                Window = windowSteps,
                Stride = OptionParsing.AtLeast(parse.GetValue(stride) ?? 1, 1, "--stride"),
                GroupColumn = parse.GetValue(groupColumn),
                Given = new ArchitectureGiven(Given(hidden), Given(latent), Given(outputActivation), Given(loss)),
                Fit = Fit(FitOptions.Default),
                OutputDirectory = parse.GetValue(output) ?? Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)),
                InitWeights = parse.GetValue(initWeights),
                Threads = OptionParsing.Threads(parse.GetValue(threads)),
                Force = parse.GetValue(force),
                Limit = parse.GetValue(limit) is int l ? OptionParsing.AtLeast(l, 1, "--limit") : null,
            };
            if (parse.GetValue(resume) is { } runDirectory)
            {
                if (Directory.Exists(runDirectory) && TextModel.Is(runDirectory))
                    throw new UsageException($"{runDirectory}: a seq2seq run, which keeps its model after every epoch but cannot be resumed yet; train again, or start from its weights with --init-weights {Path.Combine(runDirectory, ModelFile.WeightsName)}");
                var allowed = new HashSet<Option> { data, testData, labelColumn, features, epochs, threads, resume };
                var extra = command.Options.FirstOrDefault(o => !allowed.Contains(o) && Given(o));
                if (extra is not null)
                    throw new UsageException($"{extra.Name} cannot be combined with --resume: a resumed run keeps the settings in {Path.Combine(runDirectory, ModelFile.JsonName)}");
                settings = ResumeSettings(runDirectory, settings, Given(epochs), Given(threads));
            }
            return Run(settings);
        });
        return command;
    }

    private sealed record TrainSettings
    {
        /// <summary>The architecture; input size and shape are filled in from the data.</summary>
        public required AutoencoderConfig Config { get; init; }
        public required string Dataset { get; init; }
        public string? DataPath { get; init; }
        public string? TestDataPath { get; init; }
        public string? LabelColumn { get; init; }
        public string[]? FeatureColumns { get; init; }
        public string? Scale { get; init; }
        /// <summary>Time series: steps per window (null: the rows are the items).</summary>
        public int? Window { get; init; }
        public int Stride { get; init; } = 1;
        public string? GroupColumn { get; init; }
        public ArchitectureGiven Given { get; init; } = new(true, true, true, true);
        /// <summary>Epochs, batch size, learning rate, weight decay, shuffling, seed and checkpoint interval.</summary>
        public required FitOptions Fit { get; init; }
        public required string OutputDirectory { get; init; }
        public string? InitWeights { get; init; }
        public required int Threads { get; init; }
        public required bool Force { get; init; }
        public int? Limit { get; init; }
        public Checkpoint? ResumeFrom { get; init; }
    }

    /// <summary>Which architecture options the user set; the others follow the data (tables get a size-based default).</summary>
    private sealed record ArchitectureGiven(bool Hidden, bool Latent, bool OutputActivation, bool Loss);

    /// <summary>
    /// The settings of the run in <paramref name="directory"/>, with the few that may change on
    /// resume. They come from the checkpoint itself (which holds the run's model.json), so a kill
    /// between the checkpoint and model.json cannot strand a run; older checkpoints fall back to
    /// model.json.
    /// </summary>
    /// <summary>The kind to train: --kind, or the deprecated --model (with a warning on stderr); both at once is a mistake.</summary>
    private static ModelKind Kind(ParseResult parse, Option<string> kindOption, Option<string?> model)
    {
        string[] trainable = [.. ModelKinds.Names, ModelKind.Seq2Seq.Name()];
        if (parse.GetValue(model) is not { } old) return ModelKinds.Parse(OptionParsing.OneOf(parse.GetValue(kindOption)!, "--kind", trainable));
        if (parse.GetResult(kindOption) is { Implicit: false })
            throw new UsageException("--model is the old name of --kind: give --kind only");
        var kind = ModelKinds.Parse(OptionParsing.OneOf(old, "--model", trainable));
        Console.Error.WriteLine("bottleneck: warning: train --model is deprecated and goes in the next release; use --kind (every other command's --model names a trained model)");
        return kind;
    }

    private static TrainSettings ResumeSettings(string directory, TrainSettings given, bool epochsGiven, bool threadsGiven)
    {
        string checkpointPath = Path.Combine(directory, Checkpoint.FileName);
        if (!Directory.Exists(directory))
            throw new BottleneckException($"{directory}: no such run folder to resume");
        if (!File.Exists(checkpointPath))
            throw new BottleneckException($"{directory}: no {Checkpoint.FileName} to resume from (a run writes one after each finished epoch)");
        var checkpoint = Checkpoint.Load(checkpointPath);
        var json = checkpoint.Metadata.TryGetValue(RunMetadataKey, out var text)
            ? ModelFile.ParseJson(text, $"{checkpointPath} (its run settings)")
            : ModelFile.ReadJson(Path.Combine(directory, ModelFile.JsonName));
        var fit = json.Training ?? throw new BottleneckException($"{Path.Combine(directory, ModelFile.JsonName)}: has no training settings to resume with");
        var t = json.Run ?? throw new BottleneckException($"{Path.Combine(directory, ModelFile.JsonName)}: has no record of its data to resume with");
        if (given.DataPath is null && t.DataPath is { } recorded && !File.Exists(recorded) && !Directory.Exists(recorded))
            throw new BottleneckException($"{directory}: the run was trained on {recorded}, which is no longer there; give its data with --data");
        if (!threadsGiven && t.Threads > EngineOptions.MaxThreads)
            throw new UsageException($"{directory}: the run was trained with {t.Threads} threads, more than this machine allows ({EngineOptions.MaxThreads}); resume with --threads (the rest of the run then rounds differently)");
        return given with
        {
            Config = ModelFile.ToConfig(json),
            // The recorded architecture is complete: nothing in it follows the data any more.
            Given = new ArchitectureGiven(true, true, true, true),
            Dataset = t.Dataset,
            DataPath = given.DataPath ?? t.DataPath,
            TestDataPath = given.TestDataPath ?? t.TestDataPath,
            LabelColumn = given.LabelColumn ?? t.LabelColumn,
            FeatureColumns = given.FeatureColumns ?? t.FeatureColumns,
            // A table's scaling is refitted on the same training part, so it comes out the same.
            Scale = json.Normalization.Type is NormalizationKind.Standard or NormalizationKind.Minmax or NormalizationKind.None ? json.Normalization.Type.Name() : null,
            Window = json.Windows?.Length,
            Stride = json.Windows?.Stride ?? 1,
            GroupColumn = json.Windows?.GroupColumn,
            Fit = fit with { Epochs = epochsGiven ? given.Fit.Epochs : fit.Epochs },
            Threads = threadsGiven ? given.Threads : t.Threads,
            OutputDirectory = directory,
            InitWeights = null,
            Limit = t.Limit,
            ResumeFrom = checkpoint,
            Force = true,
        };
    }

    /// <summary>The fit's optimizer as the first line of a run says it: "Adam lr 0.001 with cosine decay, gradient norm clipped at 1".</summary>
    internal static string DescribeOptimizer(FitOptions fit) => string.Create(CultureInfo.InvariantCulture,
        $"Adam lr {fit.LearningRate}{(fit.LrSchedule == LrScheduleKind.Cosine ? " with cosine decay" : "")}{(fit.ClipNorm is double c ? $", gradient norm clipped at {c}" : "")}");

    /// <summary>The checkpoint entry that holds the run's model.json (settings, normalisation, data).</summary>
    private const string RunMetadataKey = "bottleneck.run";

    private static int Run(TrainSettings s)
    {
        // A folder with anything in it may be another run's: keep it unless told otherwise.
        if (!s.Force && !RunFolderLock.IsEmptyFolder(s.OutputDirectory)) throw NotEmpty(s.OutputDirectory);
        var engine = new EngineOptions { Threads = s.Threads };
        var resumed = s.ResumeFrom;

        // An image data set loads on about one core for a quarter of a second: meanwhile the other
        // compiles the training step's code (a throwaway step of the same model; see WarmUp).
        var warmUp = s.DataPath is { } dataPath && File.Exists(dataPath) || ModelSize.Check(s.Config, s.Fit.BatchSize, training: true) is not null
            ? Task.CompletedTask
            : Task.Run(() => WarmUp.Run(s.Config, s.Fit.BatchSize, engine));
        var data = LoadData(s);
        warmUp.Wait();
        var (train, test, normalization, dataName, _, _) = data;
        if (s.Limit is int limit && limit < train.Count) train = train.Slice(0, limit);

        var config = SizeToData(s, train);
        CheckSize(config, s, data.Source);
        var autoencoder = new Autoencoder(config, s.Fit.Seed, engine);
        if (DataRangeCheck.Warning(config, train) is { } warning) Console.Error.WriteLine($"bottleneck: warning: {warning}");
        if (s.InitWeights is { } init)
        {
            if (!File.Exists(init)) throw new BottleneckException($"{init}: no such file (--init-weights)");
            autoencoder.LoadStateDict(Formats.SafeTensorsFile.Read(init).Tensors, init);
        }

        RunJson Describe(int epochsDone) => new()
        {
            Dataset = dataName,
            EpochsDone = epochsDone,
            Threads = s.Threads,
            DataPath = data.Source,
            TestDataPath = s.TestDataPath is { } testPath ? Path.GetFullPath(testPath) : null,
            LabelColumn = s.LabelColumn,
            FeatureColumns = s.FeatureColumns,
            Limit = s.Limit,
            InitWeights = s.InitWeights,
        };
        var options = s.Fit with
        {
            Validation = test,
            CheckpointPath = Path.Combine(s.OutputDirectory, Checkpoint.FileName),
            // The checkpoint carries the run's settings itself: resumable even if killed before model.json.
            CheckpointMetadata = new Dictionary<string, string>
            {
                [RunMetadataKey] = ModelFile.ToJsonText(ModelFile.Describe(config) with { Normalization = normalization, Windows = data.Windows, Training = s.Fit, Run = Describe(0) }),
            },
            ResumeFrom = resumed,
        };

        Console.WriteLine($"Training {autoencoder.Config.Kind.Name()} autoencoder {FormatLayers(config)} ({autoencoder.ParameterCount:N0} parameters) on {dataName}: " +
            $"{train.Count} train / {test.Count} test items, {config.Loss.Name().ToUpperInvariant()} loss, {DescribeOptimizer(s.Fit)}, batch {s.Fit.BatchSize}, {s.Fit.Epochs} epochs, {s.Threads} threads");
        if (resumed is not null) Console.WriteLine($"Resuming after epoch {resumed.Epoch} from {resumed.Path}");

        History history;
        bool created = !Directory.Exists(s.OutputDirectory);
        using (var folderLock = RunFolderLock.Acquire(s.OutputDirectory))
        {
            try
            {
                // Checked again now that no other training can start writing here.
                if (!s.Force && !RunFolderLock.IsEmptyFolder(s.OutputDirectory)) throw NotEmpty(s.OutputDirectory);
                var runFolder = new RunFolder(s.OutputDirectory, autoencoder, test, s.Fit, e => Describe(e.Epoch), resumed?.History) { Normalization = normalization, Windows = data.Windows, TrainingData = train };
                history = ConsoleProgress.Run(reporter => Trainer.Fit(autoencoder, train, options, new CallbackList(reporter, runFolder)));
                foreach (var d in runFolder.FinalDiagnostics)
                    Console.WriteLine($"{d.Description}: {d.Value.ToString("G5", CultureInfo.InvariantCulture)}");
            }
            catch when (created)
            {
                // Refused before anything was written: leave no empty folder behind.
                folderLock.Dispose();
                if (RunFolderLock.IsEmptyFolder(s.OutputDirectory)) Directory.Delete(s.OutputDirectory, recursive: true);
                throw;
            }
        }
        var last = history.Last!;
        Console.WriteLine($"Done in {last.ElapsedSeconds:F1} s: test loss {last.TestLoss:F4}. Run folder: {s.OutputDirectory}");
        return 0;
    }

    internal static UsageException NotEmpty(string directory, bool resumable = true) =>
        new($"{directory} already exists and is not empty; choose another --out, {(resumable ? "add --force to overwrite it, or --resume it" : "or add --force to overwrite it")}");

    /// <summary>The configuration with the data's input size and shape; a table gets a model sized to its columns unless told otherwise.</summary>
    private static AutoencoderConfig SizeToData(TrainSettings s, Dataset train)
    {
        var config = s.Config with { InputSize = train.FeatureCount, InputShape = train.SampleShape };
        if (train.SampleShape is not null) return config;
        // A sequence kind's defaults are for windows already; it only learns their length.
        if (ModelKinds.IsSequence(config.Kind)) return config with { Steps = s.Window ?? config.Steps };
        // A table: unless told otherwise, a model sized to its columns with a linear output and MSE.
        var (tableHidden, tableLatent) = Applications.AnomalyDetector.DefaultArchitecture(train.FeatureCount);
        return config with
        {
            Hidden = s.Given.Hidden ? config.Hidden : tableHidden,
            Latent = s.Given.Latent ? config.Latent : tableLatent,
            OutputActivation = s.Given.OutputActivation ? config.OutputActivation : ActivationKind.None,
            Loss = s.Given.Loss ? config.Loss : LossKind.Mse,
        };
    }

    /// <summary>Refuses, naming the option to change, a model too large to train in this process's memory.</summary>
    private static void CheckSize(AutoencoderConfig config, TrainSettings s, string source)
    {
        if (ModelSize.Check(config, s.Fit.BatchSize, training: true) is not { } problem) return;
        throw problem.Setting switch
        {
            "hidden" => new UsageException($"--hidden is too large: {problem.Message}"),
            "latent" => new UsageException($"--latent is too large: {problem.Message}"),
            "channels" => new UsageException($"--channels is too large: {problem.Message}"),
            _ => new BottleneckException($"{source}: the items are too large to train on: {problem.Message}"),
        };
    }

    /// <summary>The data a run trains on, and where it came from (a dataset's folder or a table file, as a full path).</summary>
    private sealed record TrainingData(Dataset Train, Dataset Test, NormalizationJson Normalization, string Name, string Source, WindowsJson? Windows = null);

    /// <summary>
    /// The training and test data: a named image dataset (IDX files, pixels / 255), or a table
    /// file whose per-feature scaling is fitted on the training part only and saved with the model.
    /// Both parts must hold items: the run reports a test loss each epoch.
    /// </summary>
    private static TrainingData LoadData(TrainSettings s)
    {
        if (s.DataPath is not { } path || !File.Exists(path))
        {
            if (s.TestDataPath is not null || s.Scale is not null || s.LabelColumn is not null || s.FeatureColumns is not null || s.Window is not null)
                throw new UsageException("--test-data, --scale, --label-column, --features and --window apply to table data (--data FILE)");
            string folder = Path.GetFullPath(new DatasetLocator().Locate(s.Dataset, s.DataPath));
            var (images, testImages) = NamedDataset.Load(s.Dataset, folder);
            if (images.Count == 0) throw new BottleneckException($"{folder}: its training images file holds no images");
            if (testImages.Count == 0) throw new BottleneckException($"{folder}: its test images file holds no images; a run needs test items for its test loss");
            return new(images, testImages, ModelFile.PixelScale, s.Dataset, folder);
        }
        if (s.Window is int window) return LoadWindows(s, path, window);
        var options = new TabularOptions { LabelColumn = s.LabelColumn, FeatureColumns = s.FeatureColumns };
        var raw = TabularLoader.Load(path, options);
        if (raw.Count == 0) throw new BottleneckException($"{path}: holds no rows to train on");
        Dataset rawTrain, rawTest;
        if (s.TestDataPath is { } testPath)
        {
            (rawTrain, rawTest) = (raw, TabularLoader.Load(testPath, options));
            if (rawTest.FeatureCount != raw.FeatureCount)
                throw new BottleneckException($"{testPath}: has {rawTest.FeatureCount} features but {path} has {raw.FeatureCount}");
            if (rawTest.Count == 0) throw new BottleneckException($"{testPath}: holds no rows; a run needs test items for its test loss");
        }
        else
        {
            (rawTrain, rawTest) = raw.Labels is null ? DatasetSplit.Random(raw, 0.9, s.Fit.Seed) : DatasetSplit.Stratified(raw, 0.9, s.Fit.Seed);
            if (rawTest.Count == 0 || rawTrain.Count == 0)
                throw new BottleneckException($"{path}: {raw.Count} {(raw.Count == 1 ? "row is" : "rows are")} too few to hold a tenth out for the test loss; give more rows, or a test file with --test-data");
        }
        var scaler = new FeatureScaler(s.Scale ?? "standard").Fit(rawTrain);
        return new(scaler.Transform(rawTrain), scaler.Transform(rawTest), NormalizationJson.From(scaler), Path.GetFileName(path), Path.GetFullPath(path));
    }

    /// <summary>
    /// A CSV time series cut into windows: the first 90% of every series trains (and fits the
    /// per-variable scaling), the rest gives the test loss, unless a test file is given. Split in
    /// time rather than at random, so that no test window shares steps with a training one.
    /// </summary>
    private static TrainingData LoadWindows(TrainSettings s, string path, int window)
    {
        var options = new SeriesOptions { Window = window, Stride = s.Stride, FeatureColumns = s.FeatureColumns, LabelColumn = s.LabelColumn, GroupColumn = s.GroupColumn };
        var series = TimeSeries.Read(path, options);
        TimeSeries trainPart, testPart;
        if (s.TestDataPath is { } testPath)
        {
            testPart = TimeSeries.Read(testPath, options);
            if (!testPart.Variables.SequenceEqual(series.Variables))
                throw new BottleneckException($"{testPath}: has the variables {string.Join(",", testPart.Variables)} but {path} has {string.Join(",", series.Variables)}");
            trainPart = series;
        }
        else
        {
            (trainPart, testPart) = series.SplitInTime(0.9);
            if (testPart.WindowStarts(window, s.Stride).Length == 0)
                throw new BottleneckException($"{path}: the last tenth of the series is shorter than a window of {window} steps, so no test windows are left; choose a smaller --window or give --test-data");
        }
        var scaler = new FeatureScaler(s.Scale ?? "standard").Fit(trainPart.AsTable());
        var windows = new WindowsJson { Length = window, Stride = s.Stride, Variables = [.. series.Variables], GroupColumn = s.GroupColumn, LabelColumn = s.LabelColumn };
        return new(trainPart.Scaled(scaler).Windows(window, s.Stride), testPart.Scaled(scaler).Windows(window, s.Stride),
            NormalizationJson.From(scaler), Path.GetFileName(path), Path.GetFullPath(path), windows);
    }

    private static string FormatLayers(AutoencoderConfig c) => c.Kind switch
    {
        ModelKind.Conv => $"{string.Join("x", c.InputShape ?? [c.InputSize])} conv {string.Join("-", c.Channels)} → {c.Latent}",
        ModelKind.Lstm or ModelKind.Gru => $"{c.Steps} steps × {c.StepFeatures} variables, {c.Kind.Name().ToUpperInvariant()} {string.Join("-", c.Hidden)} → {c.Latent}",
        ModelKind.Attention => $"{c.Steps} steps × {c.StepFeatures} variables, transformer width {c.Hidden[0]} ({c.Heads} heads) → {c.Latent}",
        _ => string.Join("-", new[] { c.InputSize }.Concat(c.Hidden).Append(c.Latent)),
    };
}
