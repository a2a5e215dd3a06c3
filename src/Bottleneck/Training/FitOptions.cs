using Bottleneck.Data;
using System.Text.Json.Serialization;
using Bottleneck.Models;

namespace Bottleneck.Training;

/// <summary>
/// Settings of a training run; the defaults are the tutorial's. model.json records it as it is
/// under "training" (in snake case), all but what belongs to this process alone: the validation
/// data, the log interval, where checkpoints go and the one to resume from.
/// </summary>
public sealed record FitOptions
{
    /// <summary>The defaults, in the one place they are written (the command line's defaults read them here).</summary>
    public static FitOptions Default { get; } = new();

    public int Epochs { get; init; } = 10;

    public int BatchSize { get; init; } = 128;

    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Adam's L2 weight decay (0: none).</summary>
    public double WeightDecay { get; init; }

    /// <summary>The optimizer made when <see cref="Trainer.Fit"/> is not handed one.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>How the learning rate changes over the run, step by step.</summary>
    public LrScheduleKind LrSchedule { get; init; } = LrScheduleKind.Constant;

    /// <summary>
    /// The largest norm of a step's gradient, for the loss per item (see
    /// <see cref="GradientClipping"/>); larger gradients are scaled down to it. Null: no clipping.
    /// </summary>
    public double? ClipNorm { get; init; }

    /// <summary>Reshuffle the training items every epoch; false keeps file order, batch for batch like an unshuffled PyTorch DataLoader.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>
    /// Batches of items of one length (for data of padded sequences, <see cref="Dataset.Lengths"/>):
    /// the items sorted by length, in a fresh random order within a length when shuffling, cut into
    /// batches, and the batches shuffled. It keeps padding, and so wasted work, small.
    /// </summary>
    public bool GroupByLength { get; init; }

    /// <summary>Seed of the shuffling order (the model's initialisation has its own seed).</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Data evaluated after every epoch (the "test set loss"); null skips it.</summary>
    [JsonIgnore]
    public Dataset? Validation { get; init; }

    /// <summary>Batches between two progress reports with a loss, as the tutorial's log_interval.</summary>
    [JsonIgnore]
    public int LogInterval { get; init; } = 100;

    /// <summary>Where to write the checkpoint (weights, optimizer, epoch, generator state); null: none.</summary>
    [JsonIgnore]
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// Text entries stored in every checkpoint beside the training state (read back as
    /// <see cref="Checkpoint.Metadata"/>): what a caller needs to resume from the checkpoint
    /// alone, such as how the model and its data were set up.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, string>? CheckpointMetadata { get; init; }

    /// <summary>
    /// Early stopping: stop when the validation loss has not improved for this many epochs and
    /// put back the weights of the best epoch (Keras' EarlyStopping with restore_best_weights).
    /// Null trains every epoch. Needs <see cref="Validation"/>.
    /// </summary>
    public int? Patience { get; init; }

    /// <summary>Epochs between checkpoints; the last epoch always writes one.</summary>
    public int CheckpointEvery { get; init; } = 1;

    /// <summary>A checkpoint to continue from (see <see cref="Checkpoint.Load"/>): training resumes after its last epoch.</summary>
    [JsonIgnore]
    public Checkpoint? ResumeFrom { get; init; }

    public void Validate()
    {
        if (Epochs < 1) throw new BottleneckException($"epochs must be at least 1, got {Epochs}");
        if (BatchSize < 1) throw new BottleneckException($"batch size must be at least 1, got {BatchSize}");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new BottleneckException($"learning rate must be a positive number, got {LearningRate}");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay))
            throw new BottleneckException($"weight decay must be zero or positive, got {WeightDecay}");
        if (CheckpointEvery < 1) throw new BottleneckException($"checkpoint interval must be at least 1 epoch, got {CheckpointEvery}");
        if (Patience is < 1) throw new BottleneckException($"patience must be at least 1 epoch, got {Patience}");
        if (Patience is not null && Validation is null) throw new BottleneckException("early stopping needs validation data");
        if (LogInterval < 1) throw new BottleneckException($"log interval must be at least 1, got {LogInterval}");
        if (ClipNorm is double c && !(c > 0 && double.IsFinite(c))) throw new BottleneckException($"the gradient clipping norm must be a positive number, got {c}");
        NamedEnum.Defined(Optimizer);
        NamedEnum.Defined(LrSchedule);
    }
}
