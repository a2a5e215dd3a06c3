using Bottleneck.Models;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Parity;

/// <summary>The VAE's reparameterisation and KL term against PyTorch (fixture vae_reparam_kld).</summary>
public class VaeParityTests
{
    [Fact]
    public void Reparameterisation_and_kl_match_torch()
    {
        var f = Fixture.Load("vae_reparam_kld");
        var mu = f["mu"];
        var logVar = f["logvar"];
        int n = mu.Rows, latent = mu.RowLength;
        // The encoder's output row is μ then log σ², side by side.
        var encoded = new Tensor(n, 2 * latent);
        for (int r = 0; r < n; r++)
        {
            mu.Row(r).CopyTo(encoded.Row(r));
            logVar.Row(r).CopyTo(encoded.Row(r)[latent..]);
        }
        var reparam = new Reparameterization(latent, beta: 1);
        var z = reparam.Forward(encoded, f["eps"].Span);
        TensorAssert.Close(f["z"], z, 1e-5, "z");
        TensorAssert.CloseScalar(f.Scalar("kld"), reparam.Penalty, 1e-5, "kld");

        // The gradient of z·dz + KL: both paths, summed, as autograd would give for that loss.
        var grad = reparam.Backward(f["dz"]);
        for (int r = 0; r < n; r++)
            for (int j = 0; j < latent; j++)
            {
                int i = r * latent + j;
                Assert.Equal(f["dmu_from_z"][i] + f["dmu_from_kld"][i], grad[r * 2 * latent + j], 4);
                Assert.Equal(f["dlogvar_from_z"][i] + f["dlogvar_from_kld"][i], grad[r * 2 * latent + latent + j], 4);
            }
    }

    [Fact]
    public void Without_a_sampler_the_code_is_the_mean()
    {
        var reparam = new Reparameterization(2, beta: 1);
        var encoded = Tensor.Wrap([0.5f, -1f, 3f, 2f], 1, 4);
        var z = reparam.Forward(encoded, encoded, sampler: null, training: false);
        Assert.Equal([0.5f, -1f], z.Span.ToArray());
    }
}
