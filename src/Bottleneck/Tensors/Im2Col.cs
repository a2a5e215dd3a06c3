namespace Bottleneck.Tensors;

/// <summary>
/// The shape arithmetic of a 2-D convolution (no dilation, no groups) over images of
/// <see cref="Channels"/>×<see cref="Height"/>×<see cref="Width"/> values, NCHW.
/// </summary>
public readonly struct ConvGeometry
{
    public ConvGeometry(int channels, int height, int width, int kernelHeight, int kernelWidth,
        int strideHeight, int strideWidth, int paddingHeight, int paddingWidth)
    {
        if (channels < 1 || height < 1 || width < 1)
            throw new BottleneckException($"convolution input must have positive channels, height and width, got {channels}x{height}x{width}");
        if (kernelHeight < 1 || kernelWidth < 1)
            throw new BottleneckException($"convolution kernel must be positive, got {kernelHeight}x{kernelWidth}");
        if (strideHeight < 1 || strideWidth < 1)
            throw new BottleneckException($"convolution stride must be positive, got {strideHeight}x{strideWidth}");
        if (paddingHeight < 0 || paddingWidth < 0)
            throw new BottleneckException($"convolution padding must not be negative, got {paddingHeight}x{paddingWidth}");
        if (height + 2 * paddingHeight < kernelHeight || width + 2 * paddingWidth < kernelWidth)
            throw new BottleneckException($"convolution kernel {kernelHeight}x{kernelWidth} is larger than the padded input {height + 2 * paddingHeight}x{width + 2 * paddingWidth}");
        Channels = channels;
        Height = height;
        Width = width;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        StrideHeight = strideHeight;
        StrideWidth = strideWidth;
        PaddingHeight = paddingHeight;
        PaddingWidth = paddingWidth;
        OutputHeight = (height + 2 * paddingHeight - kernelHeight) / strideHeight + 1;
        OutputWidth = (width + 2 * paddingWidth - kernelWidth) / strideWidth + 1;
        long columnRows = (long)channels * kernelHeight * kernelWidth;
        if ((long)channels * height * width > int.MaxValue || columnRows * OutputHeight * OutputWidth > int.MaxValue)
            throw new BottleneckException($"convolution over {channels}x{height}x{width} is too large");
    }

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    public int KernelHeight { get; }

    public int KernelWidth { get; }

    public int StrideHeight { get; }

    public int StrideWidth { get; }

    public int PaddingHeight { get; }

    public int PaddingWidth { get; }

    public int OutputHeight { get; }

    public int OutputWidth { get; }

    /// <summary>Values in one input image.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>Output positions per image (one column of the unfolded matrix each).</summary>
    public int OutputPlane => OutputHeight * OutputWidth;

    /// <summary>Rows of the unfolded matrix: one per (channel, kernel row, kernel column).</summary>
    public int ColumnRows => Channels * KernelHeight * KernelWidth;
}

/// <summary>
/// Unfolding images into the patch matrix a convolution multiplies by its weights (im2col), its
/// adjoint (col2im), and the axis swap between [N, C, L] and [C, N, L].
/// </summary>
/// <remarks>
/// The patch matrix of a batch is one row-major matrix [C·kh·kw, N·OH·OW]: row (c, i, j), column
/// (n, oh, ow) holds x[n, c, oh·s − p + i, ow·s − p + j], or 0 in the padding. Keeping the whole
/// batch in one matrix makes a convolution a single large GEMM instead of N small ones, which
/// would each be too small to use the cores. Work is split between threads (unfold by patch-matrix
/// row and image, fold by image), and every value is computed by the same arithmetic in the same
/// order whatever the split, so results do not depend on the thread count.
/// </remarks>
public static unsafe class Im2Col
{
    // Below this many values moved, waking a worker costs more than it saves.
    private const long ParallelThreshold = 64 * 1024;

