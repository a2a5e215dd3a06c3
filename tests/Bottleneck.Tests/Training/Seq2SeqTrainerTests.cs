using Bottleneck.Layers;
using Bottleneck.Models;
using Bottleneck.Training;

namespace Bottleneck.Tests.Training;

/// <summary>The seq2seq fit loop: it learns to write words back, and its schedule and clipping do what they say.</summary>
public class Seq2SeqTrainerTests
{
    [WordsFact]
    public void A_small_model_learns_to_write_words_back_and_is_reproducible()
    {
        // Every 20th word of up to 7 letters, one in ten of them held out.
        var words = WordsData.Sample(1970, 20, maxLength: 7);
        Seq2SeqAutoencoder Fit(out IReadOnlyList<Seq2SeqEpoch> history)
        {
            var vocabulary = Bottleneck.Data.CharacterVocabulary.FromLines(words);
            var model = new Seq2SeqAutoencoder(new Seq2SeqConfig { Vocabulary = vocabulary.Characters, Embedding = 16, Hidden = 128, Latent = 32, MaxLength = 7 }, seed: 3);
            var sequences = model.Tokenize(words, "words");
            var train = sequences.Where((_, i) => i % 10 != 0).ToArray();
            var test = sequences.Where((_, i) => i % 10 == 0).ToArray();
            history = Seq2SeqTrainer.Fit(model, train, new Seq2SeqFitOptions { Epochs = 20, BatchSize = 32, LearningRate = 3e-3, Seed = 3, Validation = test });
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
    public void Cosine_schedule_falls_from_the_rate_to_almost_zero()
    {
        Assert.Equal(1e-3, Seq2SeqTrainer.CosineRate(1e-3, 0, 100), 12);
        Assert.Equal(0.5e-3, Seq2SeqTrainer.CosineRate(1e-3, 50, 100), 12);
        Assert.True(Seq2SeqTrainer.CosineRate(1e-3, 99, 100) < 1e-6);
        Assert.True(Seq2SeqTrainer.CosineRate(1e-3, 100, 100) > 0);
    }

    [Fact]
    public void Clipping_scales_the_gradient_per_sequence_down_to_the_norm_and_leaves_small_ones_alone()
    {
        var a = new Parameter("a", 2);
        var b = new Parameter("b", 1);
        a.Grad.Span[0] = 30;
        a.Grad.Span[1] = 0;
        b.Grad.Span[0] = 40; // norm 50 for 10 sequences: 5 per sequence
        (string, Parameter)[] parameters = [("a", a), ("b", b)];
        Assert.Equal(5, Seq2SeqTrainer.ClipGradients(parameters, 2, 10), 6);
        Assert.Equal(12f, a.Grad.Span[0], 4);
        Assert.Equal(16f, b.Grad.Span[0], 4);
        Assert.Equal(2, Seq2SeqTrainer.ClipGradients(parameters, 3, 10), 5);
        Assert.Equal(12f, a.Grad.Span[0], 4);
    }
}
