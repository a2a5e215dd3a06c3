using Bottleneck.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bottleneck.Layers;

/// <summary>
/// nn.GRU(input_size, hidden_size, batch_first=True), one layer, zero initial state, on a batch
/// of sequences [batch, steps·input]. Per step, with PyTorch's gate order (reset, update, new):
/// r = σ(x_t·W_irᵀ + b_ir + h·W_hrᵀ + b_hr), z = σ(x_t·W_izᵀ + b_iz + h·W_hzᵀ + b_hz),
/// n = tanh(x_t·W_inᵀ + b_in + r·(h·W_hnᵀ + b_hn)), h_t = (1 − z)·n + z·h_{t-1}.
/// The recurrent bias of n sits inside the reset product, so unlike the LSTM's it cannot be
/// folded into the input projection: each step's recurrent GEMM adds b_hh itself.
/// </summary>
/// <remarks>
/// Laid out as <see cref="Lstm"/>: time-major inside, one input GEMM, one recurrent GEMM per step.
/// For padded batches of sequences of different lengths (text), a last-step GRU takes each row's
/// length (<see cref="Lengths"/>) and, as PyTorch's packed sequences do, returns the state at that
/// row's last real step; and a GRU can start from a given state (<see cref="InitialState"/>),
/// which is how greedy decoding feeds one step at a time.
/// </remarks>
public sealed class Gru : RecurrentLayer
{
    private Tensor? gates;      // [T·B, 3H]: input projections, then the activated r, z, n
    private Tensor? recurrent;  // [T·B, 3H]: h_{t-1}·W_hhᵀ + b_hh, kept for backward
    private Tensor? hidden;     // [(T+1)·B, H]: h_{-1} = 0 in block 0, h_t in block t+1
    private Tensor? output;
    private Tensor? gradGates;     // [T·B, 3H]: dL/d(input projections)
    private Tensor? gradRecurrent; // [T·B, 3H]: dL/d(recurrent projections)
    private Tensor? gradHidden;    // [B, H]
    private int batch = -1;

    /// <param name="steps">Steps per item: items are [steps·input]; 0 takes any number of steps, read from each input.</param>
    /// <param name="returnSequences">Output h at every step (true) or only the last (false).</param>
    /// <param name="init">PyTorch's initialisation, U(-1/√hidden, 1/√hidden), drawn in state_dict order.</param>
    public Gru(int inputSize, int hiddenSize, int steps, bool returnSequences, Rng init)
        : base("GRU", 3, inputSize, hiddenSize, steps, returnSequences, init)
    {
    }

    /// <summary>
    /// Real steps of each row of the next forward's batch (the rest is padding), or null when every
    /// step is real. Past its length a row keeps its state, so a last-step GRU outputs the state
    /// after the row's own last step. Only for a last-step GRU: there padded steps have no output.
    /// </summary>
    public int[]? Lengths { get; set; }

    /// <summary>The state h_{-1} [batch, hidden] the next forward starts from, or null for zeros. Gradients treat it as a constant.</summary>
    public Tensor? InitialState { get; set; }

    public override Tensor Forward(Tensor x, bool training)
    {
        var xs = Layout.ToTimeMajor(x);
        int b = batch = x.Rows, h = Layout.Hidden, g3 = 3 * h, steps = Layout.Steps;
        var lengths = CheckLengths(b, steps);
        EnsureShape(ref gates, steps * b, g3);
        EnsureShape(ref recurrent, steps * b, g3);
        EnsureShape(ref hidden, (steps + 1) * b, h);
        bool fromState = InitialState is not null;
        if (InitialState is { } h0)
        {
            if (h0.Rows != b || h0.RowLength != h)
                throw new BottleneckException($"{Describe()}: initial state of {h0.Rows}×{h0.RowLength} for a batch of {b} and {h} hidden units");
            h0.Span.CopyTo(hidden!.Span);
        }
        else
        {
            hidden!.Span[..(b * h)].Clear();
        }

        Gemm.MultiplyAddBias(Engine, false, true, steps * b, g3, Layout.Input,
            xs.Span, Layout.Input, WeightIh.Value.Span, Layout.Input, gates!.Span, g3, BiasIh.Value.Span);
        var wh = WeightHh.Value.Span;
        var bh = BiasHh.Value.Span;
        for (int t = 0; t < steps; t++)
        {
            var g = gates.Span.Slice(t * b * g3, b * g3);
            var hr = recurrent!.Span.Slice(t * b * g3, b * g3);
            var hPrev = hidden.Span.Slice(t * b * h, b * h);
            var hNext = hidden.Span.Slice((t + 1) * b * h, b * h);
            if (t > 0 || fromState) Gemm.MultiplyAddBias(Engine, false, true, b, g3, h, hPrev, h, wh, h, hr, g3, bh);
            else for (int r = 0; r < b; r++) bh.CopyTo(hr.Slice(r * g3, g3)); // h_{-1} = 0
            for (int r = 0; r < b; r++)
            {
                var row = g.Slice(r * g3, g3);
                if (lengths is not null && t >= lengths[r])
                {
                    // Padding: the state passes through unchanged. Stored as z = 1, r = n = 0, the
                    // step's gate gradients come out zero and dL/dh flows straight to h_{t-1}.
                    row.Clear();
                    row.Slice(h, h).Fill(1f);
                    hPrev.Slice(r * h, h).CopyTo(hNext.Slice(r * h, h));
                    continue;
                }
                var rec = hr.Slice(r * g3, g3);
                var rz = row[..(2 * h)];
                TensorPrimitives.Add(rz, rec[..(2 * h)], rz);
                TensorPrimitives.Sigmoid(rz, rz);
                var n = row.Slice(2 * h, h);
                TensorPrimitives.FusedMultiplyAdd(row[..h], rec.Slice(2 * h, h), n, n); // + r·(W_hn h + b_hn)
                TensorPrimitives.Tanh(n, n);
                // h_t = n + z·(h_{t-1} − n)
                var hn = hNext.Slice(r * h, h);
                TensorPrimitives.Subtract(hPrev.Slice(r * h, h), n, hn);
                TensorPrimitives.FusedMultiplyAdd(row.Slice(h, h), hn, n, hn);
            }
        }
        output = Layout.WriteOutput(hidden, b, ref output);
        return output;
    }

