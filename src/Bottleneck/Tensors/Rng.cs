namespace Bottleneck.Tensors;

/// <summary>
/// Seeded random numbers (xoshiro256**, seeded through SplitMix64). Ours rather than
/// System.Random because a checkpoint must save and restore the exact generator state.
/// </summary>
public sealed class Rng
{
    private ulong s0, s1, s2, s3;
    private double spareNormal;
    private bool hasSpareNormal;

    public Rng(ulong seed)
    {
        ulong x = seed;
        s0 = SplitMix(ref x);
        s1 = SplitMix(ref x);
        s2 = SplitMix(ref x);
        s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, n), without modulo bias.</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n));
        ulong bound = (ulong)n;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong r = NextUInt64();
            ulong high = Math.BigMul(r, bound, out ulong low);
            if (low >= threshold) return (int)high;
        }
    }

    /// <summary>Standard normal (Box–Muller, the second value kept for the next call).</summary>
    public double NextNormal()
    {
        if (hasSpareNormal)
        {
            hasSpareNormal = false;
            return spareNormal;
        }
        double u1 = 1.0 - NextDouble(); // (0, 1]: log is finite
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        spareNormal = r * Math.Sin(2 * Math.PI * u2);
        hasSpareNormal = true;
        return r * Math.Cos(2 * Math.PI * u2);
    }

    public void FillUniform(Span<float> values, float low, float high)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(low + (high - low) * NextDouble());
    }

    /// <summary>Fisher–Yates shuffle.</summary>
    public void Shuffle(Span<int> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>The full generator state, for checkpoints.</summary>
    public ulong[] GetState() => [s0, s1, s2, s3, BitConverter.DoubleToUInt64Bits(spareNormal), hasSpareNormal ? 1UL : 0UL];

    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 6) throw new BottleneckException($"random state must have 6 words, got {state.Length}");
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3]);
        spareNormal = BitConverter.UInt64BitsToDouble(state[4]);
        hasSpareNormal = state[5] != 0;
    }
}