    /// <summary>
    /// Writes the patch matrix [C·kh·kw, batch·OH·OW] of <paramref name="batch"/> images
    /// (each <see cref="ConvGeometry.ImageSize"/> values) into <paramref name="columns"/>.
    /// </summary>
    /// <param name="engine">The threads to spread the work over; <see cref="EngineOptions.Default"/> when null.</param>
    public static void Unfold(in ConvGeometry g, int batch, ReadOnlySpan<float> images, Span<float> columns, EngineOptions? engine = null)
    {
        CheckSizes(g, batch, images.Length, columns.Length);
        fixed (float* x = images, col = columns)
        {
            Run(JobKind.Unfold, g, batch, x, col, accumulate: false, (long)batch * g.ColumnRows * g.OutputPlane, engine ?? EngineOptions.Default);
        }
    }

    /// <summary>
    /// The adjoint of <see cref="Unfold"/>: adds every patch-matrix value back onto the image value
    /// it was read from. With <paramref name="accumulate"/> false the images are cleared first.
    /// </summary>
    /// <param name="engine">The threads to spread the work over; <see cref="EngineOptions.Default"/> when null.</param>
    public static void Fold(in ConvGeometry g, int batch, ReadOnlySpan<float> columns, Span<float> images, bool accumulate, EngineOptions? engine = null)
    {
        CheckSizes(g, batch, images.Length, columns.Length);
        fixed (float* x = images, col = columns)
        {
            Run(JobKind.Fold, g, batch, x, col, accumulate, (long)batch * g.ColumnRows * g.OutputPlane, engine ?? EngineOptions.Default);
        }
    }

    /// <summary>
    /// Reads <paramref name="source"/> as [outer, inner, chunk] and writes it as [inner, outer, chunk],
    /// adding <paramref name="bias"/>[o] to every value of source block o when a bias is given
    /// (empty span: none). Moves between the GEMM's channel-major layout and NCHW.
    /// </summary>
    /// <param name="engine">The threads to spread the work over; <see cref="EngineOptions.Default"/> when null.</param>
    public static void SwapLeadingAxes(int outer, int inner, int chunk, ReadOnlySpan<float> source, Span<float> destination, ReadOnlySpan<float> bias, EngineOptions? engine = null)
    {
        long total = (long)outer * inner * chunk;
        if (outer < 0 || inner < 0 || chunk < 0 || source.Length < total || destination.Length < total)
            throw new BottleneckException($"axis swap of [{outer}, {inner}, {chunk}] needs {total} values, source has {source.Length}, destination {destination.Length}");
        if (bias.Length != 0 && bias.Length < outer)
            throw new BottleneckException($"axis swap of [{outer}, {inner}, {chunk}] needs {outer} bias values, got {bias.Length}");
        if (total == 0) return;
        var job = Job.ForThisThread();
        fixed (float* src = source, dst = destination, b = bias)
        {
            job.Kind = JobKind.Swap;
            job.X = src;
            job.Columns = dst;
            job.Bias = bias.Length == 0 ? null : b;
            job.Outer = outer;
            job.Inner = inner;
            job.Chunk = chunk;
            Dispatch(job, inner, total, (engine ?? EngineOptions.Default).Threads);
        }
    }

    private static void CheckSizes(in ConvGeometry g, int batch, int imagesLength, int columnsLength)
    {
        if (batch < 0) throw new BottleneckException($"batch must not be negative, got {batch}");
        long imageValues = (long)batch * g.ImageSize;
        long columnValues = (long)batch * g.ColumnRows * g.OutputPlane;
        if (imagesLength < imageValues)
            throw new BottleneckException($"im2col: {batch} images of {g.ImageSize} values need {imageValues}, the span has {imagesLength}");
        if (columnsLength < columnValues)
            throw new BottleneckException($"im2col: the patch matrix of {batch} images needs {columnValues} values, the span has {columnsLength}");
    }

    private static void Run(JobKind kind, in ConvGeometry g, int batch, float* x, float* col, bool accumulate, long work, EngineOptions engine)
    {
        if (batch == 0) return;
        var job = Job.ForThisThread();
        job.Kind = kind;
        job.Geometry = g;
        job.Batch = batch;
        job.X = x;
        job.Columns = col;
        job.Accumulate = accumulate;
        Dispatch(job, batch, work, engine.Threads);
    }

