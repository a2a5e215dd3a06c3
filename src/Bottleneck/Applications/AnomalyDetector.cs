using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Tensors;
using Bottleneck.Training;

namespace Bottleneck.Applications;

/// <summary>
/// Settings of <see cref="AnomalyDetector.Fit"/>. The defaults were chosen on the ADBench suite
/// (docs/ANOMALY.md): standardised features, a small dense autoencoder whose code is about a
/// quarter of the input, MSE, early stopping on a held-out tenth of the training data, and an
/// ensemble of differently seeded members whose normalised errors are averaged.
/// </summary>
public sealed record AnomalyOptions
{
    /// <summary>Per-feature scaling fitted on the training data: "standard", "minmax" or "none".</summary>
    public string Scale { get; init; } = "standard";

    /// <summary>Hidden layer widths; null picks from the feature count (see <see cref="AnomalyDetector.DefaultArchitecture"/>).</summary>
    public int[]? Hidden { get; init; }

    /// <summary>Code size; null picks from the feature count.</summary>
    public int? Latent { get; init; }

    public string Activation { get; init; } = "relu";

    /// <summary>Maximum epochs; early stopping usually ends sooner.</summary>
    public int Epochs { get; init; } = 50;

    public int BatchSize { get; init; } = 64;

    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Share of the training data held out to decide when to stop.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    public int Patience { get; init; } = 5;

    /// <summary>Number of autoencoders averaged.</summary>
    public int Ensemble { get; init; } = 5;

    /// <summary>Training items per member at most (a random subsample when the data is larger); keeps big sets fast.</summary>
    public int MaxTrainItems { get; init; } = 20_000;

    public ulong Seed { get; init; } = 42;
}

/// <summary>
/// Unsupervised anomaly detection by reconstruction error: fit on (mostly) normal data, then an
/// item's score is how badly the autoencoders rebuild it. Each member's errors are divided by
/// its median error on its own training data, so members of different scale weigh the same.
/// </summary>
public sealed class AnomalyDetector
{
    private readonly Autoencoder[] members;
    private readonly double[] medians;

    private AnomalyDetector(FeatureScaler scaler, Autoencoder[] members, double[] medians)
    {
        Scaler = scaler;
        this.members = members;
        this.medians = medians;
    }

    public FeatureScaler Scaler { get; }

    public IReadOnlyList<Autoencoder> Members => members;

    /// <summary>Hidden widths and code size for data of <paramref name="features"/> values.</summary>
    public static (int[] Hidden, int Latent) DefaultArchitecture(int features)
    {
        int latent = Math.Clamp((features + 3) / 4, 2, 32);
        int hidden = Math.Clamp(2 * features, 16, 128);
        return ([hidden], latent);
    }

    public static AnomalyDetector Fit(Dataset train, AnomalyOptions? options = null)
    {
        var o = options ?? new AnomalyOptions();
        if (train.Count < 10) throw new BottleneckException($"anomaly detection needs at least 10 training items, got {train.Count}");
        if (o.Ensemble < 1) throw new BottleneckException($"the ensemble needs at least one member, got {o.Ensemble}");
        var scaler = new FeatureScaler(o.Scale).Fit(train);
        var scaled = scaler.Transform(train);
        var (hidden, latent) = DefaultArchitecture(train.FeatureCount);
        var config = new AutoencoderConfig
        {
            Kind = (o.Hidden ?? hidden).Length > 1 ? ModelKinds.Deep : ModelKinds.Vanilla,
            InputSize = train.FeatureCount,
            InputShape = null,
            Hidden = o.Hidden ?? hidden,
            Latent = o.Latent ?? latent,
            Activation = o.Activation,
            OutputActivation = "none",
            Loss = "mse",
        };
        var members = new Autoencoder[o.Ensemble];
        var medians = new double[o.Ensemble];
        for (int m = 0; m < o.Ensemble; m++)
        {
            ulong seed = o.Seed + (ulong)m * 7919;
            var sample = scaled.Count > o.MaxTrainItems ? DatasetSplit.Random(scaled, (double)o.MaxTrainItems / scaled.Count, seed).Train : scaled;
            var (fit, validation) = DatasetSplit.Random(sample, 1 - o.ValidationFraction, seed + 1);
            if (validation.Count == 0) (fit, validation) = (sample, sample);
            var model = new Autoencoder(config, seed);
            model.Fit(fit, new FitOptions
            {
                Epochs = o.Epochs,
                BatchSize = o.BatchSize,
                LearningRate = o.LearningRate,
                Seed = seed,
                Validation = validation,
                Patience = o.Patience,
            });
            members[m] = model;
            var errors = AnomalyScores.ReconstructionErrors(model, fit);
            Array.Sort(errors);
            medians[m] = Math.Max(errors[errors.Length / 2], 1e-12);
        }
        return new AnomalyDetector(scaler, members, medians);
    }

    /// <summary>One score per item of raw (unscaled) <paramref name="data"/>: higher is more anomalous.</summary>
    public double[] Score(Dataset data)
    {
        var scaled = Scaler.Transform(data);
        var scores = new double[data.Count];
        for (int m = 0; m < members.Length; m++)
        {
            var errors = AnomalyScores.ReconstructionErrors(members[m], scaled);
            for (int i = 0; i < scores.Length; i++) scores[i] += errors[i] / medians[m] / members.Length;
        }
        return scores;
    }
}
