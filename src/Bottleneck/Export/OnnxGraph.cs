using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Bottleneck.Export;

/// <summary>An attribute of an ONNX node: one int, float, string or list of ints.</summary>
internal readonly record struct OnnxAttribute(string Name, int Type, long Int = 0, float Float = 0, string? Text = null, long[]? Ints = null)
{
    // AttributeProto.AttributeType
    private const int FloatType = 1, IntType = 2, StringType = 3, IntsType = 7;

    public static OnnxAttribute Of(string name, long value) => new(name, IntType, Int: value);

    public static OnnxAttribute Of(string name, float value) => new(name, FloatType, Float: value);

    public static OnnxAttribute Of(string name, string value) => new(name, StringType, Text: value);

    public static OnnxAttribute Of(string name, params long[] values) => new(name, IntsType, Ints: values);

    internal void WriteTo(ProtoWriter w)
    {
        w.String(1, Name);
        w.Int(20, Type);
        switch (Type)
        {
            case FloatType: w.Float(2, Float); break;
            case IntType: w.Int(3, Int); break;
            case StringType: w.String(4, Text!); break;
            default:
                // onnx.proto is proto2, whose repeated scalars are written unpacked: one tag per value.
                foreach (long v in Ints!) w.Int(8, v);
                break;
        }
    }
}

/// <summary>
/// An ONNX graph being built: nodes in order, weights as initializers, typed float inputs and
/// outputs whose first dimension is the batch. <see cref="ToModel"/> writes the ModelProto.
/// Field numbers are those of onnx.proto.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>In a dimension list: the batch, any size, named "batch" in the file.</summary>
    public const long Batch = -1;

    // TensorProto.DataType
    private const int FloatType = 1, Int64Type = 7;

    private readonly List<Action<ProtoWriter>> nodes = [];
    private readonly List<Action<ProtoWriter>> initializers = [];
    private readonly List<Action<ProtoWriter>> inputs = [];
    private readonly List<Action<ProtoWriter>> outputs = [];
    private readonly HashSet<string> names = [];
    private int counter;

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

    /// <summary>A scalar float constant.</summary>
    public string Scalar(string name, float value) => Weights(name, [value]);

    /// <summary>Adds a node and returns the name of its (single) output.</summary>
    public string Node(string op, string[] nodeInputs, params OnnxAttribute[] attributes) =>
        Node(op, nodeInputs, Unique(op.ToLowerInvariant()), attributes);

    /// <summary>Adds a node whose output gets <paramref name="output"/> as its name (a graph output).</summary>
    public string Node(string op, string[] nodeInputs, string output, params OnnxAttribute[] attributes)
    {
        names.Add(output);
        string nodeName = $"{op}_{counter++}";
        nodes.Add(w =>
        {
            foreach (var input in nodeInputs) w.String(1, input);
            w.String(2, output);
            w.String(3, nodeName);
            w.String(4, op);
            foreach (var attribute in attributes) w.Message(5, attribute.WriteTo);
        });
        return output;
    }

    public void Input(string name, params long[] dims)
    {
        names.Add(name);
        inputs.Add(w => WriteValueInfo(w, name, dims));
    }

    public void Output(string name, params long[] dims) => outputs.Add(w => WriteValueInfo(w, name, dims));

    /// <summary>The ModelProto: IR version, opset, producer, metadata and the graph.</summary>
    public byte[] ToModel(string graphName, int irVersion, int opset, string producerVersion, string docString,
        IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var model = new ProtoWriter();
        model.Int(1, irVersion);
        model.String(2, "bottleneck");
        model.String(3, producerVersion);
        model.String(6, docString);
        model.Message(7, g =>
        {
            foreach (var node in nodes) g.Message(1, node);
            g.String(2, graphName);
            foreach (var initializer in initializers) g.Message(5, initializer);
            foreach (var input in inputs) g.Message(11, input);
            foreach (var output in outputs) g.Message(12, output);
        });
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

    private string Unique(string name)
    {
        string candidate = name;
        while (!names.Add(candidate)) candidate = $"{name}_{counter++}";
        return candidate;
    }

    private void AddInitializer(string name, int type, long[] dims, byte[] raw) => initializers.Add(w =>
    {
        foreach (long d in dims) w.Int(1, d);
        w.Int(2, type);
        w.String(8, name);
        w.Bytes(9, raw);
    });

    private static void WriteValueInfo(ProtoWriter w, string name, long[] dims)
    {
        w.String(1, name);
        w.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Int(1, FloatType);
            tensor.Message(2, shape =>
            {
                foreach (long d in dims)
                    shape.Message(1, dim =>
                    {
                        if (d == Batch) dim.String(2, "batch");
                        else dim.Int(1, d);
                    });
            });
        }));
    }
}
