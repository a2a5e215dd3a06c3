using Bottleneck.Data;
using Bottleneck.Metrics;
using Bottleneck.Tensors;
using static Bottleneck.Tests.RefusalAssert;

namespace Bottleneck.Tests.Metrics;

/// <summary>
/// MIG and the FactorVAE score on codes built from the factors themselves, where the right answer
/// is known: the factors as they are, mixed, duplicated, unrelated, and a hand-computed tiny case.
/// </summary>
public class DisentanglementTests
{
    private static readonly int[] GridLevels = [4, 5, 6];

    /// <summary>Every combination of the levels, <paramref name="repeats"/> times over (a full grid, like dSprites').</summary>
    private static FactorTable Grid(int[] levels, int repeats)
    {
        int combinations = levels.Aggregate(1, (a, b) => a * b);
        var values = new int[combinations * repeats * levels.Length];
        for (int item = 0; item < combinations * repeats; item++)
        {
            int rest = item % combinations;
            for (int k = levels.Length - 1; k >= 0; k--)
            {
                values[item * levels.Length + k] = rest % levels[k];
                rest /= levels[k];
            }
        }
        return new FactorTable(levels.Select((_, k) => $"f{k}").ToArray(), levels, values);
    }

    /// <summary>
    /// One code row per item: <paramref name="dimension"/>(item's factor indices) plus uniform noise
    /// in ±<paramref name="noise"/> in every dimension.
    /// </summary>
    private static float[] Codes(FactorTable factors, int latent, Func<int[], int, double> dimension, double noise, ulong seed)
    {
        var rng = new Rng(seed);
        var codes = new float[factors.Count * latent];
        var row = new int[factors.FactorCount];
        for (int i = 0; i < factors.Count; i++)
        {
            for (int k = 0; k < row.Length; k++) row[k] = factors[i, k];
            for (int j = 0; j < latent; j++) codes[i * latent + j] = (float)(dimension(row, j) + noise * (2 * rng.NextDouble() - 1));
        }
        return codes;
    }

    [Fact]
    public void A_code_that_is_the_factors_scores_one_on_both()
    {
        var factors = Grid(GridLevels, 50);
        var codes = Codes(factors, 3, (v, j) => v[j], 0.05, 1);
        foreach (int bins in new[] { 20, 6 })
        {
            var mig = Disentanglement.Mig(codes, 3, factors, bins);
            Assert.True(mig.Score > 0.95, $"MIG with {bins} bins: {mig.Score}");
            for (int k = 0; k < 3; k++)
            {
                // The own dimension separates every level, so it holds all of the factor's entropy.
                Assert.Equal(Math.Log(GridLevels[k]), mig.Entropies[k], 12);
                Assert.Equal(mig.Entropies[k], mig.Information(k, k), 12);
            }
        }

        var score = Disentanglement.FactorVae(codes, 3, factors, new Rng(7));
        Assert.Equal(1.0, score.Score);
        Assert.Equal(1.0, score.TrainingAccuracy);
        Assert.Equal([0, 1, 2], score.Assignment);
        Assert.Equal(800, score.TrainingVotes.Sum());
        Assert.Equal(800, score.EvaluationVotes.Sum());
    }

    [Fact]
    public void Levels_with_fewer_items_than_a_group_are_drawn_with_replacement()
    {
        // One copy of the grid: each level has 20 to 30 items, fewer than the 64 of a group.
        var factors = Grid(GridLevels, 1);
        var codes = Codes(factors, 3, (v, j) => v[j], 0.05, 2);
        Assert.Equal(1.0, Disentanglement.FactorVae(codes, 3, factors, new Rng(3)).Score);
        Assert.Equal(1.0, Disentanglement.FactorVae(codes, 3, factors, new Rng(3), groupSize: 20).Score);
    }

    [Fact]
    public void Dimensions_that_each_mix_two_factors_equally_score_low()
    {
        // Equal level counts make (a, a + b) and (a, c + a) the same joint distribution, so each
        // factor is told apart equally well by two dimensions and its gap is about 0.
        var factors = Grid([5, 5, 5], 40);
        var codes = Codes(factors, 3, (v, j) => v[j] + v[(j + 1) % 3], 0.05, 4);
        var mig = Disentanglement.Mig(codes, 3, factors);
        Assert.True(mig.Score < 0.1, $"MIG {mig.Score}");
        Assert.True(mig.Information(0, 0) > 0.2, $"each dimension still carries information: {mig.Information(0, 0)}");
        var score = Disentanglement.FactorVae(codes, 3, factors, new Rng(5));
        Assert.True(score.Score < 0.75, $"FactorVAE score {score.Score}");
    }

