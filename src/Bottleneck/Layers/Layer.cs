using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>
/// One step of a network with an explicit forward and backward pass. A layer owns its output
/// and input-gradient buffers and resizes them to the batch, so steady-state training allocates
/// nothing. Consequently a layer is not safe to call from several threads at once; the models
/// serialise their public inference calls.
/// </summary>
public abstract class Layer
{
    private static readonly Parameter[] None = [];
    private static readonly (string Name, Tensor Value)[] NoBuffers = [];

    public virtual IReadOnlyList<Parameter> Parameters => None;

    /// <summary>
    /// State that is saved with the model but not trained by the optimizer (batch norm's running
    /// statistics), named as in a PyTorch state_dict ("running_mean"). Empty for most layers.
    /// </summary>
    public virtual IReadOnlyList<(string Name, Tensor Value)> Buffers => NoBuffers;

    /// <summary>
    /// The engine settings the layer computes with: <see cref="EngineOptions.Default"/> until its
    /// owner (a model, a container) sets them. Setting them on a layer made of others sets them on those too.
    /// </summary>
    public EngineOptions Engine
    {
        get;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            field = value;
            foreach (var inner in InnerLayers) inner.Engine = value;
        }
    } = EngineOptions.Default;

    /// <summary>The layers this one is made of, which share its <see cref="Engine"/>; none for most.</summary>
    protected virtual IEnumerable<Layer> InnerLayers => [];

    /// <summary>Size of one output item for an input item of <paramref name="inputSize"/> values.</summary>
    public abstract int OutputSize(int inputSize);

    /// <summary>Computes the output; keeps what backward needs.</summary>
    public abstract Tensor Forward(Tensor input, bool training);

    /// <summary>
    /// Given dL/d(output) of the last forward, writes (overwrites) the parameter gradients and
    /// returns dL/d(input), or null when <paramref name="needInputGrad"/> is false.
    /// </summary>
    public abstract Tensor? Backward(Tensor gradOutput, bool needInputGrad);

    /// <summary>The PyTorch module name, e.g. "Linear(in_features=784, out_features=400)".</summary>
    public abstract string Describe();

    protected static void EnsureShape(ref Tensor? buffer, int rows, int rowLength) => Tensor.Ensure(ref buffer, rows, rowLength);
}
