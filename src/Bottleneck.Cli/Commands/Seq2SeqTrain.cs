using System.Globalization;
using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Reports;
using Bottleneck.Tensors;
using Bottleneck.Training;

namespace Bottleneck.Cli.Commands;

/// <summary>`bottleneck train --kind seq2seq`: a character-level autoencoder of a text file of one sequence per line.</summary>
internal static class Seq2SeqTrain
{
    internal sealed record Settings
    {
        public required string DataPath { get; init; }
        public string? TestDataPath { get; init; }
        public required int Hidden { get; init; }
        public required int Latent { get; init; }
        public required int Embedding { get; init; }
        /// <summary>The fit's settings, from the kind's <see cref="Seq2SeqAutoencoder.FitDefaults"/>.</summary>
        public required FitOptions Fit { get; init; }
        public required int Threads { get; init; }
        public required string OutputDirectory { get; init; }
        public required bool Force { get; init; }
        public string? InitWeights { get; init; }
        public int? Limit { get; init; }
    }

    /// <summary>The kind's default sizes (embedding, hidden, latent); the vocabulary comes from the data.</summary>
    public static readonly Seq2SeqConfig Defaults = new() { Vocabulary = [] };


    public static int Run(Settings s)
    {
        if (!s.Force && !RunFolderLock.IsEmptyFolder(s.OutputDirectory)) throw TrainCommand.NotEmpty(s.OutputDirectory, resumable: false);
        var lines = TextLines.Read(s.DataPath);
        string[] trainLines, testLines;
        if (s.TestDataPath is { } testPath)
        {
            (trainLines, testLines) = (lines, TextLines.Read(testPath));
        }
        else
        {
            if (lines.Length < 2)
                throw new BottleneckException($"{s.DataPath}: {lines.Length} line is too few to hold a tenth out for the test loss; give more lines, or a test file with --test-data");
            // A seeded tenth (at least one line) held out, the rest in file order.
            var order = Enumerable.Range(0, lines.Length).ToArray();
            new Rng(s.Fit.Seed).Shuffle(order);
            int testCount = Math.Max(1, lines.Length / 10);
            var held = order.Take(testCount).Order().ToArray();
            var isTest = new bool[lines.Length];
            foreach (int i in held) isTest[i] = true;
            testLines = held.Select(i => lines[i]).ToArray();
            trainLines = Enumerable.Range(0, lines.Length).Where(i => !isTest[i]).Select(i => lines[i]).ToArray();
        }
        if (s.Limit is int limit && limit < trainLines.Length) trainLines = trainLines[..limit];

        // The alphabet of the training file; a test file must keep to it (its lines are checked by Tokenize).
        var vocabulary = CharacterVocabulary.FromLines(lines);
        int longest = lines.Concat(testLines).Max(l => l.EnumerateRunes().Count());
        var config = new Seq2SeqConfig { Vocabulary = vocabulary.Characters, Embedding = s.Embedding, Hidden = s.Hidden, Latent = s.Latent, MaxLength = longest };
        var model = new Seq2SeqAutoencoder(config, s.Fit.Seed, new EngineOptions { Threads = s.Threads });
        if (s.InitWeights is { } init)
        {
            if (!File.Exists(init)) throw new BottleneckException($"{init}: no such file (--init-weights)");
            model.LoadStateDict(Formats.SafeTensorsFile.Read(init).Tensors, init);
        }
        var train = model.Tokenize(trainLines, s.DataPath);
        var test = model.Tokenize(testLines, s.TestDataPath ?? $"{s.DataPath} (held-out lines)");
        string dataName = Path.GetFileName(s.DataPath);

        RunJson Describe(int epochsDone) => new()
        {
            Dataset = dataName,
            DataPath = Path.GetFullPath(s.DataPath),
            TestDataPath = s.TestDataPath is { } p ? Path.GetFullPath(p) : null,
            EpochsDone = epochsDone,
            Limit = s.Limit,
            Threads = s.Threads,
            InitWeights = s.InitWeights,
        };
        var options = s.Fit with { Validation = model.ToDataset(test, $"{dataName} (test)") };

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Training seq2seq autoencoder: {vocabulary.Characters.Count} characters, embedding {s.Embedding}, GRU {s.Hidden} → {s.Latent} → GRU {s.Hidden} ({model.ParameterCount:N0} parameters) on {dataName}: " +
            $"{train.Length} train / {test.Length} test sequences (1 to {longest} characters), cross-entropy, {TrainCommand.DescribeOptimizer(options)}, batch {options.BatchSize}, {options.Epochs} epochs, {s.Threads} threads"));
        bool created = !Directory.Exists(s.OutputDirectory);
        using var folderLock = RunFolderLock.Acquire(s.OutputDirectory);
        try
        {
            if (!s.Force && !RunFolderLock.IsEmptyFolder(s.OutputDirectory)) throw TrainCommand.NotEmpty(s.OutputDirectory, resumable: false);
            var folder = new Seq2SeqRunFolder(s.OutputDirectory, model, options, Describe);
            var history = Trainer.Fit(model, model.ToDataset(train, dataName), options, new CallbackList(new EpochLines(), folder));
            var final = model.EvaluateText(test);
            folder.Finish(train, final, testLines);
            Console.WriteLine("Exact match of the test sequences by length:");
            foreach (var row in final.ByLength)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {row.Length,3} characters: {row.Correct,6} of {row.Count,6} ({row.Accuracy:P1})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Done in {history.Epochs[^1].ElapsedSeconds:F1} s: test loss {final.Loss:F4}, {final.ExactMatch:P2} of {test.Length} test sequences written back exactly. Run folder: {s.OutputDirectory}"));
        }
        catch when (created)
        {
            folderLock.Dispose();
            if (RunFolderLock.IsEmptyFolder(s.OutputDirectory)) Directory.Delete(s.OutputDirectory, recursive: true);
            throw;
        }
        return 0;
    }

    /// <summary>One line per epoch: losses and the test sequences' exact-match rate.</summary>
    private sealed class EpochLines : TrainingCallback
    {
        public override void OnEpochEnd(EpochEnd e) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Epoch {e.Epoch}: train loss {e.TrainLoss:F4}, test loss {e.TestLoss:F4}, test exact match {e.TestExactMatch:P2} ({e.EpochSeconds:F1} s)"));
    }
}
