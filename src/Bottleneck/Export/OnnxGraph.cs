using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Bottleneck.Export;

/// <summary>An attribute of an ONNX node: one int, float, string, list of ints or graph (a loop's body).</summary>
internal readonly record struct OnnxAttribute(string Name, int Type, long Int = 0, float Float = 0, string? Text = null, long[]? Ints = null, OnnxGraph? Graph = null)
{
    // AttributeProto.AttributeType
    private const int FloatType = 1, IntType = 2, StringType = 3, GraphType = 5, IntsType = 7;

    public static OnnxAttribute Of(string name, long value) => new(name, IntType, Int: value);

    public static OnnxAttribute Of(string name, float value) => new(name, FloatType, Float: value);

    public static OnnxAttribute Of(string name, string value) => new(name, StringType, Text: value);

    public static OnnxAttribute Of(string name, params long[] values) => new(name, IntsType, Ints: values);

    public static OnnxAttribute Of(string name, OnnxGraph graph) => new(name, GraphType, Graph: graph);

    internal void WriteTo(ProtoWriter w)
    {
        w.String(1, Name);
        w.Int(20, Type);
        switch (Type)
        {
            case FloatType: w.Float(2, Float); break;
            case IntType: w.Int(3, Int); break;
            case StringType: w.String(4, Text!); break;
            case GraphType:
                var (body, name) = (Graph!, Name);
                w.Message(6, g => body.WriteGraph(g, name));
                break;
            default:
                // onnx.proto is proto2, whose repeated scalars are written unpacked: one tag per value.
                foreach (long v in Ints!) w.Int(8, v);
                break;
        }
    }
}

