using Bottleneck.Metrics;
using Bottleneck.Tensors;
using static Bottleneck.Tests.RefusalAssert;

namespace Bottleneck.Tests.Metrics;

/// <summary>
/// References from numpy.linalg.eigh (numpy 1.24.2, LAPACK) on the same matrices and data, printed by
/// pca_references.py next to this file, which also checks that sklearn 1.2.1's PCA (full SVD) agrees
/// with eigh to 1e-10. Components are compared after the same sign convention.
/// </summary>
public class PcaTests
{
    private static readonly double[] EighValues = [3.8283309943633497, 1.941839676161868, 1.2292303937506899, 7.087304356374098e-16, 1.2147194743773134e-16, -1.1247495877699415e-17, -3.819688061341127e-17, -1.678993398433219e-16, -0.9032439643836166, -1.7767933776666793, -2.541585944447834, -4.222222222222223];
    private static readonly double[][] EighVectors =
    [
        [-0.09783580671076572, 0.5229180295890161, 0.08147119085125265, 0.42797354833554346, 0.0, -0.42797354833554335, -0.0814711908512526, -0.5229180295890162, 0.09783580671076572, -0.02443273353609979, 0.12431399863236056, -0.1957575637381666],
        [0.05796392752518658, -0.24007528394935798, 0.3243104924138623, 0.19071661189276215, 5.551115123125783e-17, -0.19071661189276182, -0.32431049241386245, 0.24007528394935806, -0.0579639275251866, 0.6945573680905506, -0.01816485082576103, -0.33491482473523454],
        [-0.3721644104298546, -0.11034330786996116, -0.08409114853248387, 0.26319230679499606, 1.1102230246251565e-16, -0.26319230679499617, 0.08409114853248377, 0.1103433078699613, 0.37216441042985476, 0.16853396924509537, -0.47367106692156813, 0.5414656132868801],
    ];
    private static readonly double[] PcaVariances = [1.2988779195427274, 1.1374669988182757, 1.0701995583333521, 1.0655382096164274, 1.0212188509943447];
    private static readonly double[] PcaRatios = [0.0585753364273136, 0.051296208156501405, 0.048262656736676006, 0.04805244447177353, 0.04605377985328099];
    private const double PcaTotalVariance = 22.17448500965096;
    private static readonly double[][] PcaComponents =
    [
        [0.00022037415929238515, -0.0034112210925687234, -0.0035150972282540502, 0.004454431276376292, 0.045037876599997737, -0.01704491501205487, -0.006446547747889712, -0.038980198838231395, 0.018967305950328486, -0.0350089395555507, 0.01812664644926154, 0.03413798159749394, 0.021646840266531724, 0.01777397802980555, -0.054743615816409186, 0.05087857817387459, -0.03219118257601909, -0.05369343653631062, -0.03168938711261516, 0.0391272000397237, -0.007201687571561047, 0.05735167990063637, 0.048431260730084566, 0.004756125297937137, 0.05003376963511084, -0.07423969908074576, 0.02497532833638924, -0.1118961900729157, -0.07353249983917075, -0.037449409855401024, -0.12033175229253582, 0.1044183059633441, 0.17834581719358938, 0.11833788612103545, -0.22761338646816415, 0.019835891171951933, 0.018590021324920526, -0.15810692701122614, -0.05900616232376848, 0.24218332345217544, 0.1198748030964108, -0.3575181816428027, 0.05929646150512279, -0.01691757318414137, -0.41053172070832983, 0.08918093327125051, -0.10358634257655244, 0.11677557088821001, -0.23559973319726285, 0.5772920134252946],
        [0.00978101115871588, 0.002529377365316249, -0.0439227400398068, -0.02203582075924953, -0.012721832088236075, 0.013919263967082733, -0.014375896987028368, -0.030995385338735502, -0.06367658913169978, 0.009962218801648215, 0.0022235020874655084, -0.004154774906778525, 0.07259258175918652, 0.0340191205159344, -0.05528690229688581, 0.0217557281254616, 0.0697132988766418, 0.04139936800563783, -0.056272949679693526, 0.025969350365024037, 0.011801957852256902, 0.09633663356705544, 0.02585596736358802, 0.10434154397356692, 0.013201922251731975, -0.09189017544505407, -0.04987864260565049, 0.037813327142752116, -0.04082010684879909, 0.05403148200456618, -0.18110655590921101, -0.06921919302749793, -0.019915346784278153, -0.0651856086851571, -0.10521528654929742, -0.32889577006093895, -0.10312540407848204, 0.2129428267579024, -0.250018299380155, 0.12951727632401694, -0.35758213325925686, -0.26839636892752555, -0.24338830282651538, 0.41021722919668224, 0.3656894307364914, -0.0903007819708516, -0.062056703358542895, 0.030085637282338606, 0.16229464829939405, 0.19019956050233977],
        [0.00022318434561407165, 0.007598891140833865, -0.011680408721036444, -0.00017903541888753034, -0.013767479995323208, -0.022554683127940192, -0.029207498232738976, -0.04525804984116935, -0.037972054651768505, 0.00033783631923567045, -0.01219508791160298, 0.06807143086783528, -0.07078694231677095, 0.13538497809764324, -0.057442803869878066, -0.024217882240360717, 0.0349016777551822, 0.018816700319621182, 0.014613510731741042, 0.05648446604544406, 0.08456892821596686, -0.04612593134073463, 0.018690521301015988, -0.002319708619949381, 0.05948780355985317, 0.1633163829537643, -0.06663918753826854, 0.01724995457127252, 0.048393030784241876, -0.011798731000198738, 0.06125269334985827, 0.010684888136514484, 0.21196039173666661, -0.15010325324750962, 0.0791811812449708, -0.12326947638624627, -0.056224077656194534, 0.10212849904838049, 0.021451660354877947, -0.15416809767908532, 0.12319299806229143, -0.21732543487799166, -0.09811669858327084, 0.38572113450010764, -0.10833957904513315, 0.5200518802722334, 0.1690465729140213, -0.07331595660870585, -0.402411079628943, -0.2849797081517334],
    ];
    private static readonly double[] CodesRow0 = [0.9647916694034221, 1.113413821269893, -0.5926474207341403, -0.8783523776724601, -0.21623679140028326];
    private static readonly double[] CodesRow199 = [-1.3832400905104922, 0.6082684019635384, 1.9256935310302878, -1.259787469855571, -1.3286007365248593];
    private static readonly double[] Errors0To4 = [20.898200341450824, 19.575045138754408, 15.168339307620634, 14.69602168196772, 16.768964412737663];

