using System.Globalization;
using System.Text;
using Bottleneck.Data;
using Bottleneck.Formats;
using Bottleneck.IO;
using Bottleneck.Models;
using Bottleneck.Tensors;
using Bottleneck.Training;

namespace Bottleneck.Reports;

/// <summary>
/// Writes a run folder as training goes: metrics.csv and loss_curve.png rewritten each epoch,
/// reconstruction_E.png per epoch (8 test originals above their reconstructions), and the
/// model (model.safetensors + model.json) after every epoch, so a stopped run keeps its last
/// finished epoch. Every file is written atomically.
/// </summary>
public sealed class RunFolder : TrainingCallback
{
    private const int GridImages = 8;
    private readonly Autoencoder model;
    private readonly Dataset? pictures;
    private readonly FitOptions training;
    private readonly Func<EpochEnd, RunJson> run;
    private readonly List<EpochEnd> epochs = [];

    /// <param name="directory">The run folder; created if missing.</param>
    /// <param name="pictureSource">Items whose first 8 are reconstructed each epoch (the test set).</param>
    /// <param name="training">The fit's settings, recorded in model.json.</param>
    /// <param name="run">The run's facts recorded in model.json, given the latest epoch.</param>
    /// <param name="previous">Epochs of an earlier part of this run (when resuming), kept in the metrics.</param>
    public RunFolder(string directory, Autoencoder model, Dataset? pictureSource, FitOptions training, Func<EpochEnd, RunJson> run, IEnumerable<EpochEnd>? previous = null)
    {
        epochs.AddRange(previous ?? []);
        Directory = directory;
        this.model = model;
        pictures = pictureSource;
        this.training = training;
        this.run = run;
        System.IO.Directory.CreateDirectory(directory);
    }

    public string Directory { get; }

    public const string MetricsName = "metrics.csv";
    public const string LossCurveName = "loss_curve.png";

    public static string ReconstructionName(int epoch) => $"reconstruction_{epoch}.png";

    public static string SamplesName(int epoch) => $"samples_{epoch}.png";

    // Pictures the commands that use a trained model leave in its run folder (the report shows them).
    public const string GeneratedStem = "generated";
    public const string InterpolationStem = "interpolation";
    public const string DenoisedStem = "denoised";
    public const string LatentMapStem = "latent_map";
    public const string TraversalStem = "latent_traversal";
    public const string AnomalyHistogramStem = "anomaly_scores";
    public const string RocCurveStem = "roc_curve";
    public const string SeriesStem = "anomaly_series";
    public const string StepScoresStem = "anomaly_steps";

    // Fixed so that each epoch's samples decode the same points of the latent space.
    private const ulong SampleSeed = 0x5A3B1EUL;
    private const int SampleCount = 64;
    private const int TraversalSteps = 9;
    private const int MaxScoredItems = 10_000;

    /// <summary>How raw inputs were scaled for this model (model.json's normalization); pixel / 255 when not set.</summary>
    public NormalizationJson? Normalization { get; init; }

    /// <summary>Time series: how the rows of the data file were cut into windows (model.json's windows).</summary>
    public WindowsJson? Windows { get; init; }

    /// <summary>The training data, scored after the last epoch so anomaly thresholds can be taken from its score distribution.</summary>
    public Dataset? TrainingData { get; init; }

    /// <summary>Figures measured after the last epoch (see <see cref="Diagnostics"/>), kept in model.json.</summary>
    public IReadOnlyList<Diagnostic> FinalDiagnostics { get; private set; } = [];

    /// <summary>
    /// On resume, writes the files of the checkpoint's epoch again: a kill may have come between
    /// the checkpoint and any of them, and the weights now are those they were made from, so the
    /// folder ends as if it had never stopped.
    /// </summary>
    public override void OnTrainBegin(TrainBegin info)
    {
        if (info.FirstEpoch > 1 && epochs.Count > 0) WriteEpochFiles(epochs[^1]);
    }

    public override void OnEpochEnd(EpochEnd info)
    {
        epochs.Add(info);
        WriteEpochFiles(info);
    }

    private void WriteEpochFiles(EpochEnd info)
    {
        WriteMetrics();
        WriteLossCurve();
        WriteReconstruction(info.Epoch);
        if (ModelKinds.IsVariational(model.Config.Kind)) WriteSamples(info.Epoch);
        SaveModel(info);
    }

