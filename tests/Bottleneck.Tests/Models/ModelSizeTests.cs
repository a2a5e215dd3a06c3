using Bottleneck.Models;

namespace Bottleneck.Tests.Models;

public class ModelSizeTests
{
    private static AutoencoderConfig Tutorial(params int[] hidden) => ModelKinds.Defaults(ModelKind.Vanilla) with { InputSize = 784, InputShape = [1, 28, 28], Hidden = hidden };

    [Fact]
    public void The_tutorial_model_fits_and_its_parameters_are_counted_exactly()
    {
        // 784-400-20-400-784: 644,804 parameters (PyTorch's count for the tutorial's layers).
        long needed = 4L * 4 * 644_804;
        Assert.Null(ModelSize.Check(Tutorial(400), 128, training: true, availableBytes: needed));
        var problem = ModelSize.Check(Tutorial(400), 128, training: true, availableBytes: needed - 1);
        Assert.NotNull(problem);
        Assert.Equal("hidden", problem.Setting);
        Assert.Contains("644,804 parameters", problem.Message);
        // For inference only the weights themselves count.
        Assert.Null(ModelSize.Check(Tutorial(400), 128, training: false, availableBytes: 4L * 644_804));
    }

    [Fact]
    public void Each_size_is_blamed_on_the_setting_that_makes_it()
    {
        long plenty = long.MaxValue / 64;
        Assert.Equal("hidden", ModelSize.Check(Tutorial(3_000_000), 128, false, plenty)!.Setting);
        Assert.Equal("latent", ModelSize.Check(Tutorial(400) with { Latent = 10_000_000 }, 128, false, plenty)!.Setting);
        // One item of 2^31 values cannot even be batched.
        Assert.Equal("input", ModelSize.Check(Tutorial(4) with { InputSize = int.MaxValue, InputShape = null }, 2, false, plenty)!.Setting);
        var conv = ModelKinds.Defaults(ModelKind.Conv) with { InputSize = 784, InputShape = [1, 28, 28], Channels = [16, 2_000_000_000] };
        Assert.Equal("channels", ModelSize.Check(conv, 128, false, plenty)!.Setting);
        Assert.Contains("activations", ModelSize.Check(Tutorial(20_000_000) with { InputSize = 100, InputShape = null }, 128, false, plenty)!.Message);
    }

    [Fact]
    public void The_contractive_penalty_counts_its_hidden_by_hidden_matrices()
    {
        var contractive = ModelKinds.Defaults(ModelKind.Contractive) with { InputSize = 2, InputShape = null, Hidden = [50_000] };
        Assert.Contains("contractive penalty", ModelSize.Check(contractive, 128, true, long.MaxValue / 64)!.Message);
        // 20,000²×5 floats = 8 GB: over a 1 GiB budget although the weights are 1 MB.
        var wide = contractive with { Hidden = [20_000] };
        Assert.Null(ModelSize.Check(wide, 128, training: false, availableBytes: 1L << 30));
        Assert.Equal("hidden", ModelSize.Check(wide, 128, training: true, availableBytes: 1L << 30)!.Setting);
    }

    [Fact]
    public void The_jacobian_diagnostic_is_left_out_past_its_width_instead_of_overflowing()
    {
        var wide = new Autoencoder(ModelKinds.Defaults(ModelKind.Vanilla) with { InputSize = 2, InputShape = null, Hidden = [ContractivePenalty.MaxDiagnosticWidth + 1] }, seed: 1);
        Assert.Null(wide.JacobianNorms(new Bottleneck.Tensors.Tensor(3, 2)));
        var narrow = new Autoencoder(ModelKinds.Defaults(ModelKind.Vanilla) with { InputSize = 2, InputShape = null, Hidden = [16] }, seed: 1);
        Assert.Equal(3, narrow.JacobianNorms(new Bottleneck.Tensors.Tensor(3, 2))!.Length);
    }

    [Fact]
    public void Byte_counts_read_in_binary_units()
    {
        Assert.Equal("512 bytes", ModelSize.Bytes(512));
        Assert.Equal("1.5 KiB", ModelSize.Bytes(1536));
        Assert.Equal("14.9 GiB", ModelSize.Bytes(16_000_000_000));
    }
}
