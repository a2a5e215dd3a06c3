using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Bottleneck.Tensors;

namespace Bottleneck.Models;

/// <summary>
/// β-TCVAE's middle (Chen et al. 2018): a VAE whose KL term is split into index-code mutual
/// information, total correlation TC and dimension-wise KL, with the TC weighted by β. With the
/// other two weighted 1 the loss is reconstruction + KL + (β − 1)·TC, which is what is computed:
/// the exact KL of the plain VAE plus (β − 1) times the minibatch-weighted-sampling estimate of
/// TC = E[log q(z) − Σ_j log q(z_j)] over the batch's sampled codes, where for a batch of M codes
/// from a data set of N items
/// log q(z_i) ≈ log Σ_k q(z_i | x_k) − log(N·M) and log q(z_ij) ≈ log Σ_k q(z_ij | x_k) − log(N·M).
/// Its gradient reaches every item's μ and log σ² through both the codes and the densities.
/// </summary>
/// <remarks>
/// The estimate needs the M × M × latent log densities log N(z_ij; μ_kj, σ_kj); they are computed
/// once in the forward pass for the log-sum-exps and again in the backward pass for the softmax
/// weights, rather than held (M = 1,000 at evaluation would be 40 MB). Without a sampler (encoding)
/// the code is μ and only the KL is reported.
/// </remarks>
public sealed class TotalCorrelationReparameterization(int latent, double beta) : CodeRegularizer
{
    private readonly Reparameterization inner = new(latent, beta: 1);
    private Tensor? encoded, code, direct, total;
    // Per code i in turn: logq[k·latent + j] = log q(z_ij | x_k); and per batch the log-sum-exps.
    private double[] logq = [], scratch = [], mu = [], inverseVariance = [], halfLogVariance = [], sums = [], jointLse = [], marginalLse = [];
    private bool withTc;
    private int datasetSize = 1;

    public double Beta { get; } = beta;

    /// <summary>The unweighted TC estimate of the last batch, summed over its codes.</summary>
    public double TotalCorrelation { get; private set; }

    public override string PenaltyName => "kl+tc";

    public override int EncodedSize(int latent) => inner.EncodedSize(latent);

    /// <summary>N of the estimator; it shifts the TC estimate by a constant, (latent − 1)·log(N·M) per code, not its gradient.</summary>
    public override void Prepare(int trainingItems) => datasetSize = Math.Max(1, trainingItems);

    public override Tensor Forward(Tensor encoded, Tensor input, Rng? sampler, bool training)
    {
        var code = inner.Forward(encoded, input, sampler, training);
        this.encoded = encoded;
        this.code = code;
        Penalty = inner.Penalty;
        withTc = sampler is not null && code.Rows >= 2;
        if (!withTc) return code;
        TotalCorrelation = Estimate(encoded, code);
        Penalty += (Beta - 1) * TotalCorrelation;
        return code;
    }

    /// <summary>Σ_i [log q̂(z_i) − Σ_j log q̂(z_ij)], keeping each code's log-sum-exps for the backward pass.</summary>
    private double Estimate(Tensor encoded, Tensor code)
    {
        int m = code.Rows;
        Posteriors(encoded, m);
        var z = code.Span;
        double logNm = Math.Log((double)datasetSize * m), tc = 0;
        for (int i = 0; i < m; i++)
        {
            // logq[k, j] = log N(z_ij; μ_kj, σ_kj), less the ½·log 2π that cancels in TC.
            LogDensities(z.Slice(i * latent, latent), m);
            for (int k = 0; k < m; k++) sums[k] = Sum(logq.AsSpan(k * latent, latent));
            jointLse[i] = LogSumExp(sums.AsSpan(0, m));
            // Per dimension j, log Σ_k e^logq[k, j], less each column's largest first.
            var max = marginalLse.AsSpan(i * latent, latent);
            logq.AsSpan(0, latent).CopyTo(max);
            for (int k = 1; k < m; k++) TensorPrimitives.Max(max, logq.AsSpan(k * latent, latent), max);
            ColumnExp(m, max);
            var column = sums.AsSpan(0, latent);
            column.Clear();
            for (int k = 0; k < m; k++) TensorPrimitives.Add(column, scratch.AsSpan(k * latent, latent), column);
            TensorPrimitives.Log(column, column);
            TensorPrimitives.Add(max, column, max);
            tc += jointLse[i] - TensorPrimitives.Sum<double>(max) + (latent - 1) * logNm;
        }
        return tc;
    }

