using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Bottleneck.Training;

/// <summary>The optimizer <see cref="Trainer.Fit"/> makes when it is not handed one.</summary>
[Description("optimizer")]
[JsonConverter(typeof(NamedEnumConverter<OptimizerKind>))]
public enum OptimizerKind
{
    /// <summary><see cref="Optimizers.Adam"/>, with the options' learning rate and weight decay.</summary>
    Adam,
}