/// <summary>
/// An ONNX graph being built: nodes in order, weights as initializers, typed inputs and outputs
/// whose first dimension is the batch. <see cref="ToModel"/> writes the ModelProto; a
/// <see cref="Subgraph"/> is a loop's body, whose values share the names of the whole model
/// (ONNX names a value once in a graph and all its subgraphs). Field numbers are those of onnx.proto.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>In a dimension list: the batch, any size, named "batch" in the file.</summary>
    public const long Batch = -1;

    /// <summary>In a dimension list: the steps of a padded sequence, any number, named "time" in the file.</summary>
    public const long Time = -2;

    // TensorProto.DataType
    public const int FloatType = 1, Int32Type = 6, Int64Type = 7, BoolType = 9;

    private readonly List<Action<ProtoWriter>> nodes = [];
    private readonly List<Action<ProtoWriter>> initializers = [];
    private readonly List<Action<ProtoWriter>> inputs = [];
    private readonly List<Action<ProtoWriter>> outputs = [];
    private readonly OnnxGraph? root;
    private readonly HashSet<string> names = [];
    private int counter;

    public OnnxGraph()
    {
    }

    private OnnxGraph(OnnxGraph parent) => root = parent.root ?? parent;

    /// <summary>A graph for a node attribute (a loop's body), whose nodes may read this graph's values.</summary>
    public OnnxGraph Subgraph() => new(this);

    /// <summary>A float initializer (a weight or a constant), under <paramref name="name"/> if it is still free.</summary>
    public string Weights(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        name = Unique(name);
        var bytes = new byte[values.Length * sizeof(float)];
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(values).CopyTo(bytes);
        else for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        AddInitializer(name, FloatType, dims, bytes);
        return name;
    }

    /// <summary>An int64 initializer: shapes, axes and slice bounds.</summary>
    public string Int64s(string name, params long[] values)
    {
        name = Unique(name);
        var bytes = new byte[values.Length * sizeof(long)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * i), values[i]);
        AddInitializer(name, Int64Type, [values.Length], bytes);
        return name;
    }

    /// <summary>A scalar (0-d) int64 constant: an index that drops the axis it picks from (Gather).</summary>
    public string Int64Scalar(string name, long value)
    {
        name = Unique(name);
        var bytes = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        AddInitializer(name, Int64Type, [], bytes);
        return name;
    }

    /// <summary>A scalar boolean constant (a loop's condition).</summary>
    public string Bool(string name, bool value)
    {
        name = Unique(name);
        AddInitializer(name, BoolType, [], [value ? (byte)1 : (byte)0]);
        return name;
    }

    /// <summary>A scalar float constant.</summary>
    public string Scalar(string name, float value) => Weights(name, [value]);

    /// <summary>Adds a node and returns the name of its (single) output.</summary>
    public string Node(string op, string[] nodeInputs, params OnnxAttribute[] attributes) =>
        Node(op, nodeInputs, Unique(op.ToLowerInvariant()), attributes);

    /// <summary>Adds a node whose output gets <paramref name="output"/> as its name (a graph output).</summary>
    public string Node(string op, string[] nodeInputs, string output, params OnnxAttribute[] attributes) =>
        NodeWithOutputs(op, nodeInputs, [output], attributes)[0];

    /// <summary>Adds a node with <paramref name="count"/> outputs (LSTM's Y and Y_h, a loop's states) and returns their names.</summary>
    public string[] Node(string op, string[] nodeInputs, int count, params OnnxAttribute[] attributes) =>
        NodeWithOutputs(op, nodeInputs, Enumerable.Range(0, count).Select(_ => Unique(op.ToLowerInvariant())).ToArray(), attributes);

    private string[] NodeWithOutputs(string op, string[] nodeInputs, string[] nodeOutputs, OnnxAttribute[] attributes)
    {
        foreach (var output in nodeOutputs) Names.Add(output);
        string nodeName = $"{op}_{NextNumber()}";
        nodes.Add(w =>
        {
            foreach (var input in nodeInputs) w.String(1, input);
            foreach (var output in nodeOutputs) w.String(2, output);
            w.String(3, nodeName);
            w.String(4, op);
            foreach (var attribute in attributes) w.Message(5, attribute.WriteTo);
        });
        return nodeOutputs;
    }

    /// <summary>A float input.</summary>
    public void Input(string name, params long[] dims) => Input(name, FloatType, dims);

    /// <summary>An input of element type <paramref name="type"/>; null <paramref name="dims"/> leaves its shape unsaid (a loop body's state).</summary>
    public void Input(string name, int type, long[]? dims)
    {
        Names.Add(name);
        inputs.Add(w => WriteValueInfo(w, name, type, dims));
    }

    /// <summary>A float output.</summary>
    public void Output(string name, params long[] dims) => Output(name, FloatType, dims);

    public void Output(string name, int type, long[]? dims) => outputs.Add(w => WriteValueInfo(w, name, type, dims));

    /// <summary>The ModelProto: IR version, opset, producer, metadata and the graph.</summary>
    public byte[] ToModel(string graphName, int irVersion, int opset, string producerVersion, string docString,
        IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var model = new ProtoWriter();
        model.Int(1, irVersion);
        model.String(2, "bottleneck");
        model.String(3, producerVersion);
        model.String(6, docString);
        model.Message(7, g => WriteGraph(g, graphName));
        model.Message(8, o =>
        {
            o.String(1, "");
            o.Int(2, opset);
        });
        foreach (var (key, value) in metadata)
            model.Message(14, e =>
            {
                e.String(1, key);
                e.String(2, value);
            });
        return model.Written.ToArray();
    }

    /// <summary>The GraphProto: nodes, name, initializers, inputs, outputs.</summary>
    internal void WriteGraph(ProtoWriter g, string graphName)
    {
        foreach (var node in nodes) g.Message(1, node);
        g.String(2, graphName);
        foreach (var initializer in initializers) g.Message(5, initializer);
        foreach (var input in inputs) g.Message(11, input);
        foreach (var output in outputs) g.Message(12, output);
    }

    private HashSet<string> Names => (root ?? this).names;

    private int NextNumber() => root is null ? counter++ : root.NextNumber();

    private string Unique(string name)
    {
        string candidate = name;
        while (!Names.Add(candidate)) candidate = $"{name}_{NextNumber()}";
        return candidate;
    }

    private void AddInitializer(string name, int type, long[] dims, byte[] raw) => initializers.Add(w =>
    {
        foreach (long d in dims) w.Int(1, d);
        w.Int(2, type);
        w.String(8, name);
        w.Bytes(9, raw);
    });

    private static void WriteValueInfo(ProtoWriter w, string name, int elementType, long[]? dims)
    {
        w.String(1, name);
        w.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Int(1, elementType);
            if (dims is null) return;
            tensor.Message(2, shape =>
            {
                foreach (long d in dims)
                    shape.Message(1, dim =>
                    {
                        if (d == Batch) dim.String(2, "batch");
                        else if (d == Time) dim.String(2, "time");
                        else dim.Int(1, d);
                    });
            });
        }));
    }
}
