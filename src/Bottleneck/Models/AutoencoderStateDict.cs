using Bottleneck.Tensors;

namespace Bottleneck.Models;

/// <summary>state_dict import and export, strict like PyTorch's load_state_dict.</summary>
public static class AutoencoderStateDict
{
    /// <summary>The parameters and buffers (batch norm statistics) by PyTorch name (live tensors, not copies).</summary>
    public static IReadOnlyList<KeyValuePair<string, Tensor>> StateDict(this ITrainable model) =>
        model.NamedParameters.Select(p => KeyValuePair.Create(p.Name, p.Parameter.Value))
            .Concat(model.NamedBuffers.Select(b => KeyValuePair.Create(b.Name, b.Value))).ToArray();

    /// <summary>
    /// Copies weights in by name. Every parameter must be present with its exact shape and no
    /// unknown names may be given; <paramref name="source"/> names the file in error messages.
    /// </summary>
    public static void LoadStateDict(this ITrainable model, IReadOnlyDictionary<string, Tensor> tensors, string source) =>
        Load(model.StateDict(), tensors, source);

    /// <summary>Copies <paramref name="tensors"/> into a model's named tensors <paramref name="stateDict"/>, strictly (see LoadStateDict).</summary>
    internal static void Load(IEnumerable<KeyValuePair<string, Tensor>> stateDict, IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        var expected = stateDict.ToDictionary(p => p.Key, p => p.Value);
        var unexpected = tensors.Keys.Where(k => !expected.ContainsKey(k)).ToArray();
        if (unexpected.Length > 0)
            throw new BottleneckException($"{source}: unexpected tensor(s) {string.Join(", ", unexpected.Take(5))}; the model has {string.Join(", ", expected.Keys)}");
        foreach (var (name, parameter) in expected)
        {
            if (!tensors.TryGetValue(name, out var t))
                throw new BottleneckException($"{source}: missing tensor '{name}' (shape [{string.Join(", ", parameter.Shape.ToArray())}])");
            if (!t.Shape.SequenceEqual(parameter.Shape))
                throw new BottleneckException($"{source}: tensor '{name}' has shape [{string.Join(", ", t.Shape.ToArray())}] but the model needs [{string.Join(", ", parameter.Shape.ToArray())}]");
            foreach (float f in t.Span)
                if (!float.IsFinite(f)) throw new BottleneckException($"{source}: tensor '{name}' contains NaN or infinity");
        }
        foreach (var (name, parameter) in expected) tensors[name].Span.CopyTo(parameter.Span);
    }
}
