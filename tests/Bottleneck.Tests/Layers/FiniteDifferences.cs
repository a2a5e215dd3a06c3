using Bottleneck.Tensors;

namespace Bottleneck.Tests.Layers;

/// <summary>Central differences, the reference every backward pass is checked against.</summary>
internal static class FiniteDifferences
{
    public const float Step = 1e-2f;
    public const double Tolerance = 2e-2;

    /// <summary>A [rows, rowLength] tensor of values drawn from U(−scale, scale).</summary>
    public static Tensor Uniform(Rng rng, int rows, int rowLength, float scale = 1f)
    {
        var t = new Tensor(rows, rowLength);
        rng.FillUniform(t.Span, -scale, scale);
        return t;
    }

    /// <summary>Σ a ⊙ r in double: the scalar objective L = Σ r ⊙ f(x) for a random r.</summary>
    public static double Dot(Tensor a, Tensor r)
    {
        Assert.Equal(r.Length, a.Length);
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * r[i];
        return s;
    }

    /// <summary>
    /// The central difference of <paramref name="objective"/> in each value of <paramref name="variable"/>,
    /// compared with <paramref name="analytic"/> relative to its scale.
    /// </summary>
    public static void Check(Tensor variable, Func<double> objective, ReadOnlySpan<float> analytic, string what,
        float step = Step, double tolerance = Tolerance)
    {
        var numeric = new float[variable.Length];
        for (int i = 0; i < variable.Length; i++)
        {
            float saved = variable[i];
            variable[i] = saved + step;
            double plus = objective();
            variable[i] = saved - step;
            double minus = objective();
            variable[i] = saved;
            numeric[i] = (float)((plus - minus) / (2 * step));
        }
        TensorAssert.Close(numeric, analytic, tolerance, what);
    }

    /// <summary>
    /// Checks dx and every parameter gradient of <paramref name="layer"/> at <paramref name="x"/>
    /// for L = Σ r ⊙ layer(x); <paramref name="beforeForward"/> runs before every forward (to
    /// reset a mask or a generator, so each forward computes the same function).
    /// </summary>
    public static void CheckLayer(Bottleneck.Layers.Layer layer, Tensor x, Tensor r, Action? beforeForward = null, bool training = true)
    {
        beforeForward?.Invoke();
        layer.Forward(x, training);
        var dx = layer.Backward(r, true)!.Clone();
        var grads = layer.Parameters.Select(p => p.Grad.Clone()).ToArray();
        double L()
        {
            beforeForward?.Invoke();
            return Dot(layer.Forward(x, training), r);
        }
        Check(x, L, dx.Span, layer.Describe() + " dx");
        for (int i = 0; i < grads.Length; i++)
            Check(layer.Parameters[i].Value, L, grads[i].Span, layer.Describe() + " d" + layer.Parameters[i].Name);
    }
}
