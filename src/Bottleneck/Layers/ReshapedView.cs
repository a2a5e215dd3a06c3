using Bottleneck.Tensors;

namespace Bottleneck.Layers;

/// <summary>
/// Another tensor's floats seen with another row length: a batch of sequences [batch, steps·features]
/// as [batch·steps, features], so that a map applied to every step (a projection) runs as one GEMM
/// over all the steps of the batch, or the way back. No copy: the view wraps the source's storage.
/// The view object is kept and reused while the source keeps its storage (a layer's output buffer
/// does from one step to the next), so a steady-state step allocates nothing.
/// </summary>
internal sealed class ReshapedView
{
    private Tensor? view;

    /// <summary><paramref name="source"/>'s values as rows of <paramref name="rowLength"/>; valid until the source's storage grows.</summary>
    public Tensor Of(Tensor source, int rowLength)
    {
        if (source.Length % rowLength != 0)
            throw new BottleneckException($"{source.Length} values do not split into rows of {rowLength}");
        int rows = source.Length / rowLength;
        if (view is null || !ReferenceEquals(view.Buffer, source.Buffer) || view.RowLength != rowLength)
            view = Tensor.Wrap(source.Buffer, rows, rowLength);
        else
            view.ResizeBatch(rows); // within the same array: never reallocates
        return view;
    }
}