    [Fact]
    public void A_code_independent_of_the_factors_scores_low()
    {
        var factors = Grid(GridLevels, 50);
        var codes = Codes(factors, 4, (_, _) => 0, 1, 6);
        var mig = Disentanglement.Mig(codes, 4, factors);
        Assert.True(mig.Score < 0.1, $"MIG {mig.Score}");
        Assert.True(mig.MutualInformation.Max() < 0.05, $"largest MI {mig.MutualInformation.Max()}");
        var score = Disentanglement.FactorVae(codes, 4, factors, new Rng(8));
        Assert.True(score.Score < 0.6, $"FactorVAE score {score.Score}");
    }

    [Fact]
    public void A_factor_in_two_dimensions_has_no_gap_while_the_others_keep_theirs()
    {
        var factors = Grid(GridLevels, 50);
        int[] source = [0, 0, 1, 2];
        var codes = Codes(factors, 4, (v, j) => v[source[j]], 0.05, 9);
        var mig = Disentanglement.Mig(codes, 4, factors);
        Assert.True(Math.Abs(mig.Gaps[0]) < 0.02, $"duplicated factor's gap {mig.Gaps[0]}");
        Assert.True(mig.Gaps[1] > 0.95, $"gap {mig.Gaps[1]}");
        Assert.True(mig.Gaps[2] > 0.95, $"gap {mig.Gaps[2]}");
        Assert.Equal(mig.Gaps.Average(), mig.Score, 12);
    }

    [Fact]
    public void Mutual_information_of_a_tiny_case_matches_the_hand_computation()
    {
        // One factor, levels [0, 0, 1, 1], one dimension cut into 2 bins.
        var one = new FactorTable(["v"], [2], [0, 0, 1, 1]);
        // Bins [0, 0, 1, 1] (0.4 and 0.6 either side of the midpoint 0.5): the bin is the factor, I = H = ln 2.
        var same = Disentanglement.Mig([0f, 0.4f, 0.6f, 1f], 1, one, bins: 2);
        Assert.Equal(Math.Log(2), same.Information(0, 0), 14);
        Assert.Equal(Math.Log(2), same.Entropies[0], 14);
        Assert.Equal(1.0, same.Score, 14); // one dimension: the second largest MI is 0
        // Bins [0, 0, 0, 1]: I = H(c) + H(v) − H(c, v) = (¾ ln 4/3 + ¼ ln 4) + ln 2 − (½ ln 2 + ½ ln 4) = ¾ ln 4/3.
        var part = Disentanglement.Mig([0f, 0.1f, 0.2f, 1f], 1, one, bins: 2);
        Assert.Equal(0.75 * Math.Log(4.0 / 3), part.Information(0, 0), 14);
        Assert.Equal(0.75 * Math.Log(4.0 / 3) / Math.Log(2), part.Score, 14);
        // Bins [0, 1, 0, 1]: independent of the factor.
        Assert.Equal(0, Disentanglement.Mig([0f, 1f, 0f, 1f], 1, one, bins: 2).Information(0, 0), 14);

        // Two dimensions (the first is x, the second constant) against x, y and a factor that never varies.
        var three = new FactorTable(["x", "y", "z"], [2, 2, 3], [0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0]);
        var mig = Disentanglement.Mig([0f, 5f, 0f, 5f, 1f, 5f, 1f, 5f], 2, three, bins: 2);
        Assert.Equal([Math.Log(2), 0, 0, 0, 0, 0], mig.MutualInformation);
        Assert.Equal([Math.Log(2), Math.Log(2), 0], mig.Entropies);
        Assert.Equal(1.0, mig.Gaps[0]);
        Assert.Equal(0.0, mig.Gaps[1]);
        Assert.True(double.IsNaN(mig.Gaps[2]), "a constant factor has no gap");
        Assert.Equal(0.5, mig.Score); // the mean over x and y only
    }

