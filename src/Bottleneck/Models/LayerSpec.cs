using Bottleneck.Layers;
using Bottleneck.Tensors;

namespace Bottleneck.Models;

/// <summary>
/// One layer of a custom model's encoder or decoder as model.json stores it ("linear" with its
/// sizes, an activation by name, "dropout", "batch_norm_1d"), enough to build the layer again
/// before its weights are loaded. Only layers whose every setting fits here can be described.
/// </summary>
public sealed record LayerSpec
{
    public const string LinearType = "linear";
    public const string DropoutType = "dropout";
    public const string BatchNormType = "batch_norm_1d";

    /// <summary>The layers a custom model may hold, for error messages.</summary>
    public static string Supported => $"Linear, BatchNorm1d, Dropout and the activations ({string.Join(", ", Activation.Names)})";

    /// <summary>"linear", "dropout", "batch_norm_1d" or an activation name (<see cref="Activation.Names"/>).</summary>
    public required string Type { get; init; }

    /// <summary>Linear: input features; batch norm: features.</summary>
    public int? In { get; init; }

    /// <summary>Linear: output features.</summary>
    public int? Out { get; init; }

    /// <summary>Dropout's probability, leaky_relu's negative slope or elu's alpha.</summary>
    public double? Value { get; init; }

    /// <summary>Batch norm's ε and momentum.</summary>
    public double? Eps { get; init; }

    public double? Momentum { get; init; }

    /// <summary>The description of <paramref name="layer"/>; a layer it cannot hold is refused by name.</summary>
    public static LayerSpec Of(Layer layer) => layer switch
    {
        Linear l => new LayerSpec { Type = LinearType, In = l.InFeatures, Out = l.OutFeatures },
        Dropout d => new LayerSpec { Type = DropoutType, Value = d.P },
        BatchNorm1d b => new LayerSpec { Type = BatchNormType, In = b.Features, Eps = b.Eps, Momentum = b.Momentum },
        LeakyReLU r => new LayerSpec { Type = r.Name, Value = r.NegativeSlope },
        ELU e => new LayerSpec { Type = e.Name, Value = e.Alpha },
        Activation a => new LayerSpec { Type = a.Name },
        _ => throw new BottleneckException($"{layer.Describe()} cannot be saved in a custom model; it may hold {Supported}"),
    };

    /// <summary>
    /// Width of an item after this layer, from <paramref name="width"/> before it; a size that does
    /// not follow on, or a bad setting, is refused naming <paramref name="where"/>.
    /// </summary>
    public int OutputWidth(int width, string where)
    {
        switch (Type)
        {
            case LinearType:
                if (In is not > 0 || Out is not > 0) throw new BottleneckException($"{where}: a linear layer needs positive 'in' and 'out' sizes");
                if (In != width) throw new BottleneckException($"{where}: a linear layer of {In} inputs follows {width} values");
                return Out.Value;
            case BatchNormType:
                if (In != width) throw new BottleneckException($"{where}: batch norm of {In} features follows {width} values");
                return width;
            case DropoutType:
                if (Value is not (>= 0 and < 1)) throw new BottleneckException($"{where}: dropout probability must be in [0, 1), got {Value}");
                return width;
            default:
                if (!Activation.Names.Contains(Type)) throw new BottleneckException($"{where}: unknown layer '{Type}'; a custom model holds {Supported}");
                return width;
        }
    }

    /// <summary>A fresh layer as described (weights from <paramref name="init"/>, dropout masks from <paramref name="sampler"/>).</summary>
    public Layer Build(Rng init, Rng sampler) => Type switch
    {
        LinearType => new Linear(In!.Value, Out!.Value, init),
        DropoutType => new Dropout(Value!.Value, sampler),
        BatchNormType => new BatchNorm1d(In!.Value, Eps ?? 1e-5, Momentum ?? 0.1),
        "leaky_relu" => new LeakyReLU((float)(Value ?? 0.01)),
        "elu" => new ELU((float)(Value ?? 1)),
        _ => Activation.Create(Type),
    };
}
