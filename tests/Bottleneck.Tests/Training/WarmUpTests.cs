using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Training;

namespace Bottleneck.Tests.Training;

public class WarmUpTests
{
    [Fact]
    public async Task A_run_after_a_warm_up_running_beside_it_trains_to_the_same_bits()
    {
        var config = new AutoencoderConfig { InputSize = 64, InputShape = null, Hidden = [32], Latent = 4 };
        var rng = new Bottleneck.Tensors.Rng(2);
        var features = new float[200 * 64];
        for (int i = 0; i < features.Length; i += 3) features[i] = (float)rng.NextDouble();
        var data = new Dataset("d", features, 200, 64);
        float[][] Train()
        {
            var model = new Autoencoder(config, seed: 7);
            Trainer.Fit(model, data, new FitOptions { Epochs = 2, BatchSize = 32 });
            return model.Parameters.Select(p => p.Value.Span.ToArray()).ToArray();
        }
        var alone = Train();
        var warmUp = Task.Run(() => WarmUp.Run(config, 32));
        var beside = Train();
        await warmUp;
        for (int i = 0; i < alone.Length; i++)
            Assert.Equal(alone[i].Select(BitConverter.SingleToInt32Bits), beside[i].Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void A_configuration_the_run_will_refuse_is_left_for_the_run_to_report()
    {
        WarmUp.Run(new AutoencoderConfig { InputSize = 0 }, 128); // no exception
        WarmUp.Run(new AutoencoderConfig(), 0);
    }
}
