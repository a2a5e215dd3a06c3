using Bottleneck.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bottleneck.Layers;

/// <summary>
/// What LSTM and GRU share around their cells: the sizes and their checks, the move between the
/// batch-first layout of the network ([batch, steps·features]) and the time-major layout the
/// loop over steps works in ([steps·batch, features], step t in rows t·batch ..), the output
/// (every step's hidden state, or the last one) and the input gradient. Built with 0 steps, the
/// layout takes any number of steps, read from each forward's input (a batch of padded text).
/// </summary>
internal sealed class RecurrentLayout
{
    private readonly string name;
    private Tensor? inputTimeMajor, gradInputTimeMajor, gradInput;

    public RecurrentLayout(string name, int input, int hidden, int steps, bool returnSequences)
    {
        if (input < 1 || hidden < 1 || steps < 0)
            throw new BottleneckException($"{name} sizes must be positive, got input {input}, hidden {hidden}, steps {steps}");
        this.name = name;
        Input = input;
        Hidden = hidden;
        Steps = steps;
        VariableSteps = steps == 0;
        ReturnSequences = returnSequences;
    }

    public int Input { get; }

    public int Hidden { get; }

    /// <summary>Steps per item; for a variable layout, those of the last forward's input.</summary>
    public int Steps { get; private set; }

    /// <summary>Whether each forward may bring its own number of steps.</summary>
    public bool VariableSteps { get; }

    public bool ReturnSequences { get; }

    /// <summary>The last forward's input, time-major [steps·batch, input].</summary>
    public Tensor TimeMajorInput => inputTimeMajor ?? throw new InvalidOperationException($"{name}: no forward yet");

    public int OutputSize(int inputSize)
    {
        if (VariableSteps)
        {
            if (inputSize < Input || inputSize % Input != 0)
                throw new BottleneckException($"{Describe()} expects items of whole steps of {Input} features, got {inputSize} values");
            return ReturnSequences ? inputSize / Input * Hidden : Hidden;
        }
        if (inputSize != Steps * Input)
            throw new BottleneckException($"{Describe()} expects items of {Steps} steps × {Input} features = {Steps * Input} values, got {inputSize}");
        return ReturnSequences ? Steps * Hidden : Hidden;
    }

    /// <summary>
    /// Checks a forward's input [batch, steps·input] (a variable layout takes its step count from
    /// it) and copies it time-major to [steps·batch, input].
    /// </summary>
    public Tensor ToTimeMajor(Tensor x)
    {
        OutputSize(x.RowLength);
        if (VariableSteps) Steps = x.RowLength / Input;
        int b = x.Rows;
        Tensor.Ensure(ref inputTimeMajor, Steps * b, Input);
        Transpose(x.Span, inputTimeMajor!.Span, b, Steps, Input);
        return inputTimeMajor;
    }

    /// <summary>The layer's output from the hidden store [(steps+1)·batch, hidden] (block 0 the initial state).</summary>
    public Tensor WriteOutput(Tensor hiddenStore, int b, ref Tensor? output)
    {
        if (ReturnSequences)
        {
            Tensor.Ensure(ref output, b, Steps * Hidden);
            Transpose(hiddenStore.Span[(b * Hidden)..], output!.Span, Steps, b, Hidden);
        }
        else
        {
            Tensor.Ensure(ref output, b, Hidden);
            hiddenStore.Span.Slice(Steps * b * Hidden, b * Hidden).CopyTo(output!.Span);
        }
        return output;
    }

    public void CheckGradOutput(Tensor gradOutput, int b)
    {
        int expected = ReturnSequences ? Steps * Hidden : Hidden;
        if (gradOutput.Rows != b || gradOutput.RowLength != expected)
            throw new BottleneckException($"{Describe()}: output gradient of {gradOutput.Rows}×{gradOutput.RowLength} for an output of {b}×{expected}");
    }

    /// <summary>Adds the output's gradient at step <paramref name="t"/> to dL/dh_t [batch, hidden].</summary>
    public void AddStepGradient(Tensor gradOutput, int t, int b, Span<float> dh)
    {
        if (!ReturnSequences)
        {
            if (t == Steps - 1) TensorPrimitives.Add(dh, gradOutput.Span, dh);
            return;
        }
        var dy = gradOutput.Span;
        for (int r = 0; r < b; r++)
        {
            var row = dh.Slice(r * Hidden, Hidden);
            TensorPrimitives.Add(row, dy.Slice((r * Steps + t) * Hidden, Hidden), row);
        }
    }

    /// <summary>dx = dGates·W_ih, computed time-major for all steps at once, returned batch-first.</summary>
    public Tensor InputGradient(ReadOnlySpan<float> gradGates, int gateWidth, ReadOnlySpan<float> weightIh, int b, EngineOptions engine)
    {
        int rows = Steps * b;
        Tensor.Ensure(ref gradInputTimeMajor, rows, Input);
        Gemm.Multiply(false, false, rows, Input, gateWidth, gradGates, gateWidth, weightIh, Input, gradInputTimeMajor!.Span, Input, accumulate: false, engine);
        Tensor.Ensure(ref gradInput, b, Steps * Input);
        Transpose(gradInputTimeMajor.Span, gradInput!.Span, Steps, b, Input);
        return gradInput;
    }

    /// <summary>dest[c] = Σ_r values[r, c], the rows summed in order.</summary>
    public static void ColumnSums(ReadOnlySpan<float> values, int rows, int columns, Span<float> dest)
    {
        dest[..columns].Clear();
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(dest[..columns], values.Slice(r * columns, columns), dest[..columns]);
    }

    /// <summary>[outer, inner, width] → [inner, outer, width]: swaps the two leading axes of blocks of <paramref name="width"/>.</summary>
    private static void Transpose(ReadOnlySpan<float> source, Span<float> dest, int outer, int inner, int width)
    {
        for (int a = 0; a < outer; a++)
        {
            for (int i = 0; i < inner; i++)
                source.Slice((a * inner + i) * width, width).CopyTo(dest.Slice((i * outer + a) * width, width));
        }
    }

    public string Describe() => ReturnSequences
        ? $"{name}({Input}, {Hidden}, batch_first=True)"
        : $"{name}({Input}, {Hidden}, batch_first=True) last step";
}
