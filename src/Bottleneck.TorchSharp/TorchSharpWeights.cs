using Bottleneck.Formats;
using BottleneckTensor = Bottleneck.Tensors.Tensor;
using TorchSharp;
using TorchTensor = TorchSharp.torch.Tensor;
using static TorchSharp.torch;

namespace Bottleneck.Torch;

/// <summary>
/// Bottleneck's weights in TorchSharp and back. Bottleneck names its parameters as the PyTorch
/// module a user would write does ("encoder.0.weight", "decoder.2.weight_hh_l0"), so a TorchSharp
/// module built the same way takes a model.safetensors as it is, and a module trained in
/// TorchSharp saves one that Bottleneck loads.
/// </summary>
public static class TorchSharpWeights
{
    /// <summary>
    /// Copies the tensors of a safetensors file into <paramref name="module"/>'s state dict by name,
    /// strictly, as load_state_dict does: every entry present with its shape, no unknown names.
    /// Throws <see cref="BottleneckException"/> naming the file and the first mismatch.
    /// </summary>
    public static void LoadSafeTensors(this nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        var file = SafeTensorsFile.Read(path);
        var state = module.state_dict();
        var unexpected = file.Names.Where(n => !state.ContainsKey(n)).ToArray();
        if (unexpected.Length > 0)
            throw new BottleneckException($"{path}: unexpected tensor(s) {string.Join(", ", unexpected.Take(5))}; the module has {string.Join(", ", state.Keys)}");
        foreach (var (name, target) in state)
        {
            if (!file.Tensors.TryGetValue(name, out var source))
                throw new BottleneckException($"{path}: missing tensor '{name}' (shape [{string.Join(", ", target.shape)}])");
            if (!source.Shape.ToArray().Select(d => (long)d).SequenceEqual(target.shape))
                throw new BottleneckException($"{path}: tensor '{name}' has shape [{string.Join(", ", source.Shape.ToArray())}] but the module needs [{string.Join(", ", target.shape)}]");
            if (target.dtype is not (torch.ScalarType.Float32 or torch.ScalarType.Int64))
                throw new BottleneckException($"{path}: the module's '{name}' is {target.dtype}; Bottleneck's weights are float32 (and its counters, such as num_batches_tracked, whole numbers in float32)");
        }
        using var noGrad = torch.no_grad();
        foreach (var (name, target) in state)
        {
            // copy_ casts: batch norm's num_batches_tracked is int64 in TorchSharp, a float in the file.
            using var value = file.Tensors[name].ToTorch();
            target.copy_(value);
        }
    }

    /// <summary>
    /// Writes <paramref name="module"/>'s state dict as a safetensors file Bottleneck loads,
    /// atomically. Float32 tensors go as they are; int64 counters (num_batches_tracked) as floats,
    /// as Bottleneck keeps them, which is exact below 2^24.
    /// </summary>
    public static void SaveSafeTensors(this nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        var tensors = new List<KeyValuePair<string, BottleneckTensor>>();
        foreach (var (name, value) in module.state_dict())
        {
            if (value.dtype == torch.ScalarType.Int64)
            {
                if (value.numel() > 0 && value.abs().max().item<long>() > 1L << 24)
                    throw new BottleneckException($"{path}: '{name}' holds a count above 2^24, which float32 cannot keep exactly");
                using var asFloat = value.to_type(torch.ScalarType.Float32);
                tensors.Add(KeyValuePair.Create(name, asFloat.ToBottleneck()));
            }
            else
            {
                tensors.Add(KeyValuePair.Create(name, value.ToBottleneck()));
            }
        }
        SafeTensorsFile.Write(path, tensors);
    }

    /// <summary>A float32 TorchSharp tensor (on the CPU) with the same shape and values.</summary>
    public static TorchTensor ToTorch(this BottleneckTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return torch.tensor(tensor.Span.ToArray(), tensor.Shape.ToArray().Select(d => (long)d).ToArray(), torch.ScalarType.Float32);
    }

    /// <summary>A Bottleneck tensor with the shape and values of a float32 TorchSharp tensor (copied from any device).</summary>
    public static BottleneckTensor ToBottleneck(this TorchTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.dtype != torch.ScalarType.Float32)
            throw new BottleneckException($"a {tensor.dtype} tensor cannot become a Bottleneck tensor; convert it to float32 first");
        using var cpu = tensor.detach().cpu().contiguous();
        var shape = tensor.shape.Select(d => checked((int)d)).ToArray();
        return BottleneckTensor.Wrap(cpu.data<float>().ToArray(), shape);
    }
}
