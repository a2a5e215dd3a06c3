using Bottleneck.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bottleneck.Layers;

/// <summary>
/// nn.Embedding(num_embeddings, embedding_dim, padding_idx=0): a table of vectors looked up by
/// token id. The input holds ids as whole numbers [batch, steps] (float32 holds every id up to
/// 2^24 exactly), the output their vectors [batch, steps·dim]. Row 0 is padding, as with
/// PyTorch's padding_idx: it starts at zero and gets no gradient, so a padded step reads zeros.
/// Initialised N(0, 1), PyTorch's default.
/// </summary>
public sealed class Embedding : Layer
{
    private readonly Parameter weight;
    private readonly Parameter[] parameters;
    private Tensor? input;
    private Tensor? output;

    public Embedding(int count, int dimension, Rng init)
    {
        if (count < 2 || dimension < 1)
            throw new BottleneckException($"an embedding needs at least 2 entries (padding and one token) and a positive size, got {count}×{dimension}");
        Count = count;
        Dimension = dimension;
        weight = new Parameter("weight", count, dimension);
        parameters = [weight];
        var w = weight.Value.Span;
        for (int i = 0; i < w.Length; i++) w[i] = (float)init.NextNormal();
        w[..dimension].Clear();
    }

    /// <summary>Entries in the table (the vocabulary's size).</summary>
    public int Count { get; }

    public int Dimension { get; }

    public Parameter Weight => weight;

    public override IReadOnlyList<Parameter> Parameters => parameters;

    public override int OutputSize(int inputSize) => inputSize * Dimension;

    public override Tensor Forward(Tensor ids, bool training)
    {
        input = ids;
        EnsureShape(ref output, ids.Rows, ids.RowLength * Dimension);
        var source = ids.Span;
        var table = weight.Value.Span;
        var dest = output!.Span;
        for (int i = 0; i < source.Length; i++)
            table.Slice(Id(source[i]) * Dimension, Dimension).CopyTo(dest.Slice(i * Dimension, Dimension));
        return output;
    }

    /// <summary>Adds each step's output gradient to its token's row (not the padding row); ids get no gradient.</summary>
    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        var ids = input ?? throw new InvalidOperationException("Embedding.Backward called before Forward");
        var source = ids.Span;
        if (gradOutput.Length != source.Length * Dimension)
            throw new BottleneckException($"{Describe()}: output gradient of {gradOutput.Length} values for {source.Length} tokens");
        var grad = weight.Grad.Span;
        grad.Clear();
        var dy = gradOutput.Span;
        for (int i = 0; i < source.Length; i++)
        {
            int id = (int)source[i];
            if (id == 0) continue;
            var row = grad.Slice(id * Dimension, Dimension);
            TensorPrimitives.Add(row, dy.Slice(i * Dimension, Dimension), row);
        }
        return null;
    }

    private int Id(float value)
    {
        int id = (int)value;
        if (id != value || id < 0 || id >= Count)
            throw new BottleneckException($"{Describe()}: token id {value} is outside 0..{Count - 1}");
        return id;
    }

    public override string Describe() => $"Embedding({Count}, {Dimension}, padding_idx=0)";
}
