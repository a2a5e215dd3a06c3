namespace Bottleneck.Tensors;

/// <summary>
/// One call's operands as raw pointers, so it can be handed to worker threads without capturing
/// spans in a closure (which would neither compile nor be allocation-free). Only valid while the
/// calling <see cref="Gemm.Multiply"/> keeps the spans pinned, which it does until every part ends.
/// </summary>
internal readonly unsafe struct GemmProblem
{
    public GemmProblem(bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, float* bias = null, bool transC = false, IGemmEpilogue? epilogue = null,
        bool skipZeros = true, bool narrowEdges = true)
    {
        SkipZeros = skipZeros;
        NarrowEdges = narrowEdges;
        Bias = bias;
        Epilogue = epilogue;
        TransC = transC;
        TransA = transA;
        TransB = transB;
        M = m;
        N = n;
        K = k;
        A = a;
        Lda = lda;
        B = b;
        Ldb = ldb;
        C = c;
        Ldc = ldc;
        Accumulate = accumulate;
    }

    public bool TransA { get; }

    public bool TransB { get; }

    public int M { get; }

    public int N { get; }

    public int K { get; }

    public float* A { get; }

    public int Lda { get; }

    public float* B { get; }

    public int Ldb { get; }

    public float* C { get; }

    public int Ldc { get; }

    public bool Accumulate { get; }

    /// <summary>Applied to each tile of C after its last reduction block, or null.</summary>
    public IGemmEpilogue? Epilogue { get; }

    /// <summary>C is stored [n, m] (ldc ≥ m): the product is written transposed.</summary>
    public bool TransC { get; }

    /// <summary>Whether reduction steps over all-zero panels are skipped (<see cref="EngineOptions.SkipZeros"/>).</summary>
    public bool SkipZeros { get; }

    /// <summary>Whether right-edge tiles use the kernel's narrow form (<see cref="EngineOptions.NarrowEdges"/>).</summary>
    public bool NarrowEdges { get; }

    /// <summary>n values added to every row of C with the first reduction block (instead of C's old values), or null.</summary>
    public float* Bias { get; }
}
