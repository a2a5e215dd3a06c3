namespace Bottleneck.Data;

/// <summary>How features are rescaled before training.</summary>
public enum ScalerKind
{
    /// <summary>Values unchanged (offset 0, scale 1).</summary>
    None,

    /// <summary>To [0, 1] over the training data: x' = (x − min) / (max − min).</summary>
    MinMax,

    /// <summary>Mean 0 and standard deviation 1 over the training data: x' = (x − mean) / std.</summary>
    Standard,
}

/// <summary>
/// Per-feature affine rescaling, x' = (x − Offset[j]) · Scale[j], fitted on training data only (fitting
/// on test data would leak it into the model). Offsets and scales are plain arrays so that a model file
/// can store them and apply the same transform to new data.
/// </summary>
public sealed class FeatureScaler
{
    private float[]? offset;
    private float[]? scale;

    public FeatureScaler(ScalerKind kind, bool clip = false)
    {
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind));
        Kind = kind;
        Clip = clip;
    }

    /// <summary>A scaler by name: "minmax", "standard" or "none" (as given on the command line).</summary>
    public FeatureScaler(string kind, bool clip = false) : this(ParseKind(kind), clip)
    {
    }

    public ScalerKind Kind { get; }

    /// <summary>For <see cref="ScalerKind.MinMax"/>: clip transformed values to [0, 1], for data outside the training range.</summary>
    public bool Clip { get; }

    /// <summary>The kind's name as accepted by <see cref="ParseKind"/>.</summary>
    public string KindName => Name(Kind);

    public bool IsFitted => offset != null;

    /// <summary>Per-feature offsets (subtracted first).</summary>
    public float[] Offset => offset ?? throw NotFitted();

    /// <summary>Per-feature scales (multiplied after subtracting the offset); never zero.</summary>
    public float[] Scale => scale ?? throw NotFitted();

    public int FeatureCount => Offset.Length;

    public static ScalerKind ParseKind(string kind) => kind?.Trim().ToLowerInvariant() switch
    {
        "minmax" or "min-max" or "min_max" => ScalerKind.MinMax,
        "standard" or "zscore" or "z-score" => ScalerKind.Standard,
        "none" => ScalerKind.None,
        _ => throw new BottleneckException($"unknown feature scaling '{kind}'; use minmax, standard or none"),
    };

    public static string Name(ScalerKind kind) => kind switch
    {
        ScalerKind.MinMax => "minmax",
        ScalerKind.Standard => "standard",
        _ => "none",
    };

    /// <summary>A fitted scaler from saved parameters (e.g. read back from model.json), checked for consistency.</summary>
    public static FeatureScaler FromParameters(ScalerKind kind, float[] offset, float[] scale, bool clip = false)
    {
        ArgumentNullException.ThrowIfNull(offset);
        ArgumentNullException.ThrowIfNull(scale);
        if (offset.Length != scale.Length || offset.Length == 0)
            throw new BottleneckException($"feature scaling has {offset.Length} offsets and {scale.Length} scales; they must be equal in number and not empty");
        for (int j = 0; j < offset.Length; j++)
        {
            if (!float.IsFinite(offset[j]) || !float.IsFinite(scale[j]) || scale[j] == 0)
                throw new BottleneckException($"feature scaling for feature {j} has offset {offset[j]} and scale {scale[j]}; both must be finite and the scale non-zero");
        }
        return new FeatureScaler(kind, clip) { offset = (float[])offset.Clone(), scale = (float[])scale.Clone() };
    }

    /// <summary>Computes the offsets and scales from <paramref name="train"/> (only), replacing earlier ones; returns this scaler.</summary>
    public FeatureScaler Fit(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        int n = train.Count;
        int f = train.FeatureCount;
        if (n == 0) throw new BottleneckException($"{train.Name}: cannot fit feature scaling on 0 samples");
        var o = new float[f];
        var s = new float[f];
        ReadOnlySpan<float> x = train.Features;
        switch (Kind)
        {
            case ScalerKind.None:
                s.AsSpan().Fill(1f);
                break;
            case ScalerKind.MinMax:
                var min = x[..f].ToArray();
                var max = x[..f].ToArray();
                for (int i = 1; i < n; i++)
                {
                    var row = x.Slice(i * f, f);
                    for (int j = 0; j < f; j++)
                    {
                        min[j] = Math.Min(min[j], row[j]);
                        max[j] = Math.Max(max[j], row[j]);
                    }
                }
                for (int j = 0; j < f; j++)
                {
                    o[j] = min[j];
                    // A constant column has no range: scale 1 maps its training value to 0 (no division
                    // by zero) while a different value in new data still shows as a deviation, which is
                    // what an anomaly detector should see. A range so small that 1/range overflows
                    // float32 is treated the same way.
                    s[j] = ScaleFor((double)max[j] - min[j]);
                }
                break;
            case ScalerKind.Standard:
                // Two passes in double: the textbook one-pass formula loses everything to cancellation
                // when the mean is large compared with the spread.
                var mean = new double[f];
                for (int i = 0; i < n; i++)
                {
                    var row = x.Slice(i * f, f);
                    for (int j = 0; j < f; j++) mean[j] += row[j];
                }
                for (int j = 0; j < f; j++) mean[j] /= n;
                var squares = new double[f];
                for (int i = 0; i < n; i++)
                {
                    var row = x.Slice(i * f, f);
                    for (int j = 0; j < f; j++)
                    {
                        double d = row[j] - mean[j];
                        squares[j] += d * d;
                    }
                }
                for (int j = 0; j < f; j++)
                {
                    o[j] = (float)mean[j];
                    // Population standard deviation (numpy's and scikit-learn's default).
                    s[j] = ScaleFor(Math.Sqrt(squares[j] / n));
                }
                break;
        }
        offset = o;
        scale = s;
        return this;
    }

    private static float ScaleFor(double spread)
    {
        float s = (float)(1.0 / spread);
        return spread > 0 && float.IsFinite(s) && s != 0 ? s : 1f;
    }

    /// <summary>A new data set with every sample transformed (labels and sample shape kept).</summary>
    public Dataset Transform(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Check(data.FeatureCount, data.Name);
        var values = (float[])data.Features.Clone();
        TransformInPlace(values);
        return new Dataset(data.Name, values, data.Count, data.FeatureCount, (int[]?)data.Labels?.Clone(), data.SampleShape);
    }

    /// <summary>Transforms row-major samples in place (a whole number of rows).</summary>
    public void TransformInPlace(Span<float> values)
    {
        var o = Offset;
        var s = Scale;
        int f = o.Length;
        if (values.Length % f != 0) throw new ArgumentException($"{values.Length} values are not whole rows of {f} features", nameof(values));
        if (Kind == ScalerKind.None) return;
        bool clip = Clip && Kind == ScalerKind.MinMax;
        for (int start = 0; start < values.Length; start += f)
        {
            var row = values.Slice(start, f);
            for (int j = 0; j < f; j++)
            {
                float v = (row[j] - o[j]) * s[j];
                row[j] = clip ? Math.Clamp(v, 0f, 1f) : v;
            }
        }
    }

    /// <summary>Maps transformed values back to the original units (x = x' / scale + offset), e.g. for reconstructions.</summary>
    public void InverseTransformInPlace(Span<float> values)
    {
        var o = Offset;
        var s = Scale;
        int f = o.Length;
        if (values.Length % f != 0) throw new ArgumentException($"{values.Length} values are not whole rows of {f} features", nameof(values));
        for (int start = 0; start < values.Length; start += f)
        {
            var row = values.Slice(start, f);
            for (int j = 0; j < f; j++) row[j] = row[j] / s[j] + o[j];
        }
    }

    private void Check(int featureCount, string name)
    {
        if (Offset.Length != featureCount)
            throw new BottleneckException($"{name}: the data has {featureCount} features but the feature scaling was fitted on {Offset.Length}");
    }

    private static InvalidOperationException NotFitted() => new("the feature scaler has not been fitted; call Fit on the training data first");
}
