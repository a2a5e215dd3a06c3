using Bottleneck.Data;
using Bottleneck.Layers;
using Bottleneck.Models;
using Bottleneck.Tensors;
using Bottleneck.Training;

namespace Bottleneck.Tests.Training;

/// <summary>
/// seq2seq through the common trainer: it learns to write words back, reproducibly; its batches
/// by length, cosine schedule and clipping do what they say; a batch of padded ids is checked.
/// </summary>
public class Seq2SeqTrainingTests
{
    [WordsFact]
    public void A_small_model_learns_to_write_words_back_and_is_reproducible()
    {
        // Every 20th word of up to 7 letters, one in ten of them held out.
        var words = WordsData.Sample(1970, 20, maxLength: 7);
        Seq2SeqAutoencoder Fit(out IReadOnlyList<EpochEnd> history)
        {
            var vocabulary = CharacterVocabulary.FromLines(words);
            var model = new Seq2SeqAutoencoder(new Seq2SeqConfig { Vocabulary = vocabulary.Characters, Embedding = 16, Hidden = 128, Latent = 32, MaxLength = 7 }, seed: 3);
            var sequences = model.Tokenize(words, "words");
            var train = model.ToDataset(sequences.Where((_, i) => i % 10 != 0).ToArray(), "train");
            var test = model.ToDataset(sequences.Where((_, i) => i % 10 == 0).ToArray(), "test");
            history = Trainer.Fit(model, train, Seq2SeqAutoencoder.FitDefaults with { Epochs = 20, BatchSize = 32, LearningRate = 3e-3, Seed = 3, Validation = test }).Epochs;
            return model;
        }
        var model = Fit(out var history);
        // Chance is nil: a model that had learned nothing general would write no unseen word back.
        Assert.True(history[^1].TestExactMatch > 0.2, $"held-out exact match after 20 epochs: {history[^1].TestExactMatch}");
        Assert.True(history[^1].TrainLoss < history[0].TrainLoss / 3, $"train loss {history[0].TrainLoss} → {history[^1].TrainLoss}");
        var again = Fit(out var second);
        Assert.Equal(history.Select(e => e.TrainLoss), second.Select(e => e.TrainLoss));
        foreach (var ((_, p), (_, q)) in model.NamedParameters.Zip(again.NamedParameters))
            Assert.Equal(p.Value.Span.ToArray(), q.Value.Span.ToArray());
    }

    [Fact]
    public void A_padded_batch_gives_the_loss_of_its_sequences()
    {
        var model = new Seq2SeqAutoencoder(new Seq2SeqConfig { Vocabulary = ["a", "b", "c"], Embedding = 4, Hidden = 8, Latent = 3, MaxLength = 5 }, seed: 1);
        var sequences = model.Tokenize(["abc", "b", "ccaab", "ab"], "lines");
        var data = model.ToDataset(sequences, "lines");
        Assert.Equal([3, 1, 5, 2], data.Lengths!);
        var batch = new Tensor(4, 5);
        data.GetBatch([0, 1, 2, 3], batch);
        double summed = model.SequenceLosses(sequences).Sum();
        Assert.Equal(summed, model.TrainingLoss(batch), 4);
        Assert.Equal(summed / 4, model.Evaluate(data).Loss, 4);
    }

    [Fact]
    public void A_batch_value_that_is_no_character_id_is_refused()
    {
        var model = new Seq2SeqAutoencoder(new Seq2SeqConfig { Vocabulary = ["a", "b"], Embedding = 4, Hidden = 8, Latent = 3, MaxLength = 3 }, seed: 1);
        var data = new Dataset("floats", [3, 4, 0.5f], 1, 3);
        var e = Assert.Throws<BottleneckException>(() => Trainer.Fit(model, data, new FitOptions { Epochs = 1 }));
        Assert.Contains("not the id of one of the model's 2 characters", e.Message);
        var grouped = Assert.Throws<BottleneckException>(() => Trainer.Fit(model, data, Seq2SeqAutoencoder.FitDefaults with { Epochs = 1 }));
        Assert.Contains("batching by length needs data of sequences with their lengths", grouped.Message);
    }