    private int[]? CheckLengths(int b, int steps)
    {
        if (Lengths is not { } lengths) return null;
        if (Layout.ReturnSequences) throw new InvalidOperationException("GRU lengths apply to a last-step GRU only");
        if (lengths.Length < b) throw new BottleneckException($"{Describe()}: {lengths.Length} lengths for a batch of {b}");
        for (int r = 0; r < b; r++)
        {
            if (lengths[r] < 1 || lengths[r] > steps)
                throw new BottleneckException($"{Describe()}: row {r} has length {lengths[r]}, outside 1..{steps}");
        }
        return lengths;
    }

    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        if (batch < 0 || gates is null) throw new InvalidOperationException("GRU.Backward called before Forward");
        int b = batch, h = Layout.Hidden, g3 = 3 * h, steps = Layout.Steps;
        Layout.CheckGradOutput(gradOutput, b);
        EnsureShape(ref gradGates, steps * b, g3);
        EnsureShape(ref gradRecurrent, steps * b, g3);
        EnsureShape(ref gradHidden, b, h);
        var dh = gradHidden!.Span;
        var wh = WeightHh.Value.Span;
        for (int t = steps - 1; t >= 0; t--)
        {
            // dL/dh_t: from the step after, through its recurrent projection and its z·h_t term.
            if (t == steps - 1)
            {
                dh.Clear();
            }
            else
            {
                var zNext = gates.Span.Slice((t + 1) * b * g3, b * g3);
                for (int r = 0; r < b; r++)
                {
                    var row = dh.Slice(r * h, h);
                    TensorPrimitives.Multiply(row, zNext.Slice(r * g3 + h, h), row);
                }
                Gemm.Multiply(false, false, b, h, g3, gradRecurrent!.Span.Slice((t + 1) * b * g3, b * g3), g3, wh, h, dh, h, accumulate: true, engine: Engine);
            }
            Layout.AddStepGradient(gradOutput, t, b, dh);

            var g = gates.Span.Slice(t * b * g3, b * g3);
            var hr = recurrent!.Span.Slice(t * b * g3, b * g3);
            var dg = gradGates!.Span.Slice(t * b * g3, b * g3);
            var dhr = gradRecurrent!.Span.Slice(t * b * g3, b * g3);
            var hPrev = hidden!.Span.Slice(t * b * h, b * h);
            for (int r = 0; r < b; r++)
            {
                int o = r * g3, p = r * h;
                for (int j = 0; j < h; j++)
                {
                    float rg = g[o + j], z = g[o + h + j], n = g[o + 2 * h + j], dhj = dh[p + j];
                    float dnPre = dhj * (1 - z) * (1 - n * n);
                    float drPre = dnPre * hr[o + 2 * h + j] * rg * (1 - rg);
                    float dzPre = dhj * (hPrev[p + j] - n) * z * (1 - z);
                    dg[o + j] = dhr[o + j] = drPre;
                    dg[o + h + j] = dhr[o + h + j] = dzPre;
                    dg[o + 2 * h + j] = dnPre;
                    dhr[o + 2 * h + j] = dnPre * rg;
                }
            }
        }

        int rows = steps * b;
        var dG = gradGates!.Span;
        var dR = gradRecurrent!.Span;
        Gemm.Multiply(true, false, g3, h, rows, dR, g3, hidden!.Span[..(rows * h)], h, WeightHh.Grad.Span, h, accumulate: false, engine: Engine);
        Gemm.Multiply(true, false, g3, Layout.Input, rows, dG, g3, Layout.TimeMajorInput.Span, Layout.Input, WeightIh.Grad.Span, Layout.Input, accumulate: false, engine: Engine);
        RecurrentLayout.ColumnSums(dG, rows, g3, BiasIh.Grad.Span);
        RecurrentLayout.ColumnSums(dR, rows, g3, BiasHh.Grad.Span);
        if (!needInputGrad) return null;
        return Layout.InputGradient(dG, g3, WeightIh.Value.Span, b, Engine);
    }
}
