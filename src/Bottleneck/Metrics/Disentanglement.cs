using Bottleneck.Data;
using Bottleneck.Tensors;

namespace Bottleneck.Metrics;

/// <summary>
/// What <see cref="Disentanglement.Mig"/> measured: the overall score, each factor's normalised
/// gap, each factor's entropy and the mutual information of every code dimension with every
/// factor, [latent, factors] row-major, all in nats.
/// </summary>
/// <param name="Score">The mean of <paramref name="Gaps"/> over the factors that vary (entropy above 0).</param>
/// <param name="Gaps">Per factor, (largest − second largest MI over the dimensions) / H(factor); NaN for a factor that does not vary among the items, which the score leaves out.</param>
/// <param name="MutualInformation">I(c_j; v_k) at [j · factors + k].</param>
/// <param name="Entropies">H(v_k) of each factor's empirical distribution.</param>
public sealed record MigResult(double Score, double[] Gaps, double[] MutualInformation, double[] Entropies, int Latent)
{
    public int Factors => Gaps.Length;

    /// <summary>I(c_<paramref name="dimension"/>; v_<paramref name="factor"/>) in nats.</summary>
    public double Information(int dimension, int factor) => MutualInformation[dimension * Factors + factor];
}

/// <summary>
/// What <see cref="Disentanglement.FactorVae"/> measured: the majority-vote classifier's accuracy
/// on the evaluation votes (the score) and on the training votes it was built from, and both
/// vote matrices, [latent, factors] row-major: how often dimension j had the least variance when
/// factor k was held fixed.
/// </summary>
/// <param name="Assignment">The factor each dimension is classified as (its most frequent training vote, the lowest factor on a tie); −1 for a dimension that got no training vote, whose evaluation votes all count as wrong.</param>
/// <param name="Active">Whether each dimension's standard deviation over the items was above the collapse threshold; the others take no part.</param>
public sealed record FactorVaeResult(double Score, double TrainingAccuracy, int[] TrainingVotes, int[] EvaluationVotes, int[] Assignment, bool[] Active, int Latent)
{
    public int Factors => TrainingVotes.Length / Latent;
}

/// <summary>
/// Scores of how well each dimension of a code captures one ground-truth factor of variation
/// (<see cref="FactorTable"/>) and only that one. Codes are laid out item after item, <c>latent</c>
/// values each; for a VAE they are the means μ, since sampling noise would only blur the scores.
/// </summary>
public static class Disentanglement
{
    /// <summary>
    /// The mutual information gap (Chen et al. 2018) with the histogram estimator of
    /// disentanglement_lib: each code dimension is cut into <paramref name="bins"/> equal-width bins
    /// between its minimum and maximum over the items (a constant dimension falls in one bin and so
    /// carries no information), I(c_j; v_k) comes from the joint counts, and each factor's gap
    /// between its two most informative dimensions is divided by its entropy. With one dimension the
    /// second largest MI is 0. The histogram estimate is biased upwards by about
    /// (bins − 1)(levels − 1) / (2 · items) nats, so use many more items than bins × levels.
    /// </summary>
    public static MigResult Mig(ReadOnlySpan<float> codes, int latent, FactorTable factors, int bins = 20)
    {
        ArgumentNullException.ThrowIfNull(factors);
        int items = CheckCodes("MIG", codes, latent, factors);
        if (bins < 2) throw new BottleneckException($"MIG: bins must be at least 2, got {bins}");
        int factorCount = factors.FactorCount;
        var levelCounts = LevelCounts(factors);
        var entropies = new double[factorCount];
        for (int k = 0; k < factorCount; k++) entropies[k] = Entropy(levelCounts[k], items);
        if (entropies.All(h => h == 0)) throw new BottleneckException("MIG: no factor varies among the items, so there is nothing to capture");

        var information = new double[latent * factorCount];
        var bin = new int[items];
        var binCounts = new int[bins];
        var joint = new int[bins * factors.Levels.Max()];
        for (int j = 0; j < latent; j++)
        {
            Discretise(codes, latent, j, bin, binCounts);
            for (int k = 0; k < factorCount; k++)
            {
                int levels = factors.Levels[k];
                var counts = joint.AsSpan(0, bins * levels);
                counts.Clear();
                for (int i = 0; i < items; i++) counts[bin[i] * levels + factors[i, k]]++;
                information[j * factorCount + k] = MutualInformation(counts, binCounts, levelCounts[k], items);
            }
        }

        var gaps = new double[factorCount];
        double sum = 0;
        int varying = 0;
        for (int k = 0; k < factorCount; k++)
        {
            if (entropies[k] == 0)
            {
                gaps[k] = double.NaN;
                continue;
            }
            double first = 0, second = 0;
            for (int j = 0; j < latent; j++)
            {
                double mi = information[j * factorCount + k];
                if (mi > first) (first, second) = (mi, first);
                else if (mi > second) second = mi;
            }
            gaps[k] = (first - second) / entropies[k];
            sum += gaps[k];
            varying++;
        }
        return new MigResult(sum / varying, gaps, information, entropies, latent);
    }

