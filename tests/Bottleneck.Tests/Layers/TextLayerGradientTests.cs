using Bottleneck.Data;
using Bottleneck.Layers;
using Bottleneck.Losses;
using Bottleneck.Models;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Layers;

/// <summary>
/// Finite-difference checks of what the seq2seq kind adds: the embedding table, token
/// cross-entropy with padding, a GRU over padded rows of different lengths or from a given
/// state, and the whole seq2seq autoencoder's loss.
/// </summary>
public class TextLayerGradientTests
{
    [Fact]
    public void Embedding_backward_matches_finite_differences_and_leaves_padding_alone()
    {
        var rng = new Rng(31);
        var layer = new Embedding(5, 3, rng);
        Assert.All(layer.Weight.Value.Span[..3].ToArray(), v => Assert.Equal(0f, v));
        var ids = Tensor.Wrap([1, 3, 4, 4, 2, 1], 2, 3);
        var r = FiniteDifferences.Uniform(rng, 2, 9);
        layer.Forward(ids, training: true);
        layer.Backward(r, needInputGrad: false);
        FiniteDifferences.Check(layer.Weight.Value, () => FiniteDifferences.Dot(layer.Forward(ids, true), r), layer.Weight.Grad.Clone().Span, "embedding dweight");
        // Padding (id 0) reads the zero row and, as with PyTorch's padding_idx, trains nothing.
        var padded = Tensor.Wrap([1, 0, 4, 0, 2, 0], 2, 3);
        var y = layer.Forward(padded, training: true);
        Assert.All(y.Span.Slice(3, 3).ToArray(), v => Assert.Equal(0f, v));
        layer.Backward(r, needInputGrad: false);
        Assert.All(layer.Weight.Grad.Span[..3].ToArray(), v => Assert.Equal(0f, v));
        Assert.NotEqual(0f, layer.Weight.Grad.Span[3]);
        var error = Assert.Throws<BottleneckException>(() => layer.Forward(Tensor.Wrap([5f], 1, 1), training: false));
        Assert.Contains("outside 0..4", error.Message);
    }

    [Fact]
    public void Token_cross_entropy_matches_finite_differences_and_ignores_padding()
    {
        var rng = new Rng(32);
        var logits = FiniteDifferences.Uniform(rng, 4, 5, 3f);
        int[] targets = [3, 0, 1, 4];
        var grad = new float[20];
        var rows = new double[4];
        double loss = TokenCrossEntropy.Forward(logits.Span, 5, targets, grad, rows);
        Assert.Equal(0, rows[1]);
        Assert.Equal(rows.Sum(), loss, 1e-12);
        Assert.All(grad.AsSpan(5, 5).ToArray(), v => Assert.Equal(0f, v));
        FiniteDifferences.Check(logits, () => TokenCrossEntropy.Forward(logits.Span, 5, targets), grad, "cross-entropy dlogits", step: 1e-3f);
        // A row's loss is −log softmax(z)[target].
        var z = logits.Row(0).ToArray();
        double expected = Math.Log(z.Sum(v => Math.Exp(v))) - z[3];
        Assert.Equal(expected, rows[0], 1e-6);
    }

    [Fact]
    public void Gru_over_padded_rows_matches_finite_differences()
    {
        var rng = new Rng(33);
        const int batch = 3, steps = 4, input = 2, hidden = 3;
        var layer = new Gru(input, hidden, 0, returnSequences: false, rng);
        var x = FiniteDifferences.Uniform(rng, batch, steps * input, 1.5f);
        FiniteDifferences.CheckLayer(layer, x, FiniteDifferences.Uniform(rng, batch, hidden), () => layer.Lengths = [4, 2, 1]);
    }

    [Fact]
    public void Gru_from_a_given_state_matches_finite_differences()
    {
        var rng = new Rng(34);
        var layer = new Gru(2, 3, 0, returnSequences: true, rng);
        layer.InitialState = FiniteDifferences.Uniform(rng, 2, 3);
        FiniteDifferences.CheckLayer(layer, FiniteDifferences.Uniform(rng, 2, 6, 1.5f), FiniteDifferences.Uniform(rng, 2, 9));
    }

    [Fact]
    public void Gru_gives_each_padded_row_the_state_after_its_own_last_step()
    {
        var rng = new Rng(35);
        var layer = new Gru(2, 3, 0, returnSequences: false, rng);
        var x = FiniteDifferences.Uniform(rng, 2, 8);
        layer.Lengths = [4, 2];
        var padded = layer.Forward(x, training: false).Clone();
        layer.Lengths = null;
        var whole = layer.Forward(Tensor.Wrap(x.Row(0).ToArray(), 1, 8), training: false).Clone();
        var shortRow = layer.Forward(Tensor.Wrap(x.Row(1)[..4].ToArray(), 1, 4), training: false).Clone();
        TensorAssert.Close(whole.Span, padded.Row(0), 1e-6, "row of full length");
        TensorAssert.Close(shortRow.Span, padded.Row(1), 1e-6, "row of length 2");
        // One step at a time from the carried state gives the same as the whole sequence.
        var stepwise = new Gru(2, 3, 0, returnSequences: true, new Rng(35));
        for (int i = 0; i < layer.Parameters.Count; i++) layer.Parameters[i].Value.Span.CopyTo(stepwise.Parameters[i].Value.Span);
        Tensor? h = null;
        for (int t = 0; t < 4; t++)
        {
            stepwise.InitialState = h;
            h = stepwise.Forward(Tensor.Wrap(x.Row(0).Slice(2 * t, 2).ToArray(), 1, 2), training: false).Clone();
        }
        TensorAssert.Close(whole.Span, h!.Span, 1e-6, "stepwise");
    }

    [Fact]
    public void Seq2seq_loss_gradient_matches_finite_differences()
    {
        var model = new Seq2SeqAutoencoder(new Seq2SeqConfig { Vocabulary = ["a", "b", "c"], Embedding = 3, Hidden = 4, Latent = 2, MaxLength = 5 }, seed: 36);
        var sequences = model.Tokenize(["abc", "b", "cca", "ab"], "words");
        int[] rows = [0, 1, 2, 3];
        lock (model.Gate)
        {
            model.Forward(sequences, rows);
            model.Backward();
            foreach (var (name, p) in model.NamedParameters)
            {
                var analytic = p.Grad.Clone();
                FiniteDifferences.Check(p.Value, () => model.Forward(sequences, rows), analytic.Span, name, step: 1e-2f);
            }
        }
    }

    [Fact]
    public void Vocabulary_encodes_and_decodes_and_names_an_unknown_character()
    {
        var vocabulary = CharacterVocabulary.FromLines(["café", "bé"]);
        Assert.Equal(["a", "b", "c", "f", "é"], vocabulary.Characters);
        var ids = vocabulary.Encode("fécab", "x");
        Assert.Equal("fécab", vocabulary.Decode([.. ids, CharacterVocabulary.End, 3]));
        var error = Assert.Throws<BottleneckException>(() => vocabulary.Encode("caz", "words.txt:7"));
        Assert.Equal("words.txt:7: character 'z' (U+007A, character 3) is not in the model's vocabulary of 5 characters", error.Message);
    }
}
