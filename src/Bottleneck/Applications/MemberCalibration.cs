using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Tensors;

namespace Bottleneck.Applications;

/// <summary>
/// What one ensemble member learned about its own training data, so that its raw outputs can be
/// turned into a score where 1 means "as unusual as a typical training item".
/// <list type="bullet">
/// <item>"weighted" (the default): the reconstruction error with every feature's squared residual
/// divided by that feature's mean squared residual on the training data, so a feature the model
/// always rebuilds closely counts when it suddenly does not, and a noisy feature does not drown
/// the rest.</item>
/// <item>"combined": the weighted error plus the squared distance of the code from the training
/// codes' mean, each code value divided by its spread, each part divided by its own median. It
/// also sees items that lie on the learned manifold but far out along it, which a decoder rebuilds
/// well.</item>
/// <item>"error": the plain squared error.</item>
/// </list>
/// Every part is divided by its median over the member's training data.
/// </summary>
public sealed class MemberCalibration
{
    /// <summary>The scores <see cref="AnomalyOptions.Score"/> accepts.</summary>
    public static readonly string[] ScoreNames = ["weighted", "combined", "error"];

    private readonly bool combined;
    private readonly double[] residualScales;
    private readonly double[] codeMeans;
    private readonly double[] codeScales;
    private readonly double residualMedian;
    private readonly double codeMedian;

    private MemberCalibration(bool combined, double[] residualScales, double[] codeMeans, double[] codeScales, double residualMedian, double codeMedian)
    {
        this.combined = combined;
        this.residualScales = residualScales;
        this.codeMeans = codeMeans;
        this.codeScales = codeScales;
        this.residualMedian = residualMedian;
        this.codeMedian = codeMedian;
    }

    /// <summary>Fits the statistics of <paramref name="model"/> on the (already scaled) data it was trained on.</summary>
    public static MemberCalibration Fit(Autoencoder model, Dataset data, string score)
    {
        if (!ScoreNames.Contains(score)) throw new BottleneckException($"unknown anomaly score '{score}' (expected {string.Join(" or ", ScoreNames)})");
        bool combined = score == "combined", weighted = score != "error";
        var (codes, residuals) = Pass(model, data);
        int features = data.FeatureCount, latent = codes.RowLength;

        var residualScales = new double[features];
        if (weighted)
        {
            for (int i = 0; i < data.Count; i++)
            {
                var row = residuals.Row(i);
                for (int j = 0; j < features; j++) residualScales[j] += (double)row[j] * row[j];
            }
            // A feature rebuilt exactly on every training item (a constant pixel) would get an
            // infinite weight; a floor at 1% of the average keeps one stray value from ruling.
            double average = residualScales.Sum() / ((double)data.Count * features);
            for (int j = 0; j < features; j++) residualScales[j] = Math.Max(residualScales[j] / data.Count, 0.01 * average + 1e-12);
        }
        else Array.Fill(residualScales, 1.0);

        var codeMeans = new double[latent];
        var codeScales = new double[latent];
        for (int i = 0; i < data.Count; i++)
        {
            var row = codes.Row(i);
            for (int k = 0; k < latent; k++) codeMeans[k] += row[k];
        }
        for (int k = 0; k < latent; k++) codeMeans[k] /= data.Count;
        for (int i = 0; i < data.Count; i++)
        {
            var row = codes.Row(i);
            for (int k = 0; k < latent; k++) codeScales[k] += (row[k] - codeMeans[k]) * (row[k] - codeMeans[k]);
        }
        double spread = 0;
        for (int k = 0; k < latent; k++) spread += codeScales[k] /= data.Count;
        for (int k = 0; k < latent; k++) codeScales[k] = Math.Max(codeScales[k], 0.01 * spread / latent + 1e-12);

        var draft = new MemberCalibration(combined, residualScales, codeMeans, codeScales, 1, 1);
        double residualMedian = Median(draft.ResidualTerms(residuals));
        double codeMedian = combined ? Median(draft.CodeTerms(codes)) : 1;
        return new MemberCalibration(combined, residualScales, codeMeans, codeScales, residualMedian, codeMedian);
    }

    /// <summary>Adds <paramref name="weight"/> × this member's score of every item of (scaled) <paramref name="data"/> to <paramref name="scores"/>.</summary>
    public void AddScores(Autoencoder model, Dataset data, double[] scores, double weight)
    {
        var (codes, residuals) = Pass(model, data);
        var residual = ResidualTerms(residuals);
        var code = combined ? CodeTerms(codes) : null;
        for (int i = 0; i < scores.Length; i++)
            scores[i] += weight * (residual[i] / residualMedian + (code is null ? 0 : code[i] / codeMedian));
    }

    private double[] ResidualTerms(Tensor residuals)
    {
        var terms = new double[residuals.Rows];
        for (int i = 0; i < terms.Length; i++)
        {
            var row = residuals.Row(i);
            double sum = 0;
            for (int j = 0; j < row.Length; j++) sum += (double)row[j] * row[j] / residualScales[j];
            terms[i] = sum;
        }
        return terms;
    }

    private double[] CodeTerms(Tensor codes)
    {
        var terms = new double[codes.Rows];
        for (int i = 0; i < terms.Length; i++)
        {
            var row = codes.Row(i);
            double sum = 0;
            for (int k = 0; k < row.Length; k++) sum += (row[k] - codeMeans[k]) * (row[k] - codeMeans[k]) / codeScales[k];
            terms[i] = sum;
        }
        return terms;
    }

    /// <summary>Codes [N, latent] and residuals x − x̂ [N, features] of every item.</summary>
    private static (Tensor Codes, Tensor Residuals) Pass(Autoencoder model, Dataset data)
    {
        var x = new Tensor(data.Count, data.FeatureCount);
        data.CopyRows(0, data.Count, x);
        var codes = model.Encode(x);
        var residuals = model.Decode(codes);
        var r = residuals.Span;
        var input = x.Span;
        for (int i = 0; i < r.Length; i++) r[i] = input[i] - r[i];
        return (codes, residuals);
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return Math.Max(sorted[sorted.Length / 2], 1e-12);
    }
}
