using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>
/// What LSTM and GRU share as layers: their sizes, the four parameters PyTorch names
/// weight_ih_l0 [G·hidden, input], weight_hh_l0 [G·hidden, hidden], bias_ih_l0 and bias_hh_l0
/// (G gates), initialised U(-1/√hidden, 1/√hidden) in that order, and the batch-first/time-major layout.
/// </summary>
public abstract class RecurrentLayer : Layer
{
    private readonly Parameter[] parameters;

    private protected RecurrentLayer(string name, int gates, int inputSize, int hiddenSize, int steps, bool returnSequences, Rng init)
    {
        Layout = new RecurrentLayout(name, inputSize, hiddenSize, steps, returnSequences);
        int rows = gates * hiddenSize;
        WeightIh = new Parameter("weight_ih_l0", rows, inputSize);
        WeightHh = new Parameter("weight_hh_l0", rows, hiddenSize);
        BiasIh = new Parameter("bias_ih_l0", rows);
        BiasHh = new Parameter("bias_hh_l0", rows);
        parameters = [WeightIh, WeightHh, BiasIh, BiasHh];
        foreach (var p in parameters) Init.UniformFanIn(p.Value, hiddenSize, init);
    }

    private protected RecurrentLayout Layout { get; }

    /// <summary>weight_ih_l0 [G·hidden, input], the gates in PyTorch's order.</summary>
    internal Parameter WeightIh { get; }

    /// <summary>weight_hh_l0 [G·hidden, hidden].</summary>
    internal Parameter WeightHh { get; }

    internal Parameter BiasIh { get; }

    internal Parameter BiasHh { get; }

    public int InputSize => Layout.Input;

    public int HiddenSize => Layout.Hidden;

    public int Steps => Layout.Steps;

    public bool ReturnSequences => Layout.ReturnSequences;

    public override IReadOnlyList<Parameter> Parameters => parameters;

    public override int OutputSize(int inputSize) => Layout.OutputSize(inputSize);

    public override string Describe() => Layout.Describe();
}
