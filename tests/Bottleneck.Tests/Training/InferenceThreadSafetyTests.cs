using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Training;

public class InferenceThreadSafetyTests
{
    [Fact]
    public void Eight_threads_encoding_and_reconstructing_at_once_match_one_thread()
    {
        var model = new Autoencoder(new AutoencoderConfig(), seed: 3);
        var (_, test) = Mnist.Load(SharedData.Mnist);
        var inputs = Enumerable.Range(0, 8).Select(i => { var t = new Tensor(300, 784); test.CopyRows(i * 300, 300, t); return t; }).ToArray();
        var codes = inputs.Select(model.Encode).ToArray();
        var reconstructions = inputs.Select(model.Reconstruct).ToArray();

        var results = new (Tensor Codes, Tensor Reconstruction)[8];
        using var start = new Barrier(8);
        var threads = Enumerable.Range(0, 8).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            for (int round = 0; round < 3; round++)
                results[i] = (model.Encode(inputs[i]), model.Reconstruct(inputs[i]));
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();

        for (int i = 0; i < 8; i++)
        {
            Assert.True(codes[i].Span.SequenceEqual(results[i].Codes.Span), $"codes of thread {i}");
            Assert.True(reconstructions[i].Span.SequenceEqual(results[i].Reconstruction.Span), $"reconstruction of thread {i}");
        }
    }
}