    private static void Dispatch(Job job, int items, long work, int threads)
    {
        int parts = Math.Min(threads, items);
        try
        {
            if (work < ParallelThreshold || parts < 2 || !WorkerPool.TryRun(job, parts))
                job.RunPart(0, 1);
        }
        finally
        {
            // The pointers are only valid inside the caller's fixed block.
            job.X = null;
            job.Columns = null;
            job.Bias = null;
        }
    }

    private enum JobKind
    {
        Unfold,
        Fold,
        Swap,
    }

    /// <summary>
    /// The arguments of one call, in a reused object so that a parallel call allocates nothing.
    /// One per calling thread: layers of different models may run on different threads at once.
    /// </summary>
    private sealed class Job : WorkerPool.IParallelJob
    {
        [ThreadStatic] private static Job? current;

        public JobKind Kind;
        public ConvGeometry Geometry;
        public int Batch;
        public float* X;
        public float* Columns;
        public float* Bias;
        public bool Accumulate;
        public int Outer;
        public int Inner;
        public int Chunk;

        public static Job ForThisThread() => current ??= new Job();

        public void RunPart(int part, int parts)
        {
            // Unfold splits the (row, image) pairs of the patch matrix, so that a one-channel input
            // still has work for every thread; fold writes images and so splits images.
            long items = Kind switch
            {
                JobKind.Swap => Inner,
                JobKind.Unfold => (long)Geometry.ColumnRows * Batch,
                _ => Batch,
            };
            long first = items * part / parts, end = items * (part + 1) / parts;
            if (first >= end) return;
            switch (Kind)
            {
                case JobKind.Unfold: UnfoldItems(Geometry, Batch, X, Columns, first, end); break;
                case JobKind.Fold: FoldItems(Geometry, Batch, Columns, X, Accumulate, (int)first, (int)end); break;
                default: SwapItems(Outer, Inner, Chunk, X, Columns, Bias, (int)first, (int)end); break;
            }
        }
    }

    /// <summary>
    /// First output index o ≥ 0 with o·stride + offset ≥ 0, and first with o·stride + offset ≥ limit,
    /// both clamped to [0, count]: the outputs whose tap at this kernel offset lands inside the image.
    /// </summary>
    private static void ValidRange(int offset, int stride, int limit, int count, out int begin, out int end)
    {
        begin = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
        end = limit - offset <= 0 ? 0 : (limit - offset + stride - 1) / stride;
        begin = Math.Min(begin, count);
        end = Math.Clamp(end, begin, count);
    }

    /// <summary>
    /// Fills the patch-matrix segments of (row, image) pairs first..end-1, numbered row-major
    /// (pair = row·batch + n). Writing the matrix in storage order streams it out once, while the
    /// reads of one channel of the images (a few hundred kilobytes for a batch) stay in cache
    /// across that channel's k·k rows.
    /// </summary>
    private static void UnfoldItems(in ConvGeometry g, int batch, float* x, float* col, long first, long end)
    {
        int plane = g.OutputPlane, ow = g.OutputWidth, oh = g.OutputHeight;
        int sh = g.StrideHeight, sw = g.StrideWidth, imageSize = g.ImageSize, width = g.Width;
        int kernelArea = g.KernelHeight * g.KernelWidth;
        long ld = (long)batch * plane;
        for (long pair = first; pair < end;)
        {
            int row = (int)(pair / batch), n0 = (int)(pair % batch);
            int n1 = (int)Math.Min(batch, n0 + (end - pair));
            pair += n1 - n0;
            int c = row / kernelArea, ki = row % kernelArea / g.KernelWidth, kj = row % g.KernelWidth;
            int rowOffset = ki - g.PaddingHeight, colOffset = kj - g.PaddingWidth;
            ValidRange(rowOffset, sh, g.Height, oh, out int ohBegin, out int ohEnd);
            ValidRange(colOffset, sw, width, ow, out int owBegin, out int owEnd);
            int valid = owEnd - owBegin;
            // The first input value each valid output row reads, relative to its channel.
            long firstTap = (long)(ohBegin * sh + rowOffset) * width + (owBegin * sw + colOffset);
            float* channel = x + (long)n0 * imageSize + (long)c * g.Height * width;
            float* dst = col + row * ld + (long)n0 * plane;
            for (int n = n0; n < n1; n++, channel += imageSize, dst += plane)
            {
                // Output rows whose tap falls in the top or bottom padding are zero.
                Zero(dst, ohBegin * ow);
                Zero(dst + (long)ohEnd * ow, (oh - ohEnd) * ow);
                float* s = channel + firstTap;
                float* d = dst + (long)ohBegin * ow;
                for (int r = ohBegin; r < ohEnd; r++, s += (long)sh * width, d += ow)
                {
                    for (int j = 0; j < owBegin; j++) d[j] = 0f;
                    for (int j = owEnd; j < ow; j++) d[j] = 0f;
                    float* dv = d + owBegin;
                    if (sw == 1)
                        Buffer.MemoryCopy(s, dv, (long)valid * sizeof(float), (long)valid * sizeof(float));
                    else if (sw == 2)
                        for (int j = 0; j < valid; j++) dv[j] = s[2 * j];
                    else
                        for (int j = 0; j < valid; j++) dv[j] = s[j * sw];
                }
            }
        }
    }