    public override void OnTrainEnd(History history)
    {
        if (history.Last is not { } last) return;
        if (pictures is not null)
        {
            FinalDiagnostics = Diagnostics.Measure(model, pictures);
            SaveModel(last);
            if (model.Config.InputShape is [int c, int h, int w] && pictures.Count > 0)
                ImageGrid.Save(Path.Combine(Directory, TraversalStem + ".png"), Applications.LatentTraversal.Sweep(model, pictures, steps: TraversalSteps), c, h, w, nrow: TraversalSteps);
            if (model.Config.Kind == ModelKind.Attention && pictures.Count > 0)
                SequenceFigures.SaveAttentionMaps(model, pictures, Path.Combine(Directory, SequenceFigures.AttentionStem + ".png"));
        }
        if (TrainingData is { Count: > 0 } train)
        {
            // Kept so `bottleneck anomaly` can set a percentile threshold on them: every training
            // item up to 10,000, else 10,000 evenly spaced ones (plenty for a percentile, and a
            // sixth of the time at the end of a 60,000-item run).
            int[]? every = train.Count > MaxScoredItems
                ? Enumerable.Range(0, MaxScoredItems).Select(i => (int)((long)i * train.Count / MaxScoredItems)).ToArray()
                : null;
            var scores = Applications.AnomalyScores.ReconstructionErrors(model, train, every);
            NpyFile.Write(Path.Combine(Directory, Applications.AnomalyScores.TrainingScoresName), scores.Select(v => (float)v).ToArray(), scores.Length, 1);
        }
        Reports.RunReport.Write(Directory);
    }

    private void SaveModel(EpochEnd info) => ModelFile.Save(model, Directory, Normalization, training, run(info), windows: Windows, metrics: new MetricsJson
    {
        TrainLoss = Finite(info.TrainLoss),
        TestLoss = Finite(info.TestLoss),
        TestReconstruction = HasPenalty ? Finite(info.TestReconstruction) : null,
        TestPenalty = HasPenalty ? Finite(info.TestPenalty) : null,
        Seconds = info.ElapsedSeconds,
        Diagnostics = FinalDiagnostics.Count > 0 ? FinalDiagnostics.Where(d => double.IsFinite(d.Value)).ToDictionary(d => d.Name, d => d.Value) : null,
    });

    // JSON has no infinity or NaN: a figure that is not a number is recorded as absent.
    private static double? Finite(double? value) => value is double v && double.IsFinite(v) ? v : null;

    private bool HasPenalty => model.Regularizer.PenaltyName.Length > 0;

    private void WriteMetrics()
    {
        string penalty = model.Regularizer.PenaltyName;
        var csv = new StringBuilder("epoch,train_loss,test_loss,seconds");
        csv.Append(HasPenalty ? $",test_reconstruction,test_{penalty}\n" : "\n");
        static string Cell(double? v) => v is double d ? d.ToString("R", CultureInfo.InvariantCulture) : "";
        foreach (var e in epochs)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{e.Epoch},{e.TrainLoss:R},{Cell(e.TestLoss)},{e.ElapsedSeconds:F3}");
            csv.Append(HasPenalty ? $",{Cell(e.TestReconstruction)},{Cell(e.TestPenalty)}\n" : "\n");
        }
        AtomicFile.Write(Path.Combine(Directory, MetricsName), s => s.Write(Encoding.UTF8.GetBytes(csv.ToString())));
    }

    /// <summary>A VAE's generated images: 64 codes drawn from N(0, I), decoded, in an 8×8 grid.</summary>
    private void WriteSamples(int epoch)
    {
        if (model.Config.InputShape is not [int c, int h, int w]) return;
        var codes = new Tensor(SampleCount, model.Config.Latent);
        var rng = new Rng(SampleSeed);
        for (int i = 0; i < codes.Length; i++) codes[i] = (float)rng.NextNormal();
        ImageGrid.Save(Path.Combine(Directory, SamplesName(epoch)), model.Decode(codes), c, h, w, nrow: 8);
    }

    private void WriteLossCurve()
    {
        var chart = new LineChart { Title = "Loss per epoch", XLabel = "epoch", YLabel = $"{model.Config.Loss.Name().ToUpperInvariant()} loss per item" };
        chart.AddSeries("train", epochs.Select(e => ((double)e.Epoch, e.TrainLoss)));
        if (epochs.Any(e => e.TestLoss.HasValue))
            chart.AddSeries("test", epochs.Where(e => e.TestLoss.HasValue).Select(e => ((double)e.Epoch, e.TestLoss!.Value)));
        chart.SavePng(Path.Combine(Directory, LossCurveName));
    }

    private void WriteReconstruction(int epoch)
    {
        if (pictures is null || pictures.Count == 0) return;
        if (Windows is { } windows && ModelKinds.IsSequence(model.Config.Kind))
        {
            SequenceFigures.SaveReconstruction(model, pictures, windows.Variables, Path.Combine(Directory, ReconstructionName(epoch)));
            return;
        }
        if (model.Config.InputShape is not [int c, int h, int w]) return;
        int count = Math.Min(GridImages, pictures.Count);
        var originals = new Tensor(count, model.Config.InputSize);
        pictures.CopyRows(0, count, originals);
        var reconstructions = model.Reconstruct(originals);
        // Originals in the first row, reconstructions below, as the tutorial's comparison grid.
        var grid = new Tensor(2 * count, model.Config.InputSize);
        originals.Span.CopyTo(grid.Span);
        reconstructions.Span.CopyTo(grid.Span[originals.Length..]);
        ImageGrid.Save(Path.Combine(Directory, ReconstructionName(epoch)), grid, c, h, w, nrow: count);
    }
}
