using Bottleneck.Data;
using Bottleneck.Layers;
using Bottleneck.Losses;
using Bottleneck.Tensors;

namespace Bottleneck.Models;

/// <summary>
/// A sequence-to-sequence autoencoder of short texts (words), character by character:
/// embedding → GRU encoder → its state after the last real character → linear → code;
/// then a GRU decoder that reads, at every step, the previous character's embedding beside the
/// code, and a linear layer to logits over the vocabulary. Trained with teacher forcing (the
/// decoder reads the true previous character) under cross-entropy summed over the characters and
/// the end marker; decoded greedily (each step reads the character it chose last).
/// </summary>
/// <remarks>
/// A batch mixes lengths: sequences are padded to the longest, the encoder GRU keeps each row's
/// state past its length (<see cref="Gru.Lengths"/>, PyTorch's packed sequences), and padded
/// targets add nothing to the loss (ignore_index). Parameters carry the names of the PyTorch
/// module that tests/Bottleneck.Tests/Parity/make_seq2seq_fixtures.py builds:
/// encoder.embedding, encoder.gru (weight_ih_l0, ...), encoder.fc, decoder.embedding,
/// decoder.gru and decoder.fc.
/// </remarks>
public sealed class Seq2SeqAutoencoder : ITrainable
{
    /// <summary>Sequences per inference pass.</summary>
    private const int InferenceChunk = 512;
    private readonly Lock gate = new();
    private Tensor? encoderIds, decoderIds, decoderInput, gradLogits, hiddenView, gradHiddenView, gradEmbedding, gradCode;
    private Tensor? stepIds, stepInput, state;
    private int[] lengths = [], targets = [], rowTokens = [];
    private double[] rowLosses = [];
    private int batchRows, decoderSteps;

    /// <param name="engine">Threads and kernel for everything the model computes; <see cref="EngineOptions.Default"/> when null.</param>
    public Seq2SeqAutoencoder(Seq2SeqConfig config, ulong seed = 42, EngineOptions? engine = null)
    {
        config.Validate();
        Config = config;
        Engine = engine ?? EngineOptions.Default;
        Vocabulary = new CharacterVocabulary(config.Vocabulary);
        var init = new Rng(seed);
        int v = Vocabulary.Size;
        EncoderEmbedding = new Embedding(v, config.Embedding, init);
        EncoderGru = new Gru(config.Embedding, config.Hidden, 0, returnSequences: false, init);
        ToCode = new Linear(config.Hidden, config.Latent, init);
        DecoderEmbedding = new Embedding(v, config.Embedding, init);
        DecoderGru = new Gru(config.Embedding + config.Latent, config.Hidden, 0, returnSequences: true, init);
        ToLogits = new Linear(config.Hidden, v, init);
        foreach (Layer layer in new Layer[] { EncoderEmbedding, EncoderGru, ToCode, DecoderEmbedding, DecoderGru, ToLogits }) layer.Engine = Engine;
        NamedParameters = Named("encoder.embedding.", EncoderEmbedding).Concat(Named("encoder.gru.", EncoderGru)).Concat(Named("encoder.fc.", ToCode))
            .Concat(Named("decoder.embedding.", DecoderEmbedding)).Concat(Named("decoder.gru.", DecoderGru)).Concat(Named("decoder.fc.", ToLogits)).ToArray();
    }

    /// <summary>
    /// How the kind trains unless told otherwise (the shared settings start from
    /// <see cref="Training.FitOptions.Default"/>): batches of words of one length, so that little
    /// is padding, and a cosine decay of the learning rate, because Adam at a constant rate keeps
    /// jumping between good and worse weights from one epoch to the next.
    /// </summary>
    public static Training.FitOptions FitDefaults { get; } = new() { GroupByLength = true, LrSchedule = Training.LrScheduleKind.Cosine };

    private static IEnumerable<(string, Parameter)> Named(string prefix, Layer layer) => layer.Parameters.Select(p => (prefix + p.Name, p));

    public Seq2SeqConfig Config { get; }

