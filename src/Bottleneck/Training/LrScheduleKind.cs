using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Bottleneck.Training;

/// <summary>How the learning rate changes over a run (<see cref="FitOptions.LrSchedule"/>).</summary>
[Description("learning rate schedule")]
[JsonConverter(typeof(NamedEnumConverter<LrScheduleKind>))]
public enum LrScheduleKind
{
    /// <summary>The options' rate at every step.</summary>
    Constant,

    /// <summary>
    /// Cosine decay from the options' rate to zero after the last step (SGDR without restarts;
    /// torch.optim.lr_scheduler.CosineAnnealingLR stepped per batch).
    /// </summary>
    Cosine,
}
