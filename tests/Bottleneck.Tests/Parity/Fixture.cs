using Bottleneck.Formats;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Parity;

/// <summary>One PyTorch reference case, from ../shared/fixtures/torch-parity or this repository's Parity/Fixtures.</summary>
internal sealed class Fixture
{
    private readonly SafeTensorsFile file;

    private Fixture(SafeTensorsFile file) => this.file = file;

    public static Fixture Load(string name) => new(SafeTensorsFile.Read(SharedData.Fixture(name)));

    /// <summary>A case generated in this repository (Parity/Fixtures, copied beside the test binaries), by name without ".safetensors".</summary>
    public static Fixture LoadProject(string name) =>
        new(SafeTensorsFile.Read(Path.Combine(AppContext.BaseDirectory, "Parity", "Fixtures", name + ".safetensors")));

    public Tensor this[string name] => file.Tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"fixture has no tensor '{name}'");

    public float Scalar(string name) => this[name][0];

    public string Setting(string name) => file.Metadata[name];
}
