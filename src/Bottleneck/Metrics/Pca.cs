using Bottleneck.Tensors;

namespace Bottleneck.Metrics;

/// <summary>
/// Principal component analysis, the linear baseline an autoencoder is measured against: the top
/// components of the data's covariance, projection onto them, reconstruction from them, and
/// reconstruction error as an anomaly score. Data are [rows, dims] float arrays, row-major.
/// </summary>
/// <remarks>
/// <para>Fitting centres the data, forms the covariance with <see cref="Gemm"/> on blocks of rows
/// (float products summed in float within a block of <see cref="BlockRows"/> rows, the blocks summed
/// in double), divides by rows − 1 as sklearn's explained_variance_ does, and takes the top
/// eigenpairs with a double-precision symmetric eigensolver. The cost is 2·rows·dims² for the
/// covariance (half of it, by symmetry) plus ⁴⁄₃dims³ for the eigensolver: 60000×784 to 32 components is about a second.</para>
/// <para>Deterministic, and independent of <see cref="EngineOptions.Threads"/> (the fit takes optional options, which the model's transforms then use too). Each component is signed so
/// that its largest-magnitude entry is positive (the first one among entries equal to within 10⁻⁶). Components equal those of sklearn's PCA up to that
/// sign and to float rounding.</para>
/// </remarks>
public sealed class Pca
{
    /// <summary>Rows per covariance block: long enough for an efficient GEMM, short enough that float sums stay accurate.</summary>
    internal const int BlockRows = 1024;

    private readonly float[] mean;
    private readonly float[] components;
    private readonly double[] variance;
    private readonly EngineOptions engine;

    private Pca(int dimensions, int trainingRows, float[] mean, float[] components, double[] variance, double totalVariance, EngineOptions engine)
    {
        this.engine = engine;
        Dimensions = dimensions;
        TrainingRows = trainingRows;
        this.mean = mean;
        this.components = components;
        this.variance = variance;
        TotalVariance = totalVariance;
    }

    /// <summary>The number of input features (columns).</summary>
    public int Dimensions { get; }

    /// <summary>The number of components kept.</summary>
    public int ComponentCount => variance.Length;

    /// <summary>The number of rows the model was fitted on.</summary>
    public int TrainingRows { get; }

    /// <summary>The per-feature mean subtracted before projecting, [dims].</summary>
    public ReadOnlySpan<float> Mean => mean;

    /// <summary>The components as orthonormal rows, [components, dims], largest variance first (sklearn's components_).</summary>
    public ReadOnlySpan<float> Components => components;

    /// <summary>The variance of the data along each component (covariance eigenvalues, divisor rows − 1), decreasing.</summary>
    public ReadOnlySpan<double> ExplainedVariance => variance;

    /// <summary>The total variance of the data (trace of the covariance), the denominator of <see cref="ExplainedVarianceRatio"/>.</summary>
    public double TotalVariance { get; }

    /// <summary>Each component's share of the total variance.</summary>
    public double[] ExplainedVarianceRatio => variance.Select(v => TotalVariance > 0 ? v / TotalVariance : 0).ToArray();

    /// <summary>Fits on a [rows, dims] tensor.</summary>
    public static Pca Fit(Tensor data, int components, EngineOptions? engine = null)
    {
        if (data.Rank != 2) throw new BottleneckException($"PCA: data must be a [rows, dims] tensor, got {data}");
        return Fit(data.Span, data.Dim(1), components, engine);
    }

    /// <summary>Fits <paramref name="components"/> components (1 to min(rows, dims)) to row-major [rows, <paramref name="dims"/>] data.</summary>
    /// <param name="engine">Threads and kernel of the fit and of this model's transforms; <see cref="EngineOptions.Default"/> when null.</param>
    public static Pca Fit(ReadOnlySpan<float> data, int dims, int components, EngineOptions? engine = null)
    {
        engine ??= EngineOptions.Default;
        int rows = RowMatrix.Rows("PCA fit", data, dims);
        if (rows < 2) throw new BottleneckException($"PCA fit: needs at least 2 rows to estimate a variance, got {rows}");
        if (components < 1 || components > Math.Min(rows, dims))
            throw new BottleneckException($"PCA fit: {components} components requested; it must be between 1 and min(rows, dims) = {Math.Min(rows, dims)}");
        RowMatrix.CheckFinite("PCA fit", data, dims);

        // The mean in double: float running sums over 60000 rows would lose digits.
        var sums = new double[dims];
        for (int r = 0; r < rows; r++)
        {
            var row = data.Slice(r * dims, dims);
            for (int j = 0; j < dims; j++) sums[j] += row[j];
        }
        var mean = new float[dims];
        for (int j = 0; j < dims; j++) mean[j] = (float)(sums[j] / rows);

        // Covariance from centred blocks (centring first: the uncentred XᵀX − N·μμᵀ cancels badly).
        // It is symmetric, so only the lower triangle is computed, one panel of rows at a time:
        // rows p0..p1 against columns 0..p1, about 55% of the full product's work.
        var covariance = new double[dims * dims];
        var block = new float[Math.Min(rows, BlockRows) * dims];
        var product = new float[dims * dims];
        int panel = Math.Max(64, (dims + 7) / 8);
        for (int r0 = 0; r0 < rows; r0 += BlockRows)
        {
            int count = Math.Min(BlockRows, rows - r0);
            Center(data.Slice(r0 * dims, count * dims), mean, block);
            for (int p0 = 0; p0 < dims; p0 += panel)
            {
                int p1 = Math.Min(dims, p0 + panel);
                Gemm.Multiply(true, false, p1 - p0, p1, count, block.AsSpan(p0), dims, block, dims, product.AsSpan(p0 * dims), dims, accumulate: false, engine: engine);
                for (int i = p0; i < p1; i++)
                {
                    for (int j = 0; j <= i; j++) covariance[i * dims + j] += product[i * dims + j];
                }
            }
        }
        double total = 0;
        for (int i = 0; i < dims; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double v = covariance[i * dims + j] / (rows - 1);
                covariance[i * dims + j] = v;
                covariance[j * dims + i] = v;
            }
            total += covariance[i * dims + i];
        }

