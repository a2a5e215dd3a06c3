using Bottleneck.Models;
using Bottleneck.Optimizers;
using Bottleneck.Tensors;

namespace Bottleneck.Training;

/// <summary>
/// Compiles the training step's code before the run needs it: one step and one evaluation of a
/// throwaway model of the same configuration on made-up data. The JIT compiles a method on its
/// first call, and the first step of a run calls all of them (~0.15 s); started on another thread
/// while the data set loads (decompression keeps one core busy, the other mostly idle), that
/// compiling happens off the run's path. Nothing the run uses is touched.
/// </summary>
public static class WarmUp
{
    /// <summary>Runs the warm-up; any failure is ignored (the run itself reports a bad configuration).</summary>
    /// <param name="engine">The run's engine settings, so that the code paths of its thread count are the ones compiled.</param>
    public static void Run(AutoencoderConfig config, int batchSize, EngineOptions? engine = null)
    {
        try
        {
            var model = new Autoencoder(config, seed: 0, engine);
            var adam = new Adam(model.Parameters, engine: model.Engine);
            int rows = Math.Clamp(batchSize, 1, 256);
            var x = new Tensor(rows, config.InputSize);
            // Mostly zeros with some values in (0, 1), like images: the zero-skipping paths compile too.
            var rng = new Rng(1);
            for (int i = 0; i < x.Length; i += 5) x[i] = (float)rng.NextDouble();
            // The trainer's own step, then a forward as evaluation and inference do it.
            Trainer.Step(model, adam, x, new Tensor(rows, config.InputSize), epoch: 1, batchNumber: 1);
            model.Forward(x, null, training: false);
        }
        catch (Exception)
        {
            // Only a head start: whatever went wrong here, the run itself goes ahead and reports
            // any real problem with its own configuration and data.
        }
    }
}