    private static void Zero(float* p, int count)
    {
        if (count > 0) new Span<float>(p, count).Clear();
    }

    /// <summary>
    /// Adds the patch-matrix values of images firstItem..endItem-1 back onto them. Rows outside,
    /// images inside: one channel of the part's images stays in cache while its k·k rows add into
    /// it, and each image value receives its contributions in row order whatever the split.
    /// </summary>
    private static void FoldItems(in ConvGeometry g, int batch, float* col, float* x, bool accumulate, int firstItem, int endItem)
    {
        int plane = g.OutputPlane, ow = g.OutputWidth, oh = g.OutputHeight;
        int sh = g.StrideHeight, sw = g.StrideWidth, imageSize = g.ImageSize, width = g.Width;
        long ld = (long)batch * plane;
        if (!accumulate) new Span<float>(x + (long)firstItem * imageSize, (endItem - firstItem) * imageSize).Clear();
        for (int c = 0; c < g.Channels; c++)
        {
            for (int ki = 0; ki < g.KernelHeight; ki++)
            {
                int rowOffset = ki - g.PaddingHeight;
                ValidRange(rowOffset, sh, g.Height, oh, out int ohBegin, out int ohEnd);
                for (int kj = 0; kj < g.KernelWidth; kj++)
                {
                    int colOffset = kj - g.PaddingWidth;
                    ValidRange(colOffset, sw, width, ow, out int owBegin, out int owEnd);
                    int valid = owEnd - owBegin;
                    int row = (c * g.KernelHeight + ki) * g.KernelWidth + kj;
                    long firstTap = (long)(ohBegin * sh + rowOffset) * width + (owBegin * sw + colOffset);
                    float* channel = x + (long)firstItem * imageSize + (long)c * g.Height * width;
                    float* src = col + row * ld + (long)firstItem * plane;
                    for (int n = firstItem; n < endItem; n++, channel += imageSize, src += plane)
                    {
                        float* s = src + (long)ohBegin * ow + owBegin;
                        float* d = channel + firstTap;
                        for (int r = ohBegin; r < ohEnd; r++, s += ow, d += (long)sh * width)
                        {
                            if (sw == 1)
                                for (int j = 0; j < valid; j++) d[j] += s[j];
                            else if (sw == 2)
                                for (int j = 0; j < valid; j++) d[2 * j] += s[j];
                            else
                                for (int j = 0; j < valid; j++) d[j * sw] += s[j];
                        }
                    }
                }
            }
        }
    }

    private static void SwapItems(int outer, int inner, int chunk, float* src, float* dst, float* bias, int firstInner, int endInner)
    {
        long bytes = (long)chunk * sizeof(float);
        for (int i = firstInner; i < endInner; i++)
        {
            for (int o = 0; o < outer; o++)
            {
                float* s = src + ((long)o * inner + i) * chunk;
                float* d = dst + ((long)i * outer + o) * chunk;
                if (bias is null)
                    Buffer.MemoryCopy(s, d, bytes, bytes);
                else
                    System.Numerics.Tensors.TensorPrimitives.Add(new ReadOnlySpan<float>(s, chunk), bias[o], new Span<float>(d, chunk));
            }
        }
    }
}
