using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>Layers applied in order; parameters are named "{index}.{name}" as in nn.Sequential.</summary>
public sealed class Sequential : Layer
{
    private readonly Layer[] layers;

    public Sequential(IEnumerable<Layer> layers)
    {
        this.layers = layers.ToArray();
        var named = new List<(string, Parameter)>();
        for (int i = 0; i < this.layers.Length; i++)
            foreach (var p in this.layers[i].Parameters) named.Add(($"{i}.{p.Name}", p));
        NamedParameters = named;
        Parameters = named.Select(n => n.Item2).ToArray();
        var buffers = new List<(string, Tensor)>();
        for (int i = 0; i < this.layers.Length; i++)
            foreach (var (name, value) in this.layers[i].Buffers) buffers.Add(($"{i}.{name}", value));
        NamedBuffers = buffers;
    }

    public IReadOnlyList<Layer> Layers => layers;

    protected override IEnumerable<Layer> InnerLayers => layers;

    /// <summary>Parameters with their state_dict names relative to this container.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters { get; }

    public override IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Buffers with their state_dict names relative to this container ("3.running_mean").</summary>
    public IReadOnlyList<(string Name, Tensor Value)> NamedBuffers { get; }

    /// <summary>The named buffers, so that a Sequential inside another keeps its inner indices.</summary>
    public override IReadOnlyList<(string Name, Tensor Value)> Buffers => NamedBuffers;

    public override int OutputSize(int inputSize)
    {
        foreach (var layer in layers) inputSize = layer.OutputSize(inputSize);
        return inputSize;
    }

    public override Tensor Forward(Tensor input, bool training)
    {
        var x = input;
        for (int i = 0; i < layers.Length; i++)
        {
            if (Engine.FuseActivations && layers[i] is Linear linear && i + 1 < layers.Length && layers[i + 1] is ReLU relu)
            {
                // Linear then ReLU: the GEMM rectifies each tile of its output as it finishes
                // it, which saves the ReLU's pass over the whole output (same values).
                x = relu.ForwardRectified(linear.Forward(x, relu));
                i++;
                continue;
            }
            x = layers[i].Forward(x, training);
        }
        return x;
    }

    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad) => Backward(gradOutput, needInputGrad, layers.Length);

    /// <summary>
    /// The backward pass from the output gradient of layer <paramref name="end"/> − 1 down: the
    /// layers from <paramref name="end"/> on have been gone through already (a last sigmoid whose
    /// backward the loss folded into its gradient).
    /// </summary>
    internal Tensor? Backward(Tensor gradOutput, bool needInputGrad, int end)
    {
        Tensor? g = gradOutput;
        for (int i = end - 1; i >= 0; i--)
        {
            // Below the first layer with parameters nothing needs a gradient unless the caller does:
            // this skips the largest product of the first layer (dY·W) during plain training.
            bool need = needInputGrad || HasParametersBelow(i);
            if (Engine.FuseActivations && need && layers[i] is Linear linear && i > 0 && layers[i - 1] is ReLU relu)
            {
                // ReLU then Linear: the ReLU's mask goes onto each tile of the Linear's input
                // gradient as the GEMM finishes it, which saves the ReLU's own pass.
                g = linear.Backward(g!, true, relu);
                i--;
                continue;
            }
            g = layers[i].Backward(g!, need);
            if (g is null) return null;
        }
        return g;
    }

    private bool HasParametersBelow(int index)
    {
        for (int i = 0; i < index; i++)
            if (layers[i].Parameters.Count > 0) return true;
        return false;
    }

    public override string Describe() =>
        "Sequential(" + string.Join(", ", layers.Select((l, i) => $"({i}): {l.Describe()}")) + ")";
}
