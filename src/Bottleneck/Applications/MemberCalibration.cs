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

    private readonly double[] residualScales;
    private readonly (double[] Means, double[] Scales)? code; // null: no code term
    private readonly double residualMedian;
    private readonly double codeMedian;

    private MemberCalibration(double[] residualScales, (double[] Means, double[] Scales)? code, double residualMedian, double codeMedian)
    {
        this.residualScales = residualScales;
        this.code = code;
        this.residualMedian = residualMedian;
        this.codeMedian = codeMedian;
    }

    /// <summary>Fits the statistics of <paramref name="model"/> on the (already scaled) data it was trained on.</summary>
    public static MemberCalibration Fit(Autoencoder model, Dataset data, string score)
    {
        if (!ScoreNames.Contains(score)) throw new BottleneckException($"unknown anomaly score '{score}' (expected {string.Join(" or ", ScoreNames)})");
        var (codes, residuals) = Pass(model, data);
        // A feature rebuilt exactly on every training item (a constant pixel) would get an
        // infinite weight; a floor at 1% of the average keeps one stray value from ruling.
        var residualScales = score == "error" ? Enumerable.Repeat(1.0, data.FeatureCount).ToArray() : FlooredMeanSquares(residuals, null);
        var code = score == "combined" ? CodeMoments(codes) : ((double[] Means, double[] Scales)?)null;
        var draft = new MemberCalibration(residualScales, code, 1, 1);
        return new MemberCalibration(residualScales, code,
            Median(draft.ResidualTerms(residuals)), code is null ? 1 : Median(draft.CodeTerms(codes)));
    }

    /// <summary>Per column, the mean square of the values less <paramref name="means"/> (or of the values), floored at 1% of the columns' average.</summary>
    private static double[] FlooredMeanSquares(Tensor rows, double[]? means)
    {
        int columns = rows.RowLength;
        var squares = new double[columns];
        for (int i = 0; i < rows.Rows; i++)
        {
            var row = rows.Row(i);
            for (int j = 0; j < columns; j++)
            {
                double v = row[j] - (means?[j] ?? 0);
                squares[j] += v * v;
            }
        }
        for (int j = 0; j < columns; j++) squares[j] /= rows.Rows;
        double floor = 0.01 * squares.Average() + 1e-12;
        for (int j = 0; j < columns; j++) squares[j] = Math.Max(squares[j], floor);
        return squares;
    }

    /// <summary>The training codes' mean and (floored) variance per code value.</summary>
    private static (double[] Means, double[] Scales) CodeMoments(Tensor codes)
    {
        var means = new double[codes.RowLength];
        for (int i = 0; i < codes.Rows; i++)
        {
            var row = codes.Row(i);
            for (int k = 0; k < means.Length; k++) means[k] += row[k];
        }
        for (int k = 0; k < means.Length; k++) means[k] /= codes.Rows;
        return (means, FlooredMeanSquares(codes, means));
    }

    /// <summary>Adds <paramref name="weight"/> × this member's score of every item of (scaled) <paramref name="data"/> to <paramref name="scores"/>.</summary>
    public void AddScores(Autoencoder model, Dataset data, double[] scores, double weight)
    {
        var (codes, residuals) = Pass(model, data);
        var residual = ResidualTerms(residuals);
        var codeTerms = code is null ? null : CodeTerms(codes);
        for (int i = 0; i < scores.Length; i++)
            scores[i] += weight * (residual[i] / residualMedian + (codeTerms is null ? 0 : codeTerms[i] / codeMedian));
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
        var (codeMeans, codeScales) = code!.Value;
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
