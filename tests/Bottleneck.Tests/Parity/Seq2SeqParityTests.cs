using Bottleneck.Models;

namespace Bottleneck.Tests.Parity;

/// <summary>
/// The seq2seq autoencoder against the same model in PyTorch (Parity/make_seq2seq_fixtures.py):
/// packed-sequence GRU encoder, code, teacher-forced decoder and summed cross-entropy with
/// ignore_index, on a batch of words of different lengths: the loss, every parameter's gradient,
/// the codes and greedy decoding.
/// </summary>
public class Seq2SeqParityTests
{
    private const double Tolerance = 1e-5;

    [Fact]
    public void Seq2seq_autoencoder_matches_torch()
    {
        var f = Fixture.LoadProject("seq2seq");
        var config = new Seq2SeqConfig
        {
            Vocabulary = f.Setting("vocabulary").Select(c => c.ToString()).ToArray(),
            Embedding = int.Parse(f.Setting("embedding"), System.Globalization.CultureInfo.InvariantCulture),
            Hidden = int.Parse(f.Setting("hidden"), System.Globalization.CultureInfo.InvariantCulture),
            Latent = int.Parse(f.Setting("latent"), System.Globalization.CultureInfo.InvariantCulture),
            MaxLength = int.Parse(f.Setting("max_length"), System.Globalization.CultureInfo.InvariantCulture),
        };
        var model = new Seq2SeqAutoencoder(config, seed: 1);
        var names = model.NamedParameters.Select(p => p.Name).ToArray();
        model.LoadStateDict(names.ToDictionary(n => n, n => f[n]), "seq2seq fixture");

        var words = f.Setting("words").Split(',');
        var sequences = model.Tokenize(words, "words");
        // The fixture's padded token matrix is the same words.
        var tokens = f["tokens"];
        for (int r = 0; r < words.Length; r++)
            for (int s = 0; s < tokens.Dim(1); s++)
                Assert.Equal(s < sequences[r].Length ? sequences[r][s] : 0, (int)tokens[r * tokens.Dim(1) + s]);

        var rows = Enumerable.Range(0, words.Length).ToArray();
        double loss;
        lock (model.Gate)
        {
            loss = model.Forward(sequences, rows);
            model.Backward();
        }
        Assert.Equal(f.Scalar("loss"), loss, Tolerance * Math.Abs(f.Scalar("loss")));
        foreach (var (name, p) in model.NamedParameters)
            TensorAssert.Close(f["grad." + name].Span, p.Grad.Span, Tolerance, "grad." + name);

        var codes = model.Encode(sequences);
        TensorAssert.Close(f["code"].Span, codes.Span, Tolerance, "code");

        var greedy = f["greedy"];
        int steps = greedy.Dim(1);
        var written = model.Decode(codes);
        for (int r = 0; r < words.Length; r++)
        {
            var ids = Enumerable.Range(0, steps).Select(s => (int)greedy[r * steps + s]).ToArray();
            Assert.Equal(model.Vocabulary.Decode(ids), written[r]);
        }
    }
}
