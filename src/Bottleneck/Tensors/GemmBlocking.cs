namespace Bottleneck.Tensors;

/// <summary>
/// Cache blocking for the GotoBLAS loop nest. A packed kc×NR panel of B (32 KiB at kc = 256,
/// NR = 32) stays in the 48 KiB L1 while the kernel sweeps the MR-row panels of an mc×kc block of
/// A (192 KiB) held in L2; the kc×nc block of B (up to 2 MiB) lives in L2/L3 and is reused by
/// every block of A.
/// </summary>
internal static class GemmBlocking
{
    /// <summary>Upper bound on the reduction block.</summary>
    public const int KcMax = 256;

    /// <summary>Rows of A per packed block: a multiple of every kernel's MR (8, 6, 4).</summary>
    public const int Mc = 192;

    /// <summary>Columns of B per packed block: a multiple of every kernel's NR (32, 16, 4).</summary>
    public const int Nc = 2048;

    /// <summary>
    /// The reduction block for a given k: the k range is cut into equal blocks no longer than
    /// <see cref="KcMax"/>, so that there is no short tail block (k = 784 gives 4 × 196, not
    /// 3 × 256 + 16) whose C traffic would dominate its arithmetic. It depends on k only, so the
    /// order of the floating-point sums is the same however the output is split among threads.
    /// </summary>
    public static int Kc(int k)
    {
        int blocks = (k + KcMax - 1) / KcMax;
        return (k + blocks - 1) / blocks;
    }
}
