using Bottleneck.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bottleneck.Layers;

/// <summary>
/// nn.LSTM(input_size, hidden_size, batch_first=True), one layer, zero initial state, on a batch
/// of sequences [batch, steps·input]. Per step, with PyTorch's gate order (input, forget, cell, output):
/// i, f, g, o = σ, σ, tanh, σ of x_t·W_ihᵀ + b_ih + h_{t-1}·W_hhᵀ + b_hh;
/// c_t = f·c_{t-1} + i·g; h_t = o·tanh(c_t).
/// The output is every h_t [batch, steps·hidden] or, without <c>returnSequences</c>, the last
/// one [batch, hidden] (PyTorch's h_n).
/// </summary>
/// <remarks>
/// Inside, the steps are laid out time-major ([steps·batch, ·], step t in rows t·batch ..): the
/// input projection of all steps is one GEMM before the loop, each step adds one [batch, 4·hidden]
/// GEMM with W_hh, and backward gathers the weight gradients of all steps into one GEMM each. All
/// buffers are kept from one batch to the next, so a steady-state step allocates nothing.
/// </remarks>
public sealed class Lstm : RecurrentLayer
{
    private readonly float[] biasSum;
    private Tensor? gates;      // [T·B, 4H]: pre-activations, then the activated i, f, g, o
    private Tensor? hidden;     // [(T+1)·B, H]: h_{-1} = 0 in block 0, h_t in block t+1
    private Tensor? cells;      // [(T+1)·B, H]: c likewise
    private Tensor? tanhCells;  // [T·B, H]: tanh(c_t)
    private Tensor? output;
    private Tensor? gradGates;  // [T·B, 4H]
    private Tensor? gradHidden, gradCell; // [B, H]: dL/dh_t and dL/dc_t of the step being unrolled
    private int batch = -1;

