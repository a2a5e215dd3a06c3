using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Tensors;
using Bottleneck.Training;

namespace Bottleneck.Applications;

/// <summary>
/// Settings of <see cref="AnomalyDetector.Fit"/>. The defaults were chosen on the ADBench suite
/// (docs/ANOMALY.md): standardised features, a small dense autoencoder whose code is about a
/// quarter of the input, MSE, early stopping on a held-out tenth of the training data, a second
/// fit without the quarter of the training items the first fit scores highest, and an ensemble
/// of differently seeded members whose feature-weighted errors are averaged.
/// </summary>
public sealed record AnomalyOptions
{
    /// <summary>Per-feature scaling fitted on the training data: "standard", "minmax" or "none".</summary>
    public string Scale { get; init; } = "standard";

    /// <summary>Hidden layer widths; null picks from the feature count (see <see cref="AnomalyDetector.DefaultArchitecture"/>).</summary>
    public int[]? Hidden { get; init; }

    /// <summary>Code size; null picks from the feature count.</summary>
    public int? Latent { get; init; }

    public Layers.ActivationKind[] Activation { get; init; } = [Layers.ActivationKind.Relu];

    /// <summary>Maximum epochs; early stopping usually ends sooner.</summary>
    public int Epochs { get; init; } = 50;

    public int BatchSize { get; init; } = 64;

    public double LearningRate { get; init; } = FitOptions.Default.LearningRate;

    /// <summary>Share of the training data held out to decide when to stop.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    public int Patience { get; init; } = 5;

    /// <summary>Number of autoencoders averaged.</summary>
    public int Ensemble { get; init; } = 5;

    /// <summary>
    /// Share of the training items, those the first fit scores highest, dropped before each member
    /// is fitted again from scratch on the rest; 0 fits once.
    /// </summary>
    public double Trim { get; init; } = 0.25;

    /// <summary>How a member turns its outputs into a score: "weighted", "combined" or "error" (see <see cref="MemberCalibration"/>).</summary>
    public string Score { get; init; } = "weighted";

    /// <summary>Training items per member at most (a random subsample when the data is larger); keeps big sets fast.</summary>
    public int MaxTrainItems { get; init; } = 20_000;

    public ulong Seed { get; init; } = 42;

    /// <summary>Threads and kernel of the members' training and scoring.</summary>
    public EngineOptions Engine { get; init; } = EngineOptions.Default;

    /// <summary>
    /// Settings for images whose training set is known to be normal (the one-class setting):
    /// pixels already share one unit, so no scaling and the plain squared error (weighting each
    /// pixel by its own typical error would let the border pixels, rebuilt almost exactly on
    /// every training image, decide), and nothing to trim.
    /// </summary>
    public static AnomalyOptions CleanImages => new() { Scale = "none", Score = "error", Trim = 0 };
}

/// <summary>
/// Unsupervised anomaly detection by reconstruction error: fit on (mostly) normal data, then an
/// item's score is how badly the autoencoders rebuild it. Each member is fitted twice: the
/// training data usually holds some anomalies, and a model fitted to them learns to rebuild them
/// too, so the second fit leaves out the items the first one scored highest. Each member's score
/// is calibrated on its own training data (<see cref="MemberCalibration"/>), so members of
/// different scale weigh the same.
/// </summary>
public sealed class AnomalyDetector
{
    private readonly Autoencoder[] members;
    private readonly MemberCalibration[] calibrations;

    private AnomalyDetector(FeatureScaler scaler, Autoencoder[] members, MemberCalibration[] calibrations)
    {
        Scaler = scaler;
        this.members = members;
        this.calibrations = calibrations;
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
        if (!(o.Trim >= 0 && o.Trim < 1)) throw new BottleneckException($"the trimmed share must be at least 0 and below 1, got {o.Trim.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        if (o.Ensemble < 1) throw new BottleneckException($"the ensemble needs at least one member, got {o.Ensemble}");
        if (!MemberCalibration.ScoreNames.Contains(o.Score)) throw new BottleneckException($"unknown anomaly score '{o.Score}' (expected {string.Join(" or ", MemberCalibration.ScoreNames)})");
        var scaler = new FeatureScaler(o.Scale).Fit(train);
        var scaled = scaler.Transform(train);
        var (hidden, latent) = DefaultArchitecture(train.FeatureCount);
        var config = new AutoencoderConfig
        {
            Kind = (o.Hidden ?? hidden).Length > 1 ? ModelKind.Deep : ModelKind.Vanilla,
            InputSize = train.FeatureCount,
            InputShape = null,
            Hidden = o.Hidden ?? hidden,
            Latent = o.Latent ?? latent,
            Activation = o.Activation,
            OutputActivation = Layers.ActivationKind.None,
            Loss = Losses.LossKind.Mse,
        };
        var members = new Autoencoder[o.Ensemble];
        var calibrations = new MemberCalibration[o.Ensemble];
        for (int m = 0; m < o.Ensemble; m++)
        {
            ulong seed = o.Seed + (ulong)m * 7919;
            var sample = scaled.Count > o.MaxTrainItems ? DatasetSplit.Random(scaled, (double)o.MaxTrainItems / scaled.Count, seed).Train : scaled;
            var (model, fit) = FitMember(config, sample, o, seed);
            if (o.Trim > 0 && sample.Count * (1 - o.Trim) >= 10)
            {
                // The training data holds the anomalies too, and a model fitted to them rebuilds
                // them. Refit on the items the first fit found most ordinary, judged by the
                // combined score: it also sees the anomalies that the first fit rebuilt well.
                var first = new double[sample.Count];
                MemberCalibration.Fit(model, fit, "combined").AddScores(model, sample, first, 1);
                var ordinary = Enumerable.Range(0, sample.Count).OrderBy(i => first[i]).ThenBy(i => i)
                    .Take((int)(sample.Count * (1 - o.Trim))).Order().ToArray();
                (model, fit) = FitMember(config, sample.Select(ordinary), o, seed);
            }
            members[m] = model;
            calibrations[m] = MemberCalibration.Fit(model, fit, o.Score);
        }
        return new AnomalyDetector(scaler, members, calibrations);
    }

    /// <summary>A fresh member trained on <paramref name="sample"/> less its validation part, and that training part.</summary>
    private static (Autoencoder Model, Dataset Fit) FitMember(AutoencoderConfig config, Dataset sample, AnomalyOptions o, ulong seed)
    {
        var (fit, validation) = DatasetSplit.Random(sample, 1 - o.ValidationFraction, seed + 1);
        if (validation.Count == 0) (fit, validation) = (sample, sample);
        var model = new Autoencoder(config, seed, o.Engine);
        Trainer.Fit(model, fit, new FitOptions
        {
            Epochs = o.Epochs,
            BatchSize = o.BatchSize,
            LearningRate = o.LearningRate,
            Seed = seed,
            Validation = validation,
            Patience = o.Patience,
        });
        return (model, fit);
    }

    /// <summary>One score per item of raw (unscaled) <paramref name="data"/>: higher is more anomalous.</summary>
    public double[] Score(Dataset data)
    {
        var scaled = Scaler.Transform(data);
        var scores = new double[data.Count];
        for (int m = 0; m < members.Length; m++) calibrations[m].AddScores(members[m], scaled, scores, 1.0 / members.Length);
        return scores;
    }
}
