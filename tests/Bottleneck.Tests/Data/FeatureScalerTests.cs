using Bottleneck.Data;

namespace Bottleneck.Tests.Data;

public class FeatureScalerTests
{
    // Three samples of three features: a varying one, a constant one, a negative one.
    private static Dataset Train() => new("train", [0f, 5f, -1f, 5f, 5f, -3f, 10f, 5f, -8f], 3, 3, [0, 1, 0]);

    [Fact]
    public void MinMaxMapsTheTrainingRangeToZeroOne()
    {
        var train = Train();
        var scaler = new FeatureScaler("minmax").Fit(train);
        Assert.Equal(ScalerKind.MinMax, scaler.Kind);
        Assert.Equal(new[] { 0f, 5f, -8f }, scaler.Offset);
        // The constant column gets scale 1: no division by zero, its training value maps to 0.
        Assert.Equal(new[] { 0.1f, 1f, 1f / 7 }, scaler.Scale);
        var t = scaler.Transform(train);
        Assert.Equal(new[] { 0f, 0f, 1f, 0.5f, 0f, 5f / 7, 1f, 0f, 0f }, t.Features, new FloatComparer(1e-6f));
        Assert.Equal(new[] { 0, 1, 0 }, t.Labels);
        Assert.Equal(Train().Features, train.Features); // the input is not modified
    }

    [Fact]
    public void MinMaxAppliesTheTrainingRangeToNewDataAndClipsWhenAsked()
    {
        var test = new Dataset("test", [20f, 6f, -8f], 1, 3);
        var open = new FeatureScaler(ScalerKind.MinMax).Fit(Train()).Transform(test);
        Assert.Equal(new[] { 2f, 1f, 0f }, open.Features); // outside the training range: beyond [0, 1]
        var clipped = new FeatureScaler(ScalerKind.MinMax, clip: true).Fit(Train()).Transform(test);
        Assert.Equal(new[] { 1f, 1f, 0f }, clipped.Features);
    }

    [Fact]
    public void StandardGivesMeanZeroAndUnitPopulationStd()
    {
        var scaler = new FeatureScaler("standard").Fit(Train());
        // Column 0: mean 5, population std sqrt(50/3); column 1 constant: scale 1; column 2: mean -4, std sqrt(26/3).
        Assert.Equal(5f, scaler.Offset[0]);
        Assert.Equal((float)(1 / Math.Sqrt(50.0 / 3)), scaler.Scale[0]);
        Assert.Equal(1f, scaler.Scale[1]);
        Assert.Equal(-4f, scaler.Offset[2]);
        Assert.Equal((float)(1 / Math.Sqrt(26.0 / 3)), scaler.Scale[2]);
        var t = scaler.Transform(Train());
        for (int j = 0; j < 3; j++)
        {
            var column = Enumerable.Range(0, 3).Select(i => (double)t.Features[i * 3 + j]).ToArray();
            Assert.Equal(0, column.Average(), 6);
            double std = Math.Sqrt(column.Select(v => v * v).Average());
            Assert.Equal(j == 1 ? 0 : 1, std, 6);
        }
    }

    [Fact]
    public void StandardStaysAccurateForALargeMeanAndSmallSpread()
    {
        // The one-pass formula (E[x²] − E[x]²) gives zero or a negative variance here.
        var values = new float[1000];
        for (int i = 0; i < values.Length; i++) values[i] = 1e6f + (i % 2 == 0 ? 0.5f : -0.5f);
        var scaler = new FeatureScaler(ScalerKind.Standard).Fit(new Dataset("d", values, 1000, 1));
        Assert.Equal(1e6f, scaler.Offset[0]);
        Assert.Equal(2f, scaler.Scale[0], 1e-5f);
    }

    [Fact]
    public void NoneLeavesValuesAlone()
    {
        var scaler = new FeatureScaler("none").Fit(Train());
        Assert.Equal(new[] { 0f, 0f, 0f }, scaler.Offset);
        Assert.Equal(new[] { 1f, 1f, 1f }, scaler.Scale);
        Assert.Equal(Train().Features, scaler.Transform(Train()).Features);
    }

    [Fact]
    public void SavedParametersRoundTripAndInvert()
    {
        var rng = new Random(11);
        foreach (var kind in new[] { ScalerKind.MinMax, ScalerKind.Standard, ScalerKind.None })
        {
            var values = new float[200 * 6];
            for (int i = 0; i < values.Length; i++) values[i] = (float)(rng.NextDouble() * 1000 - 300) * (i % 6 + 1);
            var data = new Dataset("d", values, 200, 6);
            var fitted = new FeatureScaler(kind).Fit(data);
            // What a model file would store, read back.
            var restored = FeatureScaler.FromParameters(kind, [.. fitted.Offset], [.. fitted.Scale]);
            var a = fitted.Transform(data);
            var b = restored.Transform(data);
            Assert.Equal(a.Features, b.Features);
            var back = (float[])a.Features.Clone();
            restored.InverseTransformInPlace(back);
            Assert.Equal(values, back, new FloatComparer(1e-3f));
        }
    }

    [Fact]
    public void MisuseIsReported()
    {
        Assert.Equal("unknown feature scaling 'zscale'; use minmax, standard or none", Assert.Throws<BottleneckException>(() => new FeatureScaler("zscale")).Message);
        Assert.Throws<InvalidOperationException>(() => new FeatureScaler("minmax").Transform(Train()));
        var scaler = new FeatureScaler("minmax").Fit(Train());
        var e = Assert.Throws<BottleneckException>(() => scaler.Transform(new Dataset("other", [1f, 2f], 1, 2)));
        Assert.Equal("other: the data has 2 features but the feature scaling was fitted on 3", e.Message);
        Assert.Throws<BottleneckException>(() => new FeatureScaler("standard").Fit(new Dataset("empty", [], 0, 3)));
        Assert.Throws<BottleneckException>(() => FeatureScaler.FromParameters(ScalerKind.MinMax, [0f], [0f]));
        Assert.Throws<BottleneckException>(() => FeatureScaler.FromParameters(ScalerKind.MinMax, [0f, 1f], [1f]));
        Assert.Throws<BottleneckException>(() => FeatureScaler.FromParameters(ScalerKind.MinMax, [float.NaN], [1f]));
    }

    [Fact]
    public void TinyRangesDoNotOverflowTheScale()
    {
        // Two adjacent float values: 1/range overflows float32, so the column is treated as constant.
        float a = 1e-40f, b = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) + 1);
        var scaler = new FeatureScaler("minmax").Fit(new Dataset("d", [a, b], 2, 1));
        Assert.True(float.IsFinite(scaler.Scale[0]));
        Assert.All(scaler.Transform(new Dataset("d", [a, b], 2, 1)).Features, v => Assert.True(float.IsFinite(v)));
    }

    private sealed class FloatComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(x));

        public int GetHashCode(float obj) => 0;
    }
}
