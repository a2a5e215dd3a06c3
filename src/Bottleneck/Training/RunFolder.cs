using System.Globalization;
using System.Text;
using Bottleneck.Data;
using Bottleneck.IO;
using Bottleneck.Models;
using Bottleneck.Tensors;

namespace Bottleneck.Training;

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
    private readonly Func<EpochEnd, TrainingJson> training;
    private readonly List<EpochEnd> epochs = [];

    /// <param name="directory">The run folder; created if missing.</param>
    /// <param name="pictureSource">Items whose first 8 are reconstructed each epoch (the test set).</param>
    /// <param name="training">The training settings recorded in model.json, given the latest epoch.</param>
    /// <param name="previous">Epochs of an earlier part of this run (when resuming), kept in the metrics.</param>
    public RunFolder(string directory, Autoencoder model, Dataset? pictureSource, Func<EpochEnd, TrainingJson> training, IEnumerable<EpochEnd>? previous = null)
    {
        epochs.AddRange(previous ?? []);
        Directory = directory;
        this.model = model;
        pictures = pictureSource;
        this.training = training;
        System.IO.Directory.CreateDirectory(directory);
    }

    public string Directory { get; }

    public const string MetricsName = "metrics.csv";
    public const string LossCurveName = "loss_curve.png";

    public static string ReconstructionName(int epoch) => $"reconstruction_{epoch}.png";

    public override void OnEpochEnd(EpochEnd info)
    {
        epochs.Add(info);
        WriteMetrics();
        WriteLossCurve();
        WriteReconstruction(info.Epoch);
        ModelFile.Save(model, Directory, training: training(info),
            metrics: new MetricsJson { TrainLoss = info.TrainLoss, TestLoss = info.TestLoss, Seconds = info.ElapsedSeconds });
    }

    private void WriteMetrics()
    {
        var csv = new StringBuilder("epoch,train_loss,test_loss,seconds\n");
        foreach (var e in epochs)
            csv.Append(CultureInfo.InvariantCulture, $"{e.Epoch},{e.TrainLoss:R},{(e.TestLoss is double t ? t.ToString("R", CultureInfo.InvariantCulture) : "")},{e.ElapsedSeconds:F3}\n");
        AtomicFile.Write(Path.Combine(Directory, MetricsName), s => s.Write(Encoding.UTF8.GetBytes(csv.ToString())));
    }

    private void WriteLossCurve()
    {
        var chart = new LineChart { Title = "Loss per epoch", XLabel = "epoch", YLabel = $"{model.Config.Loss.ToUpperInvariant()} loss per item" };
        chart.AddSeries("train", epochs.Select(e => ((double)e.Epoch, e.TrainLoss)));
        if (epochs.Any(e => e.TestLoss.HasValue))
            chart.AddSeries("test", epochs.Where(e => e.TestLoss.HasValue).Select(e => ((double)e.Epoch, e.TestLoss!.Value)));
        chart.SavePng(Path.Combine(Directory, LossCurveName));
    }

    private void WriteReconstruction(int epoch)
    {
        if (pictures is null || model.Config.InputShape is not [int c, int h, int w] || pictures.Count == 0) return;
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