    /// <summary>
    /// The FactorVAE score (Kim and Mnih 2018). Each dimension is divided by its standard deviation
    /// over all the items, so that a dimension's scale does not decide the votes; a dimension whose
    /// standard deviation is at most <paramref name="collapseThreshold"/> (in the code's own units)
    /// has collapsed to the prior or a constant and is left out. A vote picks a factor uniformly among
    /// those that vary among the items, then uniformly one of its levels that occur among them, then
    /// <paramref name="groupSize"/> items with that level (without replacement, or with it where the
    /// level has fewer items); the active dimension with the least variance over the group votes
    /// for the factor. The majority-vote classifier built from <paramref name="trainingVotes"/> votes
    /// is scored on <paramref name="evaluationVotes"/> fresh ones. If every dimension collapsed there
    /// is no vote and both accuracies are defined as 0: such a code captures no factor.
    /// </summary>
    public static FactorVaeResult FactorVae(ReadOnlySpan<float> codes, int latent, FactorTable factors, Rng rng,
        int groupSize = 64, int trainingVotes = 800, int evaluationVotes = 800, double collapseThreshold = 0.05)
    {
        ArgumentNullException.ThrowIfNull(factors);
        ArgumentNullException.ThrowIfNull(rng);
        int items = CheckCodes("FactorVAE score", codes, latent, factors);
        if (groupSize < 2) throw new BottleneckException($"FactorVAE score: the group size must be at least 2 (a variance needs two items), got {groupSize}");
        if (trainingVotes < 1 || evaluationVotes < 1)
            throw new BottleneckException($"FactorVAE score: needs at least one training and one evaluation vote, got {trainingVotes} and {evaluationVotes}");
        if (!double.IsFinite(collapseThreshold) || collapseThreshold < 0)
            throw new BottleneckException($"FactorVAE score: the collapse threshold must be a finite standard deviation ≥ 0, got {collapseThreshold}");
        var groups = LevelGroups(factors);
        if (groups.Length == 0) throw new BottleneckException("FactorVAE score: no factor varies among the items, so there is nothing to hold fixed");

        int factorCount = factors.FactorCount;
        var variance = new double[latent];
        var active = new bool[latent];
        for (int j = 0; j < latent; j++)
        {
            variance[j] = Variance(codes, latent, j, null);
            // Strictly above, so that a threshold of 0 still leaves out constant dimensions, which cannot be scaled.
            active[j] = Math.Sqrt(variance[j]) > collapseThreshold;
        }
        var training = new int[latent * factorCount];
        var evaluation = new int[latent * factorCount];
        var assignment = new int[latent];
        Array.Fill(assignment, -1);
        if (!active.Contains(true)) return new FactorVaeResult(0, 0, training, evaluation, assignment, active, latent);

        var group = new int[groupSize];
        Vote(codes, latent, groups, variance, active, rng, group, trainingVotes, training, factorCount);
        Vote(codes, latent, groups, variance, active, rng, group, evaluationVotes, evaluation, factorCount);
        int trainingRight = 0, evaluationRight = 0;
        for (int j = 0; j < latent; j++)
        {
            int best = 0;
            for (int k = 1; k < factorCount; k++)
            {
                if (training[j * factorCount + k] > training[j * factorCount + best]) best = k;
            }
            if (training[j * factorCount + best] == 0) continue;
            assignment[j] = best;
            trainingRight += training[j * factorCount + best];
            evaluationRight += evaluation[j * factorCount + best];
        }
        return new FactorVaeResult((double)evaluationRight / evaluationVotes, (double)trainingRight / trainingVotes,
            training, evaluation, assignment, active, latent);
    }

    /// <summary>The items of each level of one factor, contiguous: level l's are Items[Start[l] .. Start[l + 1]).</summary>
    private sealed record LevelGroup(int Factor, int[] Items, int[] Start, int[] Present);

    /// <summary>The factors with at least two levels present among the items, their items grouped by level.</summary>
    private static LevelGroup[] LevelGroups(FactorTable factors)
    {
        var result = new List<LevelGroup>();
        var counts = LevelCounts(factors);
        for (int k = 0; k < factors.FactorCount; k++)
        {
            int levels = factors.Levels[k];
            var present = Enumerable.Range(0, levels).Where(l => counts[k][l] > 0).ToArray();
            if (present.Length < 2) continue;
            var start = new int[levels + 1];
            for (int l = 0; l < levels; l++) start[l + 1] = start[l] + counts[k][l];
            var next = start[..levels];
            var members = new int[factors.Count];
            for (int i = 0; i < factors.Count; i++) members[next[factors[i, k]]++] = i;
            result.Add(new LevelGroup(k, members, start, present));
        }
        return [.. result];
    }