    /// <summary>The engine settings its layers and optimizer compute with.</summary>
    public EngineOptions Engine { get; }

    public CharacterVocabulary Vocabulary { get; }

    public Embedding EncoderEmbedding { get; }

    public Gru EncoderGru { get; }

    /// <summary>The encoder's last state to the code.</summary>
    public Linear ToCode { get; }

    public Embedding DecoderEmbedding { get; }

    public Gru DecoderGru { get; }

    /// <summary>The decoder's state at each step to logits over the vocabulary.</summary>
    public Linear ToLogits { get; }

    /// <summary>Every parameter with its state_dict name, encoder first.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters { get; }

    public IEnumerable<Parameter> Parameters => NamedParameters.Select(p => p.Parameter);

    public int ParameterCount => NamedParameters.Sum(p => p.Parameter.Value.Length);

    /// <summary>Copies weights in by name, strictly (every tensor present with its shape, nothing unknown).</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        lock (gate) AutoencoderStateDict.Load(this.StateDict(), tensors, source);
    }

    /// <summary>Token ids of <paramref name="lines"/> (see <see cref="CharacterVocabulary.Encode"/>); <paramref name="source"/> and the line number name a bad one.</summary>
    public int[][] Tokenize(IReadOnlyList<string> lines, string source)
    {
        var result = new int[lines.Count][];
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].Length == 0) throw new BottleneckException($"{source}:{i + 1}: empty line; a seq2seq model reads one non-empty sequence per line");
            result[i] = Vocabulary.Encode(lines[i], $"{source}:{i + 1}");
            if (result[i].Length > Config.MaxLength)
                throw new BottleneckException($"{source}:{i + 1}: {result[i].Length} characters, more than the {Config.MaxLength} this model writes");
        }
        return result;
    }

    /// <summary>
    /// Teacher-forced forward pass over the sequences <paramref name="rows"/> of
    /// <paramref name="sequences"/>: the summed cross-entropy, the gradient of the logits kept for
    /// <see cref="Backward"/> (unless <paramref name="withGradient"/> is false: scoring only), and
    /// each sequence's own loss in <paramref name="perSequence"/> when given.
    /// </summary>
    internal double Forward(IReadOnlyList<int[]> sequences, ReadOnlySpan<int> rows, Span<double> perSequence = default, bool withGradient = true)
    {
        Prepare(sequences, rows);
        return ForwardPrepared(perSequence, withGradient);
    }

    /// <summary>The teacher-forced forward pass of the batch <see cref="Prepare(IReadOnlyList{int[]}, ReadOnlySpan{int})"/> filled.</summary>
    private double ForwardPrepared(Span<double> perSequence, bool withGradient)
    {
        int b = batchRows, v = Vocabulary.Size;
        var code = EncodeBatch();
        int e = Config.Embedding, l = Config.Latent, steps = decoderSteps, w = e + l;
        var embedded = DecoderEmbedding.Forward(decoderIds!, training: true).Span;
        Tensor.Ensure(ref decoderInput, b, steps * w);
        var input = decoderInput!.Span;
        var codes = code.Span;
        for (int r = 0; r < b; r++)
        {
            for (int s = 0; s < steps; s++)
            {
                int at = (r * steps + s) * w;
                embedded.Slice((r * steps + s) * e, e).CopyTo(input.Slice(at, e));
                codes.Slice(r * l, l).CopyTo(input.Slice(at + e, l));
            }
        }
        var outputs = DecoderGru.Forward(decoderInput, training: true);
        View(ref hiddenView, outputs, b * steps, Config.Hidden);
        var logits = ToLogits.Forward(hiddenView!, training: true);
        Tensor.Ensure(ref gradLogits, b * steps, v);
        if (rowLosses.Length < b * steps) rowLosses = new double[b * steps];
        double loss = TokenCrossEntropy.Forward(logits.Span, v, targets.AsSpan(0, b * steps), withGradient ? gradLogits!.Span : default, rowLosses.AsSpan(0, b * steps));
        if (!perSequence.IsEmpty)
        {
            for (int r = 0; r < b; r++)
            {
                double sum = 0;
                for (int s = 0; s <= lengths[r]; s++) sum += rowLosses[r * steps + s];
                perSequence[r] = sum;
            }
        }
        return loss;
    }

    /// <summary>Backward pass of the last <see cref="Forward"/> or <see cref="TrainingLoss"/>: writes every parameter's gradient.</summary>
    internal void Backward()
    {
        int b = batchRows, steps = decoderSteps, e = Config.Embedding, l = Config.Latent, w = e + l;
        var dHidden = ToLogits.Backward(gradLogits!, needInputGrad: true)!;
        View(ref gradHiddenView, dHidden, b, steps * Config.Hidden);
        var dInput = DecoderGru.Backward(gradHiddenView!, needInputGrad: true)!.Span;
        Tensor.Ensure(ref gradEmbedding, b, steps * e);
        Tensor.Ensure(ref gradCode, b, l);
        var dEmbedded = gradEmbedding!.Span;
        var dCode = gradCode!.Span;
        dCode.Clear();
        for (int r = 0; r < b; r++)
        {
            var codeRow = dCode.Slice(r * l, l);
            for (int s = 0; s < steps; s++)
            {
                int at = (r * steps + s) * w;
                dInput.Slice(at, e).CopyTo(dEmbedded.Slice((r * steps + s) * e, e));
                System.Numerics.Tensors.TensorPrimitives.Add(codeRow, dInput.Slice(at + e, l), codeRow);
            }
        }
        DecoderEmbedding.Backward(gradEmbedding, needInputGrad: false);
        var dState = ToCode.Backward(gradCode, needInputGrad: true)!;
        var dEncoderInput = EncoderGru.Backward(dState, needInputGrad: true)!;
        EncoderEmbedding.Backward(dEncoderInput, needInputGrad: false);
    }

    /// <summary>
    /// Fills the batch buffers for the sequences <paramref name="rows"/>: encoder ids [B, T] (padded
    /// with 0) and lengths; decoder inputs [B, T+1] (start marker, then the characters) and targets
    /// (the characters, then the end marker, then padding).
    /// </summary>
    private void Prepare(IReadOnlyList<int[]> sequences, ReadOnlySpan<int> rows)
    {
        int b = rows.Length, t = 0;
        if (b == 0) throw new BottleneckException("a batch needs at least one sequence");
        foreach (int i in rows)
        {
            if (sequences[i].Length == 0) throw new BottleneckException($"sequence {i} is empty");
            t = Math.Max(t, sequences[i].Length);
        }
        BeginBatch(b, t);
        for (int r = 0; r < b; r++) WriteRow(r, sequences[rows[r]]);
    }

    /// <summary>
    /// Fills the batch buffers from a training batch [B, MaxLength] of token ids, each row a
    /// sequence padded with 0 (<see cref="ToDataset"/>); a value that is not a character's id is refused.
    /// </summary>
    private void Prepare(Tensor padded)
    {
        int b = padded.Rows, width = padded.RowLength, t = 0;
        if (b == 0) throw new BottleneckException("a batch needs at least one sequence");
        if (width != Config.MaxLength)
            throw new BottleneckException($"a batch of {width} token ids per sequence, but the model writes sequences of up to {Config.MaxLength}");
        var ids = padded.Span;
        if (lengths.Length < b) lengths = new int[b];
        for (int r = 0; r < b; r++)
        {
            var row = ids.Slice(r * width, width);
            int length = row.IndexOf((float)CharacterVocabulary.Padding);
            if (length < 0) length = width;
            if (length == 0) throw new BottleneckException($"row {r} of the batch is an empty sequence");
            foreach (float id in row[..length])
                if (!(id >= CharacterVocabulary.FirstCharacter && id < Vocabulary.Size && id == MathF.Floor(id)))
                    throw new BottleneckException($"row {r} of the batch holds {id}, not the id of one of the model's {Vocabulary.Size - CharacterVocabulary.FirstCharacter} characters");
            lengths[r] = length;
            t = Math.Max(t, length);
        }
        if (rowTokens.Length < width) rowTokens = new int[width];
        // BeginBatch keeps the lengths just found; WriteRow writes each one back unchanged.
        BeginBatch(b, t);
        for (int r = 0; r < b; r++)
        {
            var tokens = rowTokens.AsSpan(0, lengths[r]);
            for (int s = 0; s < tokens.Length; s++) tokens[s] = (int)ids[r * width + s];
            WriteRow(r, tokens);
        }
    }

    /// <summary>Sizes and clears the batch buffers for <paramref name="b"/> sequences of at most <paramref name="t"/> characters.</summary>
    private void BeginBatch(int b, int t)
    {
        int steps = t + 1;
        batchRows = b;
        decoderSteps = steps;
        Tensor.Ensure(ref encoderIds, b, t);
        Tensor.Ensure(ref decoderIds, b, steps);
        if (lengths.Length < b) lengths = new int[b];
        if (targets.Length < b * steps) targets = new int[b * steps];
        encoderIds!.Span.Clear();
        decoderIds!.Span.Clear();
        targets.AsSpan(0, b * steps).Clear();
    }

    /// <summary>Writes sequence <paramref name="tokens"/> as row <paramref name="r"/> of the batch buffers.</summary>
    private void WriteRow(int r, ReadOnlySpan<int> tokens)
    {
        int steps = decoderSteps, t = steps - 1;
        var enc = encoderIds!.Span;
        var dec = decoderIds!.Span;
        lengths[r] = tokens.Length;
        dec[r * steps] = CharacterVocabulary.Start;
        for (int s = 0; s < tokens.Length; s++)
        {
            enc[r * t + s] = tokens[s];
            dec[r * steps + s + 1] = tokens[s];
            targets[r * steps + s] = tokens[s];
        }
        targets[r * steps + tokens.Length] = CharacterVocabulary.End;
    }

    /// <summary>The codes [B, Latent] of the prepared batch.</summary>
    private Tensor EncodeBatch()
    {
        var embedded = EncoderEmbedding.Forward(encoderIds!, training: true);
        EncoderGru.Lengths = lengths;
        var last = EncoderGru.Forward(embedded, training: true);
        return ToCode.Forward(last, training: true);
    }

    /// <summary>The codes [N, Latent] of <paramref name="sequences"/> (token ids, see <see cref="Tokenize"/>). Safe to call from several threads.</summary>
    public Tensor Encode(IReadOnlyList<int[]> sequences)
    {
        var result = new Tensor(Math.Max(sequences.Count, 0), Config.Latent);
        int l = Config.Latent;
        InChunks(sequences, rows =>
        {
            Prepare(sequences, rows);
            var codes = EncodeBatch().Span;
            for (int r = 0; r < rows.Length; r++) codes.Slice(r * l, l).CopyTo(result.Span.Slice(rows[r] * l, l));
        });
        return result;
    }

    /// <summary>Greedy decoding of codes [N, Latent] to texts. Safe to call from several threads.</summary>
    public string[] Decode(Tensor codes)
    {
        if (codes.RowLength != Config.Latent)
            throw new BottleneckException($"codes have {codes.RowLength} values per item but the model's code has {Config.Latent}");
        var result = new string[codes.Rows];
        lock (gate)
        {
            var chunk = new Tensor(Math.Min(Math.Max(codes.Rows, 1), InferenceChunk), Config.Latent);
            for (int start = 0; start < codes.Rows; start += InferenceChunk)
            {
                int rows = Math.Min(InferenceChunk, codes.Rows - start);
                chunk.ResizeBatch(rows);
                codes.Span.Slice(start * Config.Latent, rows * Config.Latent).CopyTo(chunk.Span);
                var texts = DecodeBatch(chunk);
                Array.Copy(texts, 0, result, start, rows);
            }
        }
        return result;
    }

    /// <summary>Decode(Encode(sequences)): each sequence as the model writes it back. Safe to call from several threads.</summary>
    public string[] Reconstruct(IReadOnlyList<int[]> sequences) => Decode(Encode(sequences));

    /// <summary>
    /// Each sequence's teacher-forced loss (−log p of its characters and its end, in nats): how
    /// surprising the model finds it, the anomaly score of a text. Safe to call from several threads.
    /// </summary>
    public double[] SequenceLosses(IReadOnlyList<int[]> sequences)
    {
        var result = new double[sequences.Count];
        var chunk = new double[InferenceChunk];
        InChunks(sequences, rows =>
        {
            Forward(sequences, rows, chunk, withGradient: false);
            for (int r = 0; r < rows.Length; r++) result[rows[r]] = chunk[r];
        });
        return result;
    }

    /// <summary>Greedy decoding of a chunk of codes [B, Latent], one step at a time from the start marker.</summary>
    private string[] DecodeBatch(Tensor codes)
    {
        int b = codes.Rows, e = Config.Embedding, l = Config.Latent, h = Config.Hidden, v = Vocabulary.Size, w = e + l;
        Tensor.Ensure(ref stepIds, b, 1);
        Tensor.Ensure(ref stepInput, b, w);
        Tensor.Ensure(ref state, b, h);
        var tokens = new int[b, Config.MaxLength + 1];
        var length = new int[b];
        var done = new bool[b];
        stepIds!.Span.Fill(CharacterVocabulary.Start);
        int open = b;
        try
        {
            for (int s = 0; s <= Config.MaxLength && open > 0; s++)
            {
                var embedded = DecoderEmbedding.Forward(stepIds, training: false).Span;
                var input = stepInput!.Span;
                for (int r = 0; r < b; r++)
                {
                    embedded.Slice(r * e, e).CopyTo(input.Slice(r * w, e));
                    codes.Span.Slice(r * l, l).CopyTo(input.Slice(r * w + e, l));
                }
                DecoderGru.InitialState = s == 0 ? null : state;
                var hidden = DecoderGru.Forward(stepInput, training: false);
                hidden.Span.CopyTo(state!.Span);
                var logits = ToLogits.Forward(hidden, training: false).Span;
                for (int r = 0; r < b; r++)
                {
                    var z = logits.Slice(r * v, v);
                    int best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(z);
                    stepIds.Span[r] = best;
                    if (done[r]) continue;
                    if (best == CharacterVocabulary.End || s == Config.MaxLength)
                    {
                        done[r] = true;
                        open--;
                        continue;
                    }
                    tokens[r, length[r]++] = best;
                }
            }
        }
        finally
        {
            DecoderGru.InitialState = null;
        }
        var texts = new string[b];
        var row = new int[Config.MaxLength + 1];
        for (int r = 0; r < b; r++)
        {
            for (int s = 0; s < length[r]; s++) row[s] = tokens[r, s];
            texts[r] = Vocabulary.Decode(row.AsSpan(0, length[r]));
        }
        return texts;
    }

    /// <summary>
    /// Runs <paramref name="run"/> under the model's lock on chunks of sequence indices, sorted by
    /// length so that a chunk pads little; each call gets the chunk's indices.
    /// </summary>
    private void InChunks(IReadOnlyList<int[]> sequences, ChunkAction run)
    {
        var order = Enumerable.Range(0, sequences.Count).OrderBy(i => sequences[i].Length).ToArray();
        lock (gate)
        {
            for (int start = 0; start < order.Length; start += InferenceChunk)
                run(order.AsSpan(start, Math.Min(InferenceChunk, order.Length - start)));
        }
    }

    private delegate void ChunkAction(ReadOnlySpan<int> rows);

    /// <summary>Makes <paramref name="view"/> a [rows, rowLength] tensor over <paramref name="source"/>'s storage (no copy).</summary>
    private static void View(ref Tensor? view, Tensor source, int rows, int rowLength)
    {
        if (view is null || view.Buffer != source.Buffer || view.RowLength != rowLength) view = Tensor.Wrap(source.Buffer, rows, rowLength);
        else view.ResizeBatch(rows);
    }

    /// <summary>Lock shared with the trainer so inference never interleaves with a training step.</summary>
    public Lock Gate => gate;

    /// <summary>The width of a training item: <see cref="Seq2SeqConfig.MaxLength"/> token ids, padded with 0.</summary>
    public int InputSize => Config.MaxLength;

    public IReadOnlyList<(string Name, Tensor Value)> NamedBuffers => [];

    /// <summary>Unused: the model draws no training-time noise. It is here for the trainer's checkpoints, which save every model's.</summary>
    public Rng Sampler { get; } = new(0);

    void ITrainable.Prepare(int trainingItems)
    {
    }

    /// <summary>Teacher-forced forward pass of a batch of padded token ids [B, MaxLength] (see <see cref="ToDataset"/>): the summed cross-entropy.</summary>
    public double TrainingLoss(Tensor batch)
    {
        Prepare(batch);
        return ForwardPrepared(default, withGradient: true);
    }

    void ITrainable.Backward(Tensor batch, Tensor gradBuffer) => Backward();

    /// <summary>
    /// Sequences as a data set the trainer batches: row i holds sequence i's token ids padded with
    /// 0 to <see cref="Seq2SeqConfig.MaxLength"/>, with its length in <see cref="Dataset.Lengths"/>.
    /// </summary>
    public Dataset ToDataset(IReadOnlyList<int[]> sequences, string name)
    {
        int width = Config.MaxLength;
        var ids = new float[(long)sequences.Count * width];
        var lengthOf = new int[sequences.Count];
        for (int i = 0; i < sequences.Count; i++)
        {
            var tokens = sequences[i];
            if (tokens.Length == 0 || tokens.Length > width)
                throw new BottleneckException($"{name}: sequence {i} has {tokens.Length} characters; this model writes 1 to {width}");
            for (int s = 0; s < tokens.Length; s++) ids[(long)i * width + s] = tokens[s];
            lengthOf[i] = tokens.Length;
        }
        return new Dataset(name, ids, sequences.Count, width).WithLengths(lengthOf);
    }

    /// <summary>The sequences of a data set made by <see cref="ToDataset"/>.</summary>
    private static int[][] Sequences(Dataset data)
    {
        var lengthOf = data.Lengths ?? throw new BottleneckException($"{data.Name}: not a data set of sequences (it has no lengths)");
        var result = new int[data.Count][];
        for (int i = 0; i < data.Count; i++)
        {
            var row = data.Sample(i)[..lengthOf[i]];
            result[i] = new int[row.Length];
            for (int s = 0; s < row.Length; s++) result[i][s] = (int)row[s];
        }
        return result;
    }

    /// <summary>Mean loss per sequence over a data set made by <see cref="ToDataset"/>, and the share greedy decoding writes back exactly.</summary>
    public Evaluation Evaluate(Dataset data, int batchSize = 1000)
    {
        var text = EvaluateText(Sequences(data));
        return new Evaluation(text.Loss, text.Loss, 0, "", text.ExactMatch);
    }

    /// <summary>Mean teacher-forced loss per sequence, and the greedy reconstructions with their exact-match rate, overall and by length.</summary>
    public Seq2SeqEvaluation EvaluateText(IReadOnlyList<int[]> sequences)
    {
        if (sequences.Count == 0) throw new BottleneckException("no sequences to evaluate");
        var losses = SequenceLosses(sequences);
        var written = Reconstruct(sequences);
        var byLength = new SortedDictionary<int, (int Count, int Correct)>();
        int correct = 0;
        for (int i = 0; i < sequences.Count; i++)
        {
            bool same = written[i] == Vocabulary.Decode(sequences[i]);
            if (same) correct++;
            int length = sequences[i].Length;
            var (c, k) = byLength.GetValueOrDefault(length);
            byLength[length] = (c + 1, k + (same ? 1 : 0));
        }
        return new Seq2SeqEvaluation(losses.Average(), (double)correct / sequences.Count,
            byLength.Select(p => new LengthAccuracy(p.Key, p.Value.Count, p.Value.Correct)).ToArray(), written);
    }
}
