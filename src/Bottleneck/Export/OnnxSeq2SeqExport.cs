using Bottleneck.Data;
using Bottleneck.IO;
using Bottleneck.Layers;
using Bottleneck.Models;

namespace Bottleneck.Export;

/// <summary>
/// Writes a seq2seq text model as an ONNX model (opset 17): token ids go in, and out come the
/// code of each sequence, its teacher-forced loss (the anomaly command's score) and the text the
/// model writes back from the code by greedy decoding, computed by an ONNX Loop.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>tokens</c> int64 [batch, time]: each sequence's character ids, left-aligned and padded
/// with 0. The ids are the vocabulary's, in the file's metadata: <c>bottleneck.vocabulary</c> holds
/// the characters of ids 3, 4, … in order (0 pads, 1 ends a sequence, 2 starts the decoder).</item>
/// <item><c>code</c> float [batch, latent].</item>
/// <item><c>score</c> float [batch]: −log p of the sequence's characters and its end under teacher
/// forcing, in nats, as <see cref="Seq2SeqAutoencoder.SequenceLosses"/>.</item>
/// <item><c>decoded</c> int64 [batch, max length]: the greedy decoding of the code, 0 from the end
/// marker on (a sequence that never ends fills the row), as <see cref="Seq2SeqAutoencoder.Decode"/>.</item>
/// </list>
/// </remarks>
public static class OnnxSeq2SeqExport
{
    public const string TokensName = "tokens";
    public const string DecodedName = "decoded";