    [Fact]
    public void Batches_by_length_hold_one_length_each_and_every_item_once_per_epoch()
    {
        // 4 items each of lengths 1, 2 and 3, in batches of 4: each batch one length.
        int[] lengths = [3, 1, 2, 2, 3, 1, 1, 3, 2, 1, 3, 2];
        var batches = new BatchOrder(lengths.Length, 4, shuffle: true, lengths);
        var rng = new Rng(5);
        var firstEpoch = new List<int[]>();
        for (int epoch = 0; epoch < 2; epoch++)
        {
            batches.NextEpoch(rng);
            var seen = new List<int>();
            for (int b = 0; b < 3; b++)
            {
                var rows = batches.Batch(b).ToArray();
                Assert.Single(rows.Select(i => lengths[i]).Distinct());
                seen.AddRange(rows);
                if (epoch == 0) firstEpoch.Add(rows);
            }
            Assert.Equal(Enumerable.Range(0, lengths.Length), seen.Order());
        }
        // Unshuffled: length order, batches in turn.
        var plain = new BatchOrder(lengths.Length, 4, shuffle: false, lengths);
        plain.NextEpoch(rng);
        Assert.Equal([1, 1, 1, 1], plain.Batch(0).ToArray().Select(i => lengths[i]));
        Assert.Equal([3, 3, 3, 3], plain.Batch(2).ToArray().Select(i => lengths[i]));
    }

    [Fact]
    public void Cosine_schedule_falls_from_the_rate_to_almost_zero()
    {
        Assert.Equal(1e-3, LearningRateSchedule.Rate(LrScheduleKind.Cosine, 1e-3, 0, 100), 12);
        Assert.Equal(0.5e-3, LearningRateSchedule.Rate(LrScheduleKind.Cosine, 1e-3, 50, 100), 12);
        Assert.True(LearningRateSchedule.Rate(LrScheduleKind.Cosine, 1e-3, 99, 100) < 1e-6);
        Assert.True(LearningRateSchedule.Rate(LrScheduleKind.Cosine, 1e-3, 100, 100) > 0);
        Assert.Equal(1e-3, LearningRateSchedule.Rate(LrScheduleKind.Constant, 1e-3, 99, 100));
    }

    [Fact]
    public void Clipping_scales_the_gradient_per_item_down_to_the_norm_and_leaves_small_ones_alone()
    {
        var a = new Parameter("a", 2);
        var b = new Parameter("b", 1);
        a.Grad.Span[0] = 30;
        a.Grad.Span[1] = 0;
        b.Grad.Span[0] = 40; // norm 50 for 10 items: 5 per item
        (string, Parameter)[] parameters = [("a", a), ("b", b)];
        Assert.Equal(5, GradientClipping.ClipNorm(parameters, 2, 10), 6);
        Assert.Equal(12f, a.Grad.Span[0], 4);
        Assert.Equal(16f, b.Grad.Span[0], 4);
        Assert.Equal(2, GradientClipping.ClipNorm(parameters, 3, 10), 5);
        Assert.Equal(12f, a.Grad.Span[0], 4);
    }

    [Fact]
    public void A_dense_model_trains_with_clipping_and_the_cosine_schedule_too()
    {
        var rng = new Rng(4);
        var x = new float[200 * 6];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        var data = new Dataset("uniform", x, 200, 6);
        var model = new Autoencoder(new AutoencoderConfig { InputSize = 6, InputShape = null, Hidden = [8], Latent = 3 }, seed: 4);
        var history = Trainer.Fit(model, data, new FitOptions { Epochs = 5, BatchSize = 20, ClipNorm = 0.5, LrSchedule = LrScheduleKind.Cosine, Validation = data });
        Assert.True(history.Epochs[^1].TestLoss < history.Epochs[0].TestLoss, $"{history.Epochs[0].TestLoss} → {history.Epochs[^1].TestLoss}");
    }
}