    /// <param name="steps">Steps per item: items are [steps·input].</param>
    /// <param name="returnSequences">Output h at every step (true) or only the last (false).</param>
    /// <param name="init">PyTorch's initialisation, U(-1/√hidden, 1/√hidden), drawn in state_dict order.</param>
    public Lstm(int inputSize, int hiddenSize, int steps, bool returnSequences, Rng init)
        : base("LSTM", 4, inputSize, hiddenSize, steps, returnSequences, init)
    {
        biasSum = new float[4 * hiddenSize];
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        var xs = Layout.ToTimeMajor(x);
        int b = batch = x.Rows, h = Layout.Hidden, g4 = 4 * h, steps = Layout.Steps;
        EnsureShape(ref gates, steps * b, g4);
        EnsureShape(ref hidden, (steps + 1) * b, h);
        EnsureShape(ref cells, (steps + 1) * b, h);
        EnsureShape(ref tanhCells, steps * b, h);
        hidden!.Span[..(b * h)].Clear();
        cells!.Span[..(b * h)].Clear();

        // Both biases are constant over the steps, so they go in once, with the input projection.
        TensorPrimitives.Add(BiasIh.Value.Span, BiasHh.Value.Span, biasSum);
        Gemm.MultiplyAddBias(Engine, false, true, steps * b, g4, Layout.Input,
            xs.Span, Layout.Input, WeightIh.Value.Span, Layout.Input, gates!.Span, g4, biasSum);
        var wh = WeightHh.Value.Span;
        for (int t = 0; t < steps; t++)
        {
            var g = gates.Span.Slice(t * b * g4, b * g4);
            // h_{-1} = 0: the first step has no recurrent term.
            if (t > 0) Gemm.Multiply(false, true, b, g4, h, hidden.Span.Slice(t * b * h, b * h), h, wh, h, g, g4, accumulate: true, engine: Engine);
            var cPrev = cells.Span.Slice(t * b * h, b * h);
            var c = cells.Span.Slice((t + 1) * b * h, b * h);
            var tc = tanhCells!.Span.Slice(t * b * h, b * h);
            var hNext = hidden.Span.Slice((t + 1) * b * h, b * h);
            for (int r = 0; r < b; r++)
            {
                var row = g.Slice(r * g4, g4);
                TensorPrimitives.Sigmoid(row[..(2 * h)], row[..(2 * h)]);    // i, f
                TensorPrimitives.Tanh(row.Slice(2 * h, h), row.Slice(2 * h, h)); // g
                TensorPrimitives.Sigmoid(row.Slice(3 * h, h), row.Slice(3 * h, h)); // o
                var cr = c.Slice(r * h, h);
                TensorPrimitives.Multiply(row.Slice(h, h), cPrev.Slice(r * h, h), cr);           // f·c_{t-1}
                TensorPrimitives.FusedMultiplyAdd(row[..h], row.Slice(2 * h, h), cr, cr);      // + i·g
                TensorPrimitives.Tanh(cr, tc.Slice(r * h, h));
                TensorPrimitives.Multiply(row.Slice(3 * h, h), tc.Slice(r * h, h), hNext.Slice(r * h, h));
            }
        }
        output = Layout.WriteOutput(hidden, b, ref output);
        return output;
    }

    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        if (batch < 0 || gates is null) throw new InvalidOperationException("LSTM.Backward called before Forward");
        int b = batch, h = Layout.Hidden, g4 = 4 * h, steps = Layout.Steps;
        Layout.CheckGradOutput(gradOutput, b);
        EnsureShape(ref gradGates, steps * b, g4);
        EnsureShape(ref gradHidden, b, h);
        EnsureShape(ref gradCell, b, h);
        var dh = gradHidden!.Span;
        var dc = gradCell!.Span;
        dc.Clear();
        var wh = WeightHh.Value.Span;
        for (int t = steps - 1; t >= 0; t--)
        {
            // dL/dh_t: from the step after (through W_hh) and from the output.
            if (t == steps - 1) dh.Clear();
            else Gemm.Multiply(false, false, b, h, g4, gradGates!.Span.Slice((t + 1) * b * g4, b * g4), g4, wh, h, dh, h, accumulate: false, engine: Engine);
            Layout.AddStepGradient(gradOutput, t, b, dh);

            var g = gates.Span.Slice(t * b * g4, b * g4);
            var dg = gradGates!.Span.Slice(t * b * g4, b * g4);
            var cPrev = cells!.Span.Slice(t * b * h, b * h);
            var tc = tanhCells!.Span.Slice(t * b * h, b * h);
            for (int r = 0; r < b; r++)
            {
                var row = g.Slice(r * g4, g4);
                var drow = dg.Slice(r * g4, g4);
                int o = r * h;
                for (int j = 0; j < h; j++)
                {
                    float i = row[j], f = row[h + j], cg = row[2 * h + j], og = row[3 * h + j];
                    float tanhC = tc[o + j], dhj = dh[o + j];
                    float dcj = dc[o + j] + dhj * og * (1 - tanhC * tanhC);
                    drow[j] = dcj * cg * i * (1 - i);
                    drow[h + j] = dcj * cPrev[o + j] * f * (1 - f);
                    drow[2 * h + j] = dcj * i * (1 - cg * cg);
                    drow[3 * h + j] = dhj * tanhC * og * (1 - og);
                    dc[o + j] = dcj * f; // dL/dc_{t-1}
                }
            }
        }

        var dG = gradGates!.Span;
        int rows = steps * b;
        // Step t's gates met h_{t-1}, which is block t of the hidden store (block 0 the zero state).
        Gemm.Multiply(true, false, g4, h, rows, dG, g4, hidden!.Span[..(rows * h)], h, WeightHh.Grad.Span, h, accumulate: false, engine: Engine);
        var xs = Layout.TimeMajorInput;
        Gemm.Multiply(true, false, g4, Layout.Input, rows, dG, g4, xs.Span, Layout.Input, WeightIh.Grad.Span, Layout.Input, accumulate: false, engine: Engine);
        RecurrentLayout.ColumnSums(dG, rows, g4, BiasIh.Grad.Span);
        BiasIh.Grad.Span.CopyTo(BiasHh.Grad.Span); // both biases enter every gate the same way
        if (!needInputGrad) return null;
        return Layout.InputGradient(dG, g4, WeightIh.Value.Span, b, Engine);
    }
}