    /// <summary>Writes the model's ONNX file atomically.</summary>
    public static void Save(Seq2SeqAutoencoder model, string path)
    {
        var bytes = ToBytes(model);
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    /// <summary>The ONNX ModelProto of <paramref name="model"/>.</summary>
    public static byte[] ToBytes(Seq2SeqAutoencoder model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var c = model.Config;
        var graph = new OnnxGraph();
        graph.Input(TokensName, OnnxGraph.Int64Type, [OnnxGraph.Batch, OnnxGraph.Time]);
        var w = new Weights(graph, model);

        string zero = graph.Int64Scalar("zero", 0);
        string lengths = graph.Node("ReduceSum", [graph.Node("Cast", [graph.Node("Greater", [TokensName, zero])], CastTo(OnnxGraph.Int64Type)),
            graph.Int64s("time_axis", 1)], OnnxAttribute.Of("keepdims", 0L));
        string code = Encode(graph, w, lengths);
        Score(graph, w, code, lengths);
        Decode(graph, w, code, c.MaxLength);

        graph.Output(OnnxExport.CodeName, OnnxGraph.Batch, c.Latent);
        graph.Output(OnnxExport.ScoreName, OnnxGraph.Batch);
        graph.Output(DecodedName, OnnxGraph.Int64Type, [OnnxGraph.Batch, c.MaxLength]);

        var metadata = new Dictionary<string, string>
        {
            ["bottleneck.kind"] = ModelKind.Seq2Seq.Name(),
            ["bottleneck.vocabulary"] = string.Concat(model.Vocabulary.Characters),
            ["bottleneck.tokens"] = $"{CharacterVocabulary.Padding} pads, {CharacterVocabulary.End} ends, {CharacterVocabulary.Start} starts, the vocabulary's characters from {CharacterVocabulary.FirstCharacter}",
            ["bottleneck.max_length"] = c.MaxLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["bottleneck.outputs"] = "code, score (teacher-forced loss per sequence, nats), decoded (greedy decoding of the code, 0 from the end on)",
        };
        string doc = $"Bottleneck seq2seq autoencoder: token ids [batch, time] (0-padded) to code [batch, {c.Latent}], per-sequence loss and the greedy decoding [batch, {c.MaxLength}].";
        return graph.ToModel("bottleneck_seq2seq", OnnxExport.IrVersion, OnnxExport.Opset, OnnxExport.ProducerVersion, doc, metadata);
    }

    /// <summary>Embedding, the GRU over each sequence's own length (sequence_lens: its state after its last character), the code.</summary>
    private static string Encode(OnnxGraph graph, Weights w, string lengths)
    {
        string embedded = graph.Node("Gather", [w.EncoderEmbedding, TokensName]);  // [batch, time, embedding]
        string timeMajor = TimeMajor(graph, embedded);
        string sequenceLengths = graph.Node("Cast", [lengths], CastTo(OnnxGraph.Int32Type));
        var (wi, r, b) = w.EncoderGru;
        string[] states = graph.Node("GRU", [timeMajor, wi, r, b, sequenceLengths], 2, w.EncoderGruAttributes);
        string last = graph.Node("Squeeze", [states[1], graph.Int64s("direction_axis", 0)]);  // Y_h [1, batch, hidden]
        return graph.Node("Identity", [OnnxSequenceLayers.Linear(graph, last, w.Model.ToCode.Weight, w.Model.ToCode.Bias, "encoder.fc")], OnnxExport.CodeName);
    }

    /// <summary>
    /// Teacher forcing: the decoder reads [start, c₁ … cₙ] beside the code and should give
    /// [c₁ … cₙ, end]; the score sums −log p of those targets, padding left out (ignore_index 0).
    /// </summary>
    private static void Score(OnnxGraph graph, Weights w, string code, string lengths)
    {
        // Columns made from the tokens so that the batch size stays free: zeros, then the start marker.
        string nothing = graph.Int64Scalar("times_zero", 0);
        string first = graph.Node("Slice", [TokensName, graph.Int64s("first_start", 0), graph.Int64s("first_end", 1), graph.Int64s("first_axis", 1)]);
        string zeros = graph.Node("Mul", [first, nothing]);
        string starts = graph.Node("Add", [zeros, graph.Int64Scalar("start_id", CharacterVocabulary.Start)]);
        string decoderIds = graph.Node("Concat", [starts, TokensName], OnnxAttribute.Of("axis", 1L));   // [batch, time + 1]
        string padded = graph.Node("Concat", [TokensName, zeros], OnnxAttribute.Of("axis", 1L));
        // Position s of each row is its end when s equals its length.
        string paddedZeros = graph.Node("Mul", [padded, nothing]);
        string ones = graph.Node("Add", [paddedZeros, graph.Int64Scalar("one", 1)]);
        string positions = graph.Node("Sub", [graph.Node("CumSum", [ones, graph.Int64Scalar("cumsum_axis", 1)]), graph.Int64Scalar("one_less", 1)]);
        string atEnd = graph.Node("Equal", [positions, graph.Node("Unsqueeze", [lengths, graph.Int64s("length_axis", 1)])]);
        string targets = graph.Node("Where", [atEnd, graph.Int64Scalar("end_id", CharacterVocabulary.End), padded]);

        string embedded = graph.Node("Gather", [w.DecoderEmbedding, decoderIds]);  // [batch, time + 1, embedding]
        // The code beside every step: broadcast against float zeros of shape [batch, time + 1, 1].
        string stepZeros = graph.Node("Unsqueeze", [graph.Node("Cast", [paddedZeros], CastTo(OnnxGraph.FloatType)), graph.Int64s("feature_axis", 2)]);
        string codes = graph.Node("Add", [stepZeros, graph.Node("Unsqueeze", [code, graph.Int64s("step_axis", 1)])]);
        string input = graph.Node("Concat", [embedded, codes], OnnxAttribute.Of("axis", 2L));
        var (wi, r, b) = w.DecoderGru;
        string y = graph.Node("GRU", [TimeMajor(graph, input), wi, r, b], w.DecoderGruAttributes);  // [time + 1, 1, batch, hidden]
        string states = graph.Node("Transpose", [graph.Node("Squeeze", [y, graph.Int64s("direction_axis", 1)])], OnnxAttribute.Of("perm", 1L, 0L, 2L));
        string logits = graph.Node("Add", [graph.Node("MatMul", [states, graph.Node("Transpose", [w.LogitsWeight])]), w.LogitsBias]);
        string logProbabilities = graph.Node("LogSoftmax", [logits], OnnxAttribute.Of("axis", -1L));
        string picked = graph.Node("Squeeze", [graph.Node("GatherElements", [logProbabilities, graph.Node("Unsqueeze", [targets, graph.Int64s("class_axis", 2)])],
            OnnxAttribute.Of("axis", 2L)), graph.Int64s("class_axis", 2)]);
        string real = graph.Node("Cast", [graph.Node("Greater", [targets, nothing])], CastTo(OnnxGraph.FloatType));
        string sum = graph.Node("ReduceSum", [graph.Node("Mul", [picked, real]), graph.Int64s("time_axis", 1)], OnnxAttribute.Of("keepdims", 0L));
        graph.Node("Neg", [sum], OnnxExport.ScoreName);
    }

    /// <summary>
    /// Greedy decoding as a Loop of <paramref name="maxLength"/> steps, carrying the decoder's state
    /// and the last token: each step reads the last token's embedding beside the code and picks the
    /// likeliest next one. Tokens from the first end marker on become 0.
    /// </summary>
    private static void Decode(OnnxGraph graph, Weights w, string code, int maxLength)
    {
        // Zero state [batch, hidden] and start tokens [batch], shaped from the code.
        string codeZeros = graph.Node("ReduceSum", [graph.Node("Mul", [code, graph.Scalar("times_zero", 0f)]), graph.Int64s("code_axis", 1)],
            OnnxAttribute.Of("keepdims", 1L));                                                                 // [batch, 1]
        string state0 = graph.Node("Add", [codeZeros, graph.Weights("zero_state", new float[w.Model.Config.Hidden], w.Model.Config.Hidden)]);
        string start = graph.Node("Add", [graph.Node("Cast", [graph.Node("Squeeze", [codeZeros, graph.Int64s("code_axis", 1)])], CastTo(OnnxGraph.Int64Type)),
            graph.Int64Scalar("start_id", CharacterVocabulary.Start)]);

        var body = graph.Subgraph();
        body.Input("step", OnnxGraph.Int64Type, []);
        body.Input("condition", OnnxGraph.BoolType, []);
        body.Input("state", OnnxGraph.FloatType, null);
        body.Input("last_token", OnnxGraph.Int64Type, null);
        string embedded = body.Node("Gather", [w.DecoderEmbedding, "last_token"]);                             // [batch, embedding]
        string input = body.Node("Unsqueeze", [body.Node("Concat", [embedded, code], OnnxAttribute.Of("axis", 1L)), body.Int64s("time_axis", 0)]);
        string initial = body.Node("Unsqueeze", ["state", body.Int64s("direction_axis", 0)]);
        var (wi, r, b) = w.DecoderGru;
        string[] step = body.Node("GRU", [input, wi, r, b, "", initial], 2, w.DecoderGruAttributes);
        string next = body.Node("Squeeze", [step[1], body.Int64s("direction_axis", 0)], "next_state");
        string logits = body.Node("Gemm", [next, w.LogitsWeight, w.LogitsBias], OnnxAttribute.Of("transB", 1L));
        string token = body.Node("ArgMax", [logits], "next_token", OnnxAttribute.Of("axis", 1L), OnnxAttribute.Of("keepdims", 0L));
        body.Node("Identity", ["condition"], "condition_out");
        body.Node("Identity", [token], "token_out");
        body.Output("condition_out", OnnxGraph.BoolType, []);
        body.Output(next, OnnxGraph.FloatType, null);
        body.Output(token, OnnxGraph.Int64Type, null);
        body.Output("token_out", OnnxGraph.Int64Type, null);

        string[] loop = graph.Node("Loop", [graph.Int64Scalar("max_length", maxLength), graph.Bool("always", true), state0, start], 3,
            OnnxAttribute.Of("body", body));
        string tokens = graph.Node("Transpose", [loop[2]], OnnxAttribute.Of("perm", 1L, 0L));                // [batch, max length]
        string ends = graph.Node("Cast", [graph.Node("Equal", [tokens, graph.Int64Scalar("end_id", CharacterVocabulary.End)])], CastTo(OnnxGraph.Int64Type));
        string ended = graph.Node("Greater", [graph.Node("CumSum", [ends, graph.Int64Scalar("cumsum_axis", 1)]), graph.Int64Scalar("zero", 0)]);
        graph.Node("Where", [ended, graph.Int64Scalar("padding_id", CharacterVocabulary.Padding), tokens], DecodedName);
    }

    /// <summary>[batch, time, features] to [time, batch, features], the layout of ONNX's GRU.</summary>
    private static string TimeMajor(OnnxGraph graph, string x) => graph.Node("Transpose", [x], OnnxAttribute.Of("perm", 1L, 0L, 2L));

    private static OnnxAttribute CastTo(int type) => OnnxAttribute.Of("to", (long)type);

    /// <summary>The model's weights as initializers, each written once and shared by the three parts of the graph.</summary>
    private sealed class Weights
    {
        public Weights(OnnxGraph graph, Seq2SeqAutoencoder model)
        {
            Model = model;
            EncoderEmbedding = Table(graph, model.EncoderEmbedding, "encoder.embedding.weight");
            DecoderEmbedding = Table(graph, model.DecoderEmbedding, "decoder.embedding.weight");
            EncoderGru = OnnxSequenceLayers.RecurrentWeights(graph, model.EncoderGru, "encoder.gru");
            DecoderGru = OnnxSequenceLayers.RecurrentWeights(graph, model.DecoderGru, "decoder.gru");
            EncoderGruAttributes = GruAttributes(model.EncoderGru);
            DecoderGruAttributes = GruAttributes(model.DecoderGru);
            var fc = model.ToLogits;
            LogitsWeight = graph.Weights("decoder.fc.weight", fc.Weight.Value.Span, fc.OutFeatures, fc.InFeatures);
            LogitsBias = graph.Weights("decoder.fc.bias", fc.Bias.Value.Span, fc.OutFeatures);
        }

        public Seq2SeqAutoencoder Model { get; }

        public string EncoderEmbedding { get; }

        public string DecoderEmbedding { get; }

        public (string W, string R, string B) EncoderGru { get; }

        public (string W, string R, string B) DecoderGru { get; }

        public OnnxAttribute[] EncoderGruAttributes { get; }

        public OnnxAttribute[] DecoderGruAttributes { get; }

        /// <summary>decoder.fc.weight [vocabulary, hidden].</summary>
        public string LogitsWeight { get; }

        public string LogitsBias { get; }

        private static string Table(OnnxGraph graph, Embedding embedding, string name) =>
            graph.Weights(name, embedding.Weight.Value.Span, embedding.Weight.Value.Dim(0), embedding.Weight.Value.Dim(1));

        private static OnnxAttribute[] GruAttributes(Gru gru) =>
            [OnnxAttribute.Of("hidden_size", (long)gru.HiddenSize), OnnxAttribute.Of("linear_before_reset", 1L)];
    }
}