    [Fact]
    public void Collapsed_dimensions_take_no_part_in_the_factor_vae_score()
    {
        var factors = Grid(GridLevels, 20);
        // Noise as wide as the factors' own spread, so that some votes go wrong.
        var codes = Codes(factors, 3, (v, j) => v[j], 3, 10);
        var plain = Disentanglement.FactorVae(codes, 3, factors, new Rng(11));
        Assert.True(plain.Score is > 0.3 and < 1, $"score {plain.Score}");

        // The same code with a constant dimension in front and a nearly constant one (std ≈ 0.006) at the end.
        var wider = new float[factors.Count * 5];
        var rng = new Rng(12);
        for (int i = 0; i < factors.Count; i++)
        {
            wider[i * 5] = 2.5f;
            codes.AsSpan(i * 3, 3).CopyTo(wider.AsSpan(i * 5 + 1, 3));
            wider[i * 5 + 4] = (float)(0.01 * rng.NextDouble());
        }
        var padded = Disentanglement.FactorVae(wider, 5, factors, new Rng(11));
        Assert.Equal([false, true, true, true, false], padded.Active);
        Assert.Equal(plain.Score, padded.Score);
        Assert.Equal(plain.TrainingAccuracy, padded.TrainingAccuracy);
        Assert.Equal(plain.TrainingVotes, padded.TrainingVotes.AsSpan(3, 9).ToArray());
        Assert.All(padded.TrainingVotes.AsSpan(0, 3).ToArray().Concat(padded.TrainingVotes.AsSpan(12, 3).ToArray()), n => Assert.Equal(0, n));
        Assert.Equal(-1, padded.Assignment[0]);
        Assert.Equal(-1, padded.Assignment[4]);

        // A threshold of 0 keeps the nearly constant dimension but still drops the constant one.
        Assert.Equal([false, true, true, true, true], Disentanglement.FactorVae(wider, 5, factors, new Rng(11), collapseThreshold: 0).Active);

        // Nothing left: the score is 0 by definition.
        var none = Disentanglement.FactorVae(wider, 5, factors, new Rng(11), collapseThreshold: 100);
        Assert.Equal(0, none.Score);
        Assert.Equal(0, none.TrainingAccuracy);
        Assert.All(none.Assignment, a => Assert.Equal(-1, a));
    }

    [Fact]
    public void The_same_seed_gives_the_same_factor_vae_score()
    {
        var factors = Grid(GridLevels, 20);
        var codes = Codes(factors, 3, (v, j) => v[j], 3, 13);
        var a = Disentanglement.FactorVae(codes, 3, factors, new Rng(14));
        var b = Disentanglement.FactorVae(codes, 3, factors, new Rng(14));
        Assert.Equal(a.Score, b.Score);
        Assert.Equal(a.TrainingVotes, b.TrainingVotes);
        Assert.Equal(a.EvaluationVotes, b.EvaluationVotes);
        var other = Disentanglement.FactorVae(codes, 3, factors, new Rng(15));
        Assert.NotEqual(a.TrainingVotes, other.TrainingVotes);
    }

    [Fact]
    public void Bad_arguments_are_refused_with_one_line()
    {
        var factors = Grid(GridLevels, 1);
        var codes = Codes(factors, 3, (v, j) => v[j], 0.05, 16);
        Refused(() => Disentanglement.Mig(codes.AsSpan(0, 117 * 3), 3, factors), "117 codes but 120 rows of factors");
        Refused(() => Disentanglement.FactorVae(codes.AsSpan(0, 117 * 3), 3, factors, new Rng(1)), "117 codes but 120 rows of factors");
        Refused(() => Disentanglement.Mig(codes.AsSpan(0, 100), 3, factors), "not a whole number of rows of 3");
        Refused(() => Disentanglement.Mig(codes, 0, factors), "dims must be at least 1");
        Refused(() => Disentanglement.Mig([], 3, factors), "no data given");

        var single = new FactorTable(["v"], [2], [1]);
        Refused(() => Disentanglement.Mig([0.5f], 1, single), "at least 2 items, got 1");
        Refused(() => Disentanglement.FactorVae([0.5f], 1, single, new Rng(1)), "at least 2 items, got 1");

        var nan = (float[])codes.Clone();
        nan[7 * 3 + 2] = float.NaN;
        Refused(() => Disentanglement.Mig(nan, 3, factors), "row 7, column 2 is NaN");
        Refused(() => Disentanglement.FactorVae(nan, 3, factors, new Rng(1)), "row 7, column 2 is NaN");

        Refused(() => Disentanglement.Mig(codes, 3, factors, bins: 1), "bins must be at least 2");
        Refused(() => Disentanglement.FactorVae(codes, 3, factors, new Rng(1), groupSize: 1), "group size must be at least 2");
        Refused(() => Disentanglement.FactorVae(codes, 3, factors, new Rng(1), evaluationVotes: 0), "at least one training and one evaluation vote");
        Refused(() => Disentanglement.FactorVae(codes, 3, factors, new Rng(1), collapseThreshold: -1), "collapse threshold");

        var still = new FactorTable(["v", "w"], [3, 2], [2, 0, 2, 0, 2, 0]);
        Refused(() => Disentanglement.Mig([0f, 1f, 2f], 1, still), "no factor varies");
        Refused(() => Disentanglement.FactorVae([0f, 1f, 2f], 1, still, new Rng(1)), "no factor varies");
    }
}