    /// <summary>The integer hash both sides use for reproducible "random" numbers in [0, 1).</summary>
    internal static double Uniform(long i)
    {
        uint x = unchecked((uint)i * 2654435761u);
        x ^= x >> 16;
        x = unchecked(x * 0x45d9f3bu);
        x ^= x >> 16;
        return x / 4294967296.0;
    }

    /// <summary>The 200×50 case: x[i, j] = (u(50i + j) − 0.5)(1 + 0.05j) in float.</summary>
    private static float[] Data200x50()
    {
        var x = new float[200 * 50];
        for (int i = 0; i < 200; i++)
            for (int j = 0; j < 50; j++) x[i * 50 + j] = (float)((Uniform(50 * i + j) - 0.5) * (1 + 0.05 * j));
        return x;
    }

    private static double[] FormulaMatrix(int n)
    {
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) a[i * n + j] = ((7 * i + 7 * j + 3 * i * j) % 19 - 9) / 9.0;
        return a;
    }

    /// <summary>Max over rows of ‖A·z − λz‖∞ and the largest |zᵢ·zⱼ − δᵢⱼ|.</summary>
    private static (double Residual, double Orthogonality) Check(double[] a, int n, double[] values, double[] vectors)
    {
        int k = values.Length;
        double residual = 0, orthogonality = 0;
        for (int r = 0; r < k; r++)
        {
            for (int i = 0; i < n; i++)
            {
                double s = 0;
                for (int j = 0; j < n; j++) s += a[i * n + j] * vectors[r * n + j];
                residual = Math.Max(residual, Math.Abs(s - values[r] * vectors[r * n + i]));
            }
            for (int q = 0; q <= r; q++)
            {
                double dot = 0;
                for (int j = 0; j < n; j++) dot += vectors[r * n + j] * vectors[q * n + j];
                orthogonality = Math.Max(orthogonality, Math.Abs(dot - (q == r ? 1 : 0)));
            }
        }
        return (residual, orthogonality);
    }

    private static void Close(double[] expected, ReadOnlySpan<double> actual, double tolerance, string what)
    {
        Assert.True(actual.Length >= expected.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{what}[{i}]: got {actual[i]:R}, expected {expected[i]:R}");
    }

    [Fact]
    public void EigensolverMatchesNumpyEigh()
    {
        const int n = 12;
        var a = FormulaMatrix(n);
        var (values, vectors) = SymmetricEigen.Largest((double[])a.Clone(), n, n);
        Close(EighValues, values, 1e-14, "eigenvalue");
        for (int c = 0; c < 3; c++) Close(EighVectors[c], vectors.AsSpan(c * n, n), 1e-13, $"vector {c}");
        // The five eigenvalues within 1e-15 of zero form a cluster whose vectors are not unique:
        // ask only that every vector be an eigenvector and all be orthonormal.
        var (residual, orthogonality) = Check(a, n, values, vectors);
        Assert.True(residual < 1e-13, $"residual {residual:E2}");
        Assert.True(orthogonality < 1e-13, $"orthogonality {orthogonality:E2}");
    }

    [Fact]
    public void EigensolverHandlesRepeatedAndZeroEigenvalues()
    {
        // 2I + vvᵀ: one eigenvalue 2 + ‖v‖², the others all exactly 2.
        const int n = 40;
        var a = new double[n * n];
        var v = Enumerable.Range(0, n).Select(i => (i % 5 - 2) / 3.0).ToArray();
        double vv = v.Sum(x => x * x);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) a[i * n + j] = v[i] * v[j] + (i == j ? 2 : 0);
        var (values, vectors) = SymmetricEigen.Largest((double[])a.Clone(), n, n);
        Assert.Equal(2 + vv, values[0], 12);
        for (int i = 1; i < n; i++) Assert.Equal(2, values[i], 12);
        var (residual, orthogonality) = Check(a, n, values, vectors);
        Assert.True(residual < 1e-12 && orthogonality < 1e-12, $"residual {residual:E2}, orthogonality {orthogonality:E2}");

        // Zero rows and columns (constant features, as MNIST's border pixels) split the problem.
        var b = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                if (i % 3 == 0 || j % 3 == 0) continue;
                b[i * n + j] = (Uniform(i * n + j) + Uniform(j * n + i)) * (i == j ? 5 : 1);
            }
        }
        (values, vectors) = SymmetricEigen.Largest((double[])b.Clone(), n, n);
        (residual, orthogonality) = Check(b, n, values, vectors);
        Assert.True(residual < 1e-12 && orthogonality < 1e-12, $"residual {residual:E2}, orthogonality {orthogonality:E2}");
        Assert.Equal(14, values.Count(x => Math.Abs(x) < 1e-12)); // one per zero row: i = 0, 3, …, 39
        double trace = Enumerable.Range(0, n).Sum(i => b[i * n + i]);
        Assert.Equal(trace, values.Sum(), 10);

        // The zero matrix: every vector is an eigenvector; they must still be orthonormal.
        (values, vectors) = SymmetricEigen.Largest(new double[25], 5, 5);
        Assert.All(values, x => Assert.Equal(0, x));
        (_, orthogonality) = Check(new double[25], 5, values, vectors);
        Assert.True(orthogonality < 1e-15);
    }

    [Fact]
    public void EigensolverOnALargerMatrixUsesTheParallelReduction()
    {
        // n = 300 takes the split-row path of the Householder reduction; check it by residuals and
        // by the invariants trace = Σλ and ‖A‖²_F = Σλ².
        const int n = 300;
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = Uniform(7 * (i * n + j)) - 0.5;
        var (values, vectors) = SymmetricEigen.Largest((double[])a.Clone(), n, n);
        var (residual, orthogonality) = Check(a, n, values, vectors);
        Assert.True(residual < 1e-11 && orthogonality < 1e-11, $"residual {residual:E2}, orthogonality {orthogonality:E2}");
        Assert.Equal(Enumerable.Range(0, n).Sum(i => a[i * n + i]), values.Sum(), 9);
        Assert.Equal(a.Sum(x => x * x), values.Sum(x => x * x), 8);
        for (int i = 1; i < n; i++) Assert.True(values[i] <= values[i - 1]);
        // Asking for fewer gives the same leading pairs.
        var (top, topVectors) = SymmetricEigen.Largest((double[])a.Clone(), n, 7);
        Assert.Equal(values.AsSpan(0, 7).ToArray(), top);
        Assert.Equal(vectors.AsSpan(0, 7 * n).ToArray(), topVectors);
    }

    [Fact]
    public void PcaOf200x50MatchesNumpy()
    {
        var x = Data200x50();
        var pca = Pca.Fit(x, 50, 5);
        Assert.Equal((50, 5, 200), (pca.Dimensions, pca.ComponentCount, pca.TrainingRows));
        // The covariance is formed from float products (GEMM), so agreement is to float accuracy,
        // divided by the eigenvalue gaps for the vectors (the gap after component 2 is only 0.0047).
        // Measured: variances within 1.4e-7 relative, components 0-1 within 5e-7, component 2 within 8.1e-6.
        for (int i = 0; i < 5; i++)
            Assert.True(Math.Abs(pca.ExplainedVariance[i] / PcaVariances[i] - 1) < 1e-6, $"variance {i}: {pca.ExplainedVariance[i]:R}, numpy {PcaVariances[i]:R}");
        Close(PcaRatios, pca.ExplainedVarianceRatio, 2e-7, "variance ratio");
        Assert.True(Math.Abs(pca.TotalVariance / PcaTotalVariance - 1) < 1e-6, $"total variance {pca.TotalVariance:R}");
        var components = pca.Components.ToArray().Select(v => (double)v).ToArray();
        for (int c = 0; c < 3; c++) Close(PcaComponents[c], components.AsSpan(c * 50, 50), c < 2 ? 2e-6 : 5e-5, $"component {c}");
        var codes = pca.Transform(x).Select(v => (double)v).ToArray();
        Close(CodesRow0, codes.AsSpan(0, 5), 2e-4, "codes row 0");
        Close(CodesRow199, codes.AsSpan(199 * 5, 5), 2e-4, "codes row 199");
        var errors = pca.ReconstructionErrors(x).Select(v => (double)v).ToArray();
        Close(Errors0To4, errors, 2e-4, "reconstruction error");
        // The error is the distance to the reconstruction that InverseTransform gives.
        var back = pca.InverseTransform(pca.Transform(x.AsSpan(0, 50)));
        double direct = 0;
        for (int j = 0; j < 50; j++) direct += (x[j] - back[j]) * (double)(x[j] - back[j]);
        Assert.Equal(direct, errors[0], 4);
    }

    [Fact]
    public void ComponentsAreOrthonormalAndSignedByTheirLargestEntry()
    {
        var pca = Pca.Fit(Data200x50(), 50, 10);
        var c = pca.Components;
        for (int p = 0; p < 10; p++)
        {
            var row = c.Slice(p * 50, 50);
            float largest = row[0];
            foreach (float v in row) if (Math.Abs(v) > Math.Abs(largest)) largest = v;
            Assert.True(largest > 0, $"component {p}'s largest entry is {largest}");
            for (int q = 0; q <= p; q++)
            {
                double dot = 0;
                for (int j = 0; j < 50; j++) dot += row[j] * (double)c[q * 50 + j];
                Assert.True(Math.Abs(dot - (p == q ? 1 : 0)) < 1e-6, $"components {p}·{q} = {dot}");
            }
        }
    }

    [Fact]
    public void AllComponentsReconstructExactlyEvenWithConstantColumns()
    {
        // Columns 0 and 7 are constant (like MNIST's border pixels) and column 5 repeats column 1:
        // the covariance is singular, yet k = dims must give orthonormal components and a perfect round trip.
        const int rows = 60, d = 12;
        var x = new float[rows * d];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < d; j++) x[i * d + j] = (float)Uniform(i * d + j);
            x[i * d] = 0;
            x[i * d + 7] = 0.25f;
            x[i * d + 5] = x[i * d + 1];
        }
        var pca = Pca.Fit(x, d, d);
        Assert.Equal(0, pca.ExplainedVariance[d - 1], 6);
        Assert.Equal(0, pca.ExplainedVariance[d - 3], 6);
        Assert.Equal(pca.TotalVariance, pca.ExplainedVariance.ToArray().Sum(), 5);
        Assert.Equal(1.0, pca.ExplainedVarianceRatio.Sum(), 5);
        var back = pca.InverseTransform(pca.Transform(x));
        TensorAssert.Close(x, back, 1e-5, "round trip");
        Assert.All(pca.ReconstructionErrors(x), e => Assert.True(e < 1e-9, $"error {e}"));
    }

    [Fact]
    public void ReconstructionErrorSeparatesRowsOffTheTrainingSubspace()
    {
        // Training rows lie near a 3-D subspace of R^20; test rows 0..9 lie on it, rows 10..14 not.
        const int d = 20;
        float[] Rows(int count, int seed, bool onSubspace)
        {
            var x = new float[count * d];
            for (int i = 0; i < count; i++)
            {
                double a = Uniform(seed + 3 * i) - 0.5, b = Uniform(seed + 3 * i + 1) - 0.5, c = Uniform(seed + 3 * i + 2) - 0.5;
                for (int j = 0; j < d; j++)
                {
                    double v = a * Math.Cos(j) + b * Math.Sin(0.5 * j) + c * (j % 4 - 1.5) + 0.01 * (Uniform(seed * 7 + i * d + j) - 0.5);
                    if (!onSubspace) v += 0.3 * (Uniform(seed * 11 + i * d + j) - 0.5);
                    x[i * d + j] = (float)v;
                }
            }
            return x;
        }
        var pca = Pca.Fit(Rows(500, 1, true), d, 3);
        Assert.True(pca.ExplainedVarianceRatio.Sum() > 0.99);
        var scores = pca.ReconstructionErrors([.. Rows(10, 100_000, true), .. Rows(5, 200_000, false)]);
        int[] labels = [.. Enumerable.Repeat(0, 10), .. Enumerable.Repeat(1, 5)];
        Assert.Equal(1.0, Classification.RocAuc(scores, labels));
    }

    [Fact]
    public void TensorOverloadAndPreallocatedOutputsAgree()
    {
        var x = Data200x50();
        var pca = Pca.Fit(Tensor.Wrap(x, 200, 50), 4);
        var codes = new float[200 * 4];
        pca.Transform(x, codes);
        Assert.Equal(Pca.Fit(x, 50, 4).Transform(x), codes);
        var back = new float[200 * 50];
        pca.InverseTransform(codes, back);
        Assert.Equal(pca.InverseTransform(codes), back);
    }

    [Fact]
    public void BadInputIsRefusedWithOneLine()
    {
        var x = Data200x50();
        Refused(() => Pca.Fit(x, 50, 0), "between 1 and min(rows, dims) = 50");
        Refused(() => Pca.Fit(x, 50, 51), "51 components");
        Refused(() => Pca.Fit(x.AsSpan(0, 150), 50, 4), "between 1 and min(rows, dims) = 3");
        Refused(() => Pca.Fit(x.AsSpan(0, 50), 50, 1), "at least 2 rows");
        Refused(() => Pca.Fit(x.AsSpan(0, 99), 50, 1), "not a whole number of rows of 50");
        Refused(() => Pca.Fit([], 50, 1), "no data");
        Refused(() => Pca.Fit(new Tensor(4, 5, 6), 1), "[rows, dims]");
        var bad = (float[])x.Clone();
        bad[123] = float.NaN;
        Refused(() => Pca.Fit(bad, 50, 2), "row 2, column 23 is NaN");
        var pca = Pca.Fit(x, 50, 2);
        Refused(() => pca.Transform(x.AsSpan(0, 49)), "not a whole number of rows of 50");
        Refused(() => pca.Transform(x, new float[3]), "need a 200x2 output");
        Refused(() => pca.InverseTransform(new float[3]), "not a whole number of rows of 2");
        Refused(() => pca.ReconstructionErrors(bad), "is NaN");
    }
}

/// <summary>Fitting gives the same bits whatever the thread count.</summary>
public class PcaThreadTests
{
    [Fact]
    public void ResultsDoNotDependOnThreadCount()
    {
        // 2000×256: several covariance blocks, and the eigensolver's parallel reduction.
        var x = new float[2000 * 256];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(PcaTests.Uniform(i) * (1 + i % 256 / 64.0));
        var one = Pca.Fit(x, 256, 8, new EngineOptions { Threads = 1 });
        var many = Pca.Fit(x, 256, 8, new EngineOptions { Threads = Math.Max(2, Environment.ProcessorCount) });
        Assert.Equal(one.Components.ToArray(), many.Components.ToArray());
        Assert.Equal(one.ExplainedVariance.ToArray(), many.ExplainedVariance.ToArray());
        Assert.Equal(one.ReconstructionErrors(x), many.ReconstructionErrors(x));
    }
}
