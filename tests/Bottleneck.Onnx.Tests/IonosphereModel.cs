using Bottleneck.Data;
using Bottleneck.Layers;
using Bottleneck.Models;
using Bottleneck.Tests;
using Bottleneck.Training;

namespace Bottleneck.Onnx.Tests;

/// <summary>
/// A small dense model trained on a real table with labelled anomalies (ADBench's ionosphere: 351
/// radar returns of 33 values, 126 labelled bad), scaled per feature as `bottleneck train` does.
/// </summary>
internal sealed record IonosphereModel(Dataset Raw, FeatureScaler Scaler, Dataset Scaled, Autoencoder Model)
{
    public static IonosphereModel Train(string scaling, int epochs, ulong seed)
    {
        var raw = TabularLoader.Load(Path.Combine(SharedData.Root, "datasets", "adbench", "18_Ionosphere.npz"));
        var scaler = new FeatureScaler(scaling).Fit(raw);
        var scaled = scaler.Transform(raw);
        var config = ModelKinds.Defaults(ModelKind.Deep) with
        {
            InputSize = raw.FeatureCount,
            InputShape = null,
            Hidden = [16],
            Latent = 4,
            OutputActivation = ActivationKind.None,
        };
        var model = new Autoencoder(config, seed);
        Trainer.Fit(model, scaled, new FitOptions { Epochs = epochs, BatchSize = 32 });
        return new IonosphereModel(raw, scaler, scaled, model);
    }
}
