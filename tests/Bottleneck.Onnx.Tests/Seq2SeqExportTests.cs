using Bottleneck.Data;
using Bottleneck.Export;
using Bottleneck.Models;
using Bottleneck.Tests;
using Bottleneck.Training;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace Bottleneck.Onnx.Tests;

/// <summary>
/// A seq2seq model of real words (Debian's wamerican), briefly trained, exported and run by ONNX
/// Runtime on held-out words of mixed lengths in one padded batch: its codes and per-word losses
/// equal Bottleneck's to 1e-5, and its greedy decoding (an ONNX Loop) writes the same words back.
/// </summary>
public sealed class Seq2SeqExportTests(ITestOutputHelper output)
{
    [WordsFact]
    public void OnnxRuntimeEncodesScoresAndDecodesWordsAsBottleneckDoes()
    {
        var words = WordsData.Sample(1200, 30, maxLength: 6);
        var vocabulary = CharacterVocabulary.FromLines(words);
        var model = new Seq2SeqAutoencoder(new Seq2SeqConfig { Vocabulary = vocabulary.Characters, Embedding = 16, Hidden = 96, Latent = 24, MaxLength = 9 }, seed: 2);
        var sequences = model.Tokenize(words, "words");
        var train = sequences.Where((_, i) => i % 6 != 0).ToArray();
        var test = sequences.Where((_, i) => i % 6 == 0).ToArray();
        Trainer.Fit(model, model.ToDataset(train, "words"), Seq2SeqAutoencoder.FitDefaults with { Epochs = 40, BatchSize = 32, LearningRate = 5e-3, Seed = 2 });

        int time = test.Max(s => s.Length);
        var tokens = new long[test.Length * time];
        for (int i = 0; i < test.Length; i++)
            for (int s = 0; s < test[i].Length; s++) tokens[i * time + s] = test[i][s];

        var bytes = OnnxSeq2SeqExport.ToBytes(model);
        using var session = new InferenceSession(bytes);
        using var input = OrtValue.CreateTensorValueFromMemory(tokens, [test.Length, time]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [OnnxSeq2SeqExport.TokensName], [input], session.OutputNames);
        var byName = session.OutputNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => outputs[p.i]);

        double codeError = Tolerance.AssertClose(model.Encode(test).Span, byName[OnnxExport.CodeName].GetTensorDataAsSpan<float>(), "code");
        var losses = Array.ConvertAll(model.SequenceLosses(test), l => (float)l);
        double scoreError = Tolerance.AssertClose(losses, byName[OnnxExport.ScoreName].GetTensorDataAsSpan<float>(), "score");

        var decoded = byName[OnnxSeq2SeqExport.DecodedName];
        Assert.Equal([test.Length, 9], decoded.GetTensorTypeAndShape().Shape);
        var ids = decoded.GetTensorDataAsSpan<long>().ToArray();
        var expected = model.Reconstruct(test);
        int exact = 0;
        for (int i = 0; i < test.Length; i++)
        {
            var row = ids.AsSpan(i * 9, 9).ToArray().TakeWhile(id => id != CharacterVocabulary.Padding).Select(id => (int)id).ToArray();
            Assert.True(ids.AsSpan(i * 9 + row.Length, 9 - row.Length).ToArray().All(id => id == CharacterVocabulary.Padding), $"word {i}: a character after the padding");
            Assert.Equal(expected[i], model.Vocabulary.Decode(row));
            if (expected[i] == words[i * 6]) exact++;
        }
        Assert.Equal(vocabulary.Characters, session.ModelMetadata.CustomMetadataMap["bottleneck.vocabulary"].Select(c => c.ToString()));
        output.WriteLine($"{test.Length} held-out words up to {time} letters: {bytes.Length} bytes; code {codeError:E1}, score {scoreError:E1}; "
            + $"decoding equal for all, {exact} written back exactly");
        Assert.True(exact > 0, "the briefly trained model wrote no held-out word back: the test would not tell decodings apart");
    }
}