    /// <summary>Casts <paramref name="votes"/> votes into <paramref name="matrix"/> ([latent, factors]).</summary>
    private static void Vote(ReadOnlySpan<float> codes, int latent, LevelGroup[] groups, double[] variance, bool[] active,
        Rng rng, int[] group, int votes, int[] matrix, int factorCount)
    {
        for (int v = 0; v < votes; v++)
        {
            var fixedFactor = groups[rng.NextInt(groups.Length)];
            int level = fixedFactor.Present[rng.NextInt(fixedFactor.Present.Length)];
            var pool = fixedFactor.Items.AsSpan(fixedFactor.Start[level], fixedFactor.Start[level + 1] - fixedFactor.Start[level]);
            if (pool.Length >= group.Length)
            {
                // A partial Fisher–Yates shuffle of the level's items: the first group.Length are a
                // uniform draw without replacement, and the pool stays a permutation of the same items.
                for (int i = 0; i < group.Length; i++)
                {
                    int pick = i + rng.NextInt(pool.Length - i);
                    (pool[i], pool[pick]) = (pool[pick], pool[i]);
                    group[i] = pool[i];
                }
            }
            else
            {
                for (int i = 0; i < group.Length; i++) group[i] = pool[rng.NextInt(pool.Length)];
            }

            // Var(c / s) = Var(c) / s², so the codes need not be scaled up front.
            int argmin = -1;
            double least = double.PositiveInfinity;
            for (int j = 0; j < latent; j++)
            {
                if (!active[j]) continue;
                double scaled = Variance(codes, latent, j, group) / variance[j];
                if (scaled < least)
                {
                    least = scaled;
                    argmin = j;
                }
            }
            matrix[argmin * factorCount + fixedFactor.Factor]++;
        }
    }

    /// <summary>The population variance of dimension <paramref name="j"/> over <paramref name="subset"/>, or over every item when it is null.</summary>
    private static double Variance(ReadOnlySpan<float> codes, int latent, int j, int[]? subset)
    {
        int n = subset?.Length ?? codes.Length / latent;
        double mean = 0;
        for (int i = 0; i < n; i++) mean += codes[(subset?[i] ?? i) * latent + j];
        mean /= n;
        // Two passes rather than Σx² − n·mean²: the codes of a fixed factor can sit far from 0 with a tiny spread.
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            double d = codes[(subset?[i] ?? i) * latent + j] - mean;
            sum += d * d;
        }
        return sum / n;
    }

    /// <summary>Writes each item's bin of dimension <paramref name="j"/> into <paramref name="bin"/> and the bin sizes into <paramref name="binCounts"/>.</summary>
    private static void Discretise(ReadOnlySpan<float> codes, int latent, int j, int[] bin, int[] binCounts)
    {
        int items = bin.Length, bins = binCounts.Length;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int i = 0; i < items; i++)
        {
            double x = codes[i * latent + j];
            min = Math.Min(min, x);
            max = Math.Max(max, x);
        }
        Array.Clear(binCounts);
        double scale = max > min ? bins / (max - min) : 0;
        for (int i = 0; i < items; i++)
        {
            // The maximum lands on the upper edge; like numpy's histogram, the last bin is closed.
            int b = Math.Min(bins - 1, (int)((codes[i * latent + j] - min) * scale));
            bin[i] = b;
            binCounts[b]++;
        }
    }

    /// <summary>Σ p(c, v) ln(p(c, v) / (p(c) p(v))) from the joint counts ([bins, levels] row-major) and their margins.</summary>
    private static double MutualInformation(ReadOnlySpan<int> joint, int[] binCounts, int[] levelCounts, int items)
    {
        int levels = levelCounts.Length;
        double sum = 0;
        for (int b = 0; b < binCounts.Length; b++)
        {
            if (binCounts[b] == 0) continue;
            for (int l = 0; l < levels; l++)
            {
                int n = joint[b * levels + l];
                // Counts in double: items² overflows an int for the larger data sets.
                if (n > 0) sum += n * Math.Log((double)n * items / ((double)binCounts[b] * levelCounts[l]));
            }
        }
        // Rounding can leave an independent pair a hair below 0.
        return Math.Max(0, sum / items);
    }

    private static double Entropy(int[] counts, int items)
    {
        double h = 0;
        foreach (int n in counts)
        {
            if (n > 0) h -= (double)n / items * Math.Log((double)n / items);
        }
        return h;
    }

    /// <summary>How many items have each level, per factor.</summary>
    private static int[][] LevelCounts(FactorTable factors)
    {
        var counts = new int[factors.FactorCount][];
        for (int k = 0; k < counts.Length; k++) counts[k] = new int[factors.Levels[k]];
        for (int i = 0; i < factors.Count; i++)
        {
            for (int k = 0; k < counts.Length; k++) counts[k][factors[i, k]]++;
        }
        return counts;
    }

    /// <summary>The number of items; refuses ragged, non-finite or too few codes and a factor table of another length.</summary>
    private static int CheckCodes(string what, ReadOnlySpan<float> codes, int latent, FactorTable factors)
    {
        int items = RowMatrix.Rows(what, codes, latent);
        if (items != factors.Count)
            throw new BottleneckException($"{what}: {items} codes but {factors.Count} rows of factors; give the factors of every coded item, in the same order");
        if (items < 2) throw new BottleneckException($"{what}: needs at least 2 items, got {items}");
        RowMatrix.CheckFinite(what, codes, latent);
        return items;
    }
}
