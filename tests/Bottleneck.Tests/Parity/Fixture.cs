using Bottleneck.IO;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Parity;

/// <summary>One PyTorch reference case from ../shared/fixtures/torch-parity.</summary>
internal sealed class Fixture
{
    private readonly SafeTensorsFile file;

    private Fixture(SafeTensorsFile file) => this.file = file;

    public static Fixture Load(string name) => new(SafeTensorsFile.Read(SharedData.Fixture(name)));

    public Tensor this[string name] => file.Tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"fixture has no tensor '{name}'");

    public float Scalar(string name) => this[name][0];

    public string Setting(string name) => file.Metadata[name];
}