    public override Tensor Backward(Tensor gradCode)
    {
        if (!withTc) return inner.Backward(gradCode);
        int m = gradCode.Rows;
        double c = Beta - 1;
        Tensor.Ensure(ref total, m, latent);
        Tensor.Ensure(ref direct, m, 2 * latent);
        var dz = total!.Span;
        gradCode.Span.CopyTo(dz);
        var dh = direct!.Span;
        dh.Clear();
        var z = code!.Span;
        var weights = sums.AsSpan(0, m);
        for (int i = 0; i < m; i++)
        {
            var zi = z.Slice(i * latent, latent);
            LogDensities(zi, m);
            for (int k = 0; k < m; k++) weights[k] = Sum(logq.AsSpan(k * latent, latent)) - jointLse[i];
            TensorPrimitives.Exp(weights, weights);
            // scratch[k, j]: the marginal softmax weight of x_k for z_ij.
            ColumnExp(m, marginalLse.AsSpan(i * latent, latent));
            for (int k = 0; k < m; k++)
            {
                int mu0 = k * 2 * latent, lv0 = mu0 + latent;
                for (int j = 0; j < latent; j++)
                {
                    // w − v: the joint softmax weight of x_k for z_i less the marginal one for z_ij.
                    int kj = k * latent + j;
                    double wv = c * (weights[k] - scratch[kj]);
                    double diff = zi[j] - mu[kj], u = diff * inverseVariance[kj];
                    dz[i * latent + j] -= (float)(wv * u);
                    dh[mu0 + j] += (float)(wv * u);
                    dh[lv0 + j] += (float)(wv * (0.5 * diff * u - 0.5));
                }
            }
        }
        var grad = inner.Backward(total);
        TensorPrimitives.Add(grad.Span, dh, grad.Span);
        return grad;
    }

    /// <summary>The batch's posteriors as doubles: μ, 1/σ² and ½·log σ², [m, latent] each, so that a density needs no exponential.</summary>
    private void Posteriors(Tensor encoded, int m)
    {
        if (jointLse.Length < m)
        {
            logq = new double[m * latent];
            scratch = new double[m * latent];
            mu = new double[m * latent];
            inverseVariance = new double[m * latent];
            halfLogVariance = new double[m * latent];
            sums = new double[Math.Max(m, latent)];
            jointLse = new double[m];
            marginalLse = new double[m * latent];
        }
        var h = encoded.Span;
        for (int k = 0; k < m; k++)
            for (int j = 0; j < latent; j++)
            {
                double logVar = h[k * 2 * latent + latent + j];
                mu[k * latent + j] = h[k * 2 * latent + j];
                inverseVariance[k * latent + j] = Math.Exp(-logVar);
                halfLogVariance[k * latent + j] = 0.5 * logVar;
            }
    }

    /// <summary>logq[k, j] = −½·log σ²_kj − ½·(z_j − μ_kj)²/σ²_kj for the m items' posteriors.</summary>
    private void LogDensities(ReadOnlySpan<float> zi, int m)
    {
        for (int k = 0; k < m; k++)
            for (int j = 0; j < latent; j++)
            {
                int kj = k * latent + j;
                double diff = zi[j] - mu[kj];
                logq[kj] = -halfLogVariance[kj] - 0.5 * diff * diff * inverseVariance[kj];
            }
    }

    /// <summary>scratch[k, j] = e^(logq[k, j] − shift[j]) for the m rows, in one vectorised pass.</summary>
    private void ColumnExp(int m, ReadOnlySpan<double> shift)
    {
        for (int k = 0; k < m; k++) TensorPrimitives.Subtract(logq.AsSpan(k * latent, latent), shift, scratch.AsSpan(k * latent, latent));
        TensorPrimitives.Exp(scratch.AsSpan(0, m * latent), scratch.AsSpan(0, m * latent));
    }

    private static double Sum(ReadOnlySpan<double> values)
    {
        double s = 0;
        foreach (double v in values) s += v;
        return s;
    }

    private static double LogSumExp(ReadOnlySpan<double> values)
    {
        double max = double.NegativeInfinity, s = 0;
        foreach (double v in values) max = Math.Max(max, v);
        foreach (double v in values) s += Math.Exp(v - max);
        return max + Math.Log(s);
    }
}
