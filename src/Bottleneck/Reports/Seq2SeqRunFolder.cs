using Bottleneck.Formats;
using Bottleneck.Models;
using Bottleneck.Training;

namespace Bottleneck.Reports;

/// <summary>
/// The files of a seq2seq run, rewritten after every epoch so that a stopped run keeps its last
/// finished epoch: the model (model.json with the vocabulary, model.safetensors), metrics.csv,
/// the loss and exact-match curves, and after the last epoch the exact-match table by length,
/// every test sequence beside what the model wrote back, and report.html.
/// </summary>
public sealed class Seq2SeqRunFolder(string directory, Seq2SeqAutoencoder model, FitOptions training, Func<int, RunJson> run) : TrainingCallback
{
    public const string AccuracyByLengthName = "accuracy_by_length.csv";
    public const string ReconstructionsName = "test_reconstructions.csv";
    public const string ExactMatchStem = "exact_match";

    private readonly List<EpochEnd> epochs = [];

    public string Directory { get; } = directory;

    /// <summary>Records a finished epoch: model, metrics and curves.</summary>
    public override void OnEpochEnd(EpochEnd epoch)
    {
        epochs.Add(epoch);
        Seq2SeqModelFile.Save(model, Directory, training, run(epoch.Epoch), new MetricsJson
        {
            TrainLoss = epoch.TrainLoss,
            TestLoss = epoch.TestLoss,
            TestExactMatch = epoch.TestExactMatch,
            Seconds = epoch.ElapsedSeconds,
        });
        CsvWriter.WriteFile(Path.Combine(Directory, RunFolder.MetricsName), csv =>
        {
            csv.Row("epoch", "train_loss", "test_loss", "test_exact_match", "seconds");
            foreach (var e in epochs)
            {
                csv.Field(e.Epoch).Field(e.TrainLoss);
                if (e.TestLoss is double loss) csv.Field(loss); else csv.Field("");
                if (e.TestExactMatch is double match) csv.Field(match); else csv.Field("");
                csv.Field(e.ElapsedSeconds).EndRow();
            }
        });
        var losses = new LineChart { Title = "Loss per epoch", XLabel = "epoch", YLabel = "cross-entropy per sequence (nats)" };
        losses.AddSeries("train", epochs.Select(e => ((double)e.Epoch, e.TrainLoss)));
        if (epochs.Any(e => e.TestLoss.HasValue))
            losses.AddSeries("test", epochs.Where(e => e.TestLoss.HasValue).Select(e => ((double)e.Epoch, e.TestLoss!.Value)));
        losses.SavePng(Path.Combine(Directory, RunFolder.LossCurveName));
        if (epochs.Any(e => e.TestExactMatch.HasValue))
        {
            var match = new LineChart { Title = "Test sequences written back exactly", XLabel = "epoch", YLabel = "exact match (greedy decoding)" };
            match.AddSeries("test", epochs.Where(e => e.TestExactMatch.HasValue).Select(e => ((double)e.Epoch, e.TestExactMatch!.Value)));
            match.SavePng(Path.Combine(Directory, ExactMatchStem + ".png"));
        }
    }

    /// <summary>
    /// After the last epoch: the final evaluation of the test sequences, by length and one by one;
    /// the training sequences' scores (loss per sequence, up to 10,000 evenly spaced), which
    /// `bottleneck anomaly` takes its percentile threshold from; and the report.
    /// </summary>
    public void Finish(IReadOnlyList<int[]> train, Seq2SeqEvaluation? test, IReadOnlyList<string>? testTexts)
    {
        const int MaxScored = 10_000;
        var scored = train.Count > MaxScored ? Enumerable.Range(0, MaxScored).Select(i => train[(int)((long)i * train.Count / MaxScored)]).ToArray() : train;
        var scores = model.SequenceLosses(scored);
        NpyFile.Write(Path.Combine(Directory, Applications.AnomalyScores.TrainingScoresName), scores.Select(v => (float)v).ToArray(), scores.Length, 1);
        if (test is not null && testTexts is not null)
        {
            CsvWriter.WriteFile(Path.Combine(Directory, AccuracyByLengthName), csv =>
            {
                csv.Row("length", "count", "exact", "accuracy");
                foreach (var row in test.ByLength) csv.Field(row.Length).Field(row.Count).Field(row.Correct).Field(row.Accuracy).EndRow();
                csv.Field("all").Field(testTexts.Count).Field(test.ByLength.Sum(r => r.Correct)).Field(test.ExactMatch).EndRow();
            });
            CsvWriter.WriteFile(Path.Combine(Directory, ReconstructionsName), csv =>
            {
                csv.Row("text", "reconstruction", "exact");
                for (int i = 0; i < testTexts.Count; i++)
                    csv.Field(testTexts[i]).Field(test.Reconstructions[i]).Field(testTexts[i] == test.Reconstructions[i] ? 1 : 0).EndRow();
            });
        }
        Reports.RunReport.Write(Directory);
    }
}