        var (values, vectors) = SymmetricEigen.Largest(covariance, dims, components, engine);
        var componentRows = new float[components * dims];
        for (int i = 0; i < componentRows.Length; i++) componentRows[i] = (float)vectors[i];
        // Rounding can leave the eigenvalues of a rank-deficient covariance a hair below zero; a variance is not negative.
        for (int i = 0; i < values.Length; i++) values[i] = Math.Max(values[i], 0);
        return new Pca(dims, rows, mean, componentRows, values, total, engine);
    }

    /// <summary>Projects [rows, dims] data onto the components: codes[rows, components] = (x − mean)·Componentsᵀ.</summary>
    public void Transform(ReadOnlySpan<float> data, Span<float> codes)
    {
        int rows = RowMatrix.Rows("PCA transform", data, Dimensions);
        int k = ComponentCount;
        if (codes.Length != rows * k)
            throw new BottleneckException($"PCA transform: {rows} rows need a {rows}x{k} output ({rows * k} values), got {codes.Length}");
        RowMatrix.CheckFinite("PCA transform", data, Dimensions);
        var block = new float[Math.Min(rows, BlockRows) * Dimensions];
        for (int r0 = 0; r0 < rows; r0 += BlockRows)
        {
            int count = Math.Min(BlockRows, rows - r0);
            Center(data.Slice(r0 * Dimensions, count * Dimensions), mean, block);
            Gemm.Multiply(false, true, count, k, Dimensions, block, Dimensions, components, Dimensions, codes.Slice(r0 * k, count * k), k, accumulate: false, engine: engine);
        }
    }

    /// <inheritdoc cref="Transform(ReadOnlySpan{float}, Span{float})"/>
    public float[] Transform(ReadOnlySpan<float> data)
    {
        var codes = new float[RowMatrix.Rows("PCA transform", data, Dimensions) * ComponentCount];
        Transform(data, codes);
        return codes;
    }

    /// <summary>Maps codes [rows, components] back to the data space: mean + codes·Components, [rows, dims].</summary>
    public void InverseTransform(ReadOnlySpan<float> codes, Span<float> output)
    {
        int rows = RowMatrix.Rows("PCA inverse transform", codes, ComponentCount);
        if (output.Length != rows * Dimensions)
            throw new BottleneckException($"PCA inverse transform: {rows} rows need a {rows}x{Dimensions} output ({rows * Dimensions} values), got {output.Length}");
        RowMatrix.CheckFinite("PCA inverse transform", codes, ComponentCount);
        for (int r = 0; r < rows; r++) mean.CopyTo(output.Slice(r * Dimensions, Dimensions));
        Gemm.Multiply(false, false, rows, Dimensions, ComponentCount, codes, ComponentCount, components, Dimensions, output, Dimensions, accumulate: true, engine: engine);
    }

    /// <inheritdoc cref="InverseTransform(ReadOnlySpan{float}, Span{float})"/>
    public float[] InverseTransform(ReadOnlySpan<float> codes)
    {
        var output = new float[RowMatrix.Rows("PCA inverse transform", codes, ComponentCount) * Dimensions];
        InverseTransform(codes, output);
        return output;
    }

    /// <summary>
    /// The anomaly score of each row: its squared reconstruction error ‖x − x̂‖² (summed over the dims),
    /// where x̂ is its projection onto the components mapped back. Rows unlike the training data score high.
    /// </summary>
    public float[] ReconstructionErrors(ReadOnlySpan<float> data)
    {
        int rows = RowMatrix.Rows("PCA reconstruction error", data, Dimensions);
        RowMatrix.CheckFinite("PCA reconstruction error", data, Dimensions);
        int d = Dimensions, k = ComponentCount, blockRows = Math.Min(rows, BlockRows);
        var centered = new float[blockRows * d];
        var codes = new float[blockRows * k];
        var back = new float[blockRows * d];
        var errors = new float[rows];
        for (int r0 = 0; r0 < rows; r0 += BlockRows)
        {
            int count = Math.Min(BlockRows, rows - r0);
            Center(data.Slice(r0 * d, count * d), mean, centered);
            // Working on centred rows, the mean cancels out of x − x̂ instead of being added and removed.
            Gemm.Multiply(false, true, count, k, d, centered, d, components, d, codes, k, accumulate: false, engine: engine);
            Gemm.Multiply(false, false, count, d, k, codes, k, components, d, back, d, accumulate: false, engine: engine);
            for (int r = 0; r < count; r++)
            {
                double sum = 0;
                for (int j = r * d; j < (r + 1) * d; j++)
                {
                    double diff = centered[j] - back[j];
                    sum += diff * diff;
                }
                errors[r0 + r] = (float)sum;
            }
        }
        return errors;
    }

    private static void Center(ReadOnlySpan<float> rows, float[] mean, float[] output)
    {
        int d = mean.Length;
        for (int r = 0; r < rows.Length / d; r++)
            System.Numerics.Tensors.TensorPrimitives.Subtract(rows.Slice(r * d, d), mean, output.AsSpan(r * d, d));
    }
}
