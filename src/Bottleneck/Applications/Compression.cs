using Bottleneck.Data;
using Bottleneck.Formats;
using Bottleneck.IO;
using Bottleneck.Metrics;
using Bottleneck.Models;
using Bottleneck.Tensors;

namespace Bottleneck.Applications;

/// <summary>An item set compressed to a code file (<see cref="CodeFile"/>, docs/FORMATS.md), held in memory.</summary>
public sealed class CompressedSet
{
    internal CompressedSet(byte[] bytes, Tensor codes, int bits, bool hasLabels, string name)
    {
        Bytes = bytes;
        Codes = codes;
        Bits = bits;
        HasLabels = hasLabels;
        Name = name;
    }

    /// <summary>The complete code file, byte for byte what <see cref="Save"/> writes.</summary>
    public byte[] Bytes { get; }

    /// <summary>The encoder's codes before quantisation, [N, D].</summary>
    public Tensor Codes { get; }

    /// <summary>N, the number of items.</summary>
    public int Count => Codes.Rows;

    /// <summary>D, values per code.</summary>
    public int Dimension => Codes.RowLength;

    /// <summary>Bits per quantised value: 4, 8 or 16.</summary>
    public int Bits { get; }

    /// <summary>Whether the file carries one label per item (4 bytes each).</summary>
    public bool HasLabels { get; }

    /// <summary>Names the set in messages.</summary>
    public string Name { get; }

    /// <summary>Bytes of the label section (0 without labels).</summary>
    public long LabelBytes => HasLabels ? 4L * Count : 0;

    /// <summary>File bytes per item, everything included.</summary>
    public double BytesPerItem => Count == 0 ? 0 : (double)Bytes.Length / Count;

    /// <summary>Writes the code file atomically: an existing file is replaced only by a complete new one.</summary>
    public void Save(string path) => AtomicFile.Write(path, s => s.Write(Bytes));

    /// <summary>Reads the bytes back as a code file, as a reader of the saved file would.</summary>
    public CodeFile Read() => CodeFile.Read(new MemoryStream(Bytes, writable: false), Name);
}

/// <summary>Mean per-item quality of a reconstruction against its original (values in [0, 1]).</summary>
/// <param name="Psnr">Mean of the per-image PSNRs in dB (data range 1), as <see cref="ImageQuality.MeanPsnr"/>.</param>
/// <param name="Ssim">Mean SSIM for single-channel images of at least 11×11 pixels; null otherwise.</param>
/// <param name="MeanSquaredError">Mean squared error per value, over all items.</param>
public sealed record ReconstructionQuality(double Psnr, double? Ssim, double MeanSquaredError);

/// <summary>
/// Lossy compression with a trained autoencoder: an item set becomes its latent codes, quantised
/// to 4, 8 or 16 bits per value in a <see cref="CodeFile"/> tied to the model; decompression
/// decodes them. See docs/COMPRESSION.md.
/// </summary>
public static class Compression
{
    /// <summary>
    /// Encodes every item of <paramref name="data"/> (scaled as the model expects) and quantises the
    /// codes into a code file held in memory.
    /// </summary>
    /// <param name="modelId">The model's identity, <see cref="CodeFile.ModelIdOf"/> of its weights file.</param>
    /// <param name="includeLabels">Keep the dataset's labels (when it has any) in the file.</param>
    public static CompressedSet Compress(Autoencoder model, Dataset data, int bits, byte[] modelId, bool includeLabels = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(modelId);
        if (bits is not (4 or 8 or 16))
            throw new BottleneckException($"bits per code value must be 4, 8 or 16, not {bits}");
        if (data.Count == 0)
            throw new BottleneckException($"{data.Name}: there are no items to compress");
        if (data.FeatureCount != model.Config.InputSize)
            throw new BottleneckException($"{data.Name}: items have {data.FeatureCount} values but the model expects {model.Config.InputSize}");

        var codes = model.Encode(Tensor.Wrap(data.Features, data.Count, data.FeatureCount));
        var labels = includeLabels ? data.Labels : null;
        using var buffer = new MemoryStream();
        CodeFile.Write(buffer, codes.Span, data.Count, codes.RowLength, bits, modelId, labels);
        return new CompressedSet(buffer.ToArray(), codes, bits, labels != null, data.Name);
    }

    /// <summary>
    /// Decodes the codes of <paramref name="file"/> with <paramref name="model"/> → [N, InputSize],
    /// after checking that the codes were made by this model (<paramref name="modelId"/>, the SHA-256
    /// of its weights file): another model's decoder would turn them into plausible-looking garbage.
    /// </summary>
    public static Tensor Decompress(CodeFile file, Autoencoder model, byte[] modelId)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(model);
        file.EnsureModel(modelId);
        if (file.Dimension != model.Config.Latent)
            throw new BottleneckException($"{file.Source}: the codes have {file.Dimension} values but the model's code has {model.Config.Latent}");
        if (file.Count == 0)
            throw new BottleneckException($"{file.Source}: the file holds no items");
        return model.Decode(Tensor.Wrap(file.Codes, file.Count, file.Dimension));
    }

    /// <summary>
    /// PSNR (and SSIM for single-channel images) of <paramref name="reconstruction"/> [N, F] against
    /// the items of <paramref name="original"/>, mean per item.
    /// </summary>
    public static ReconstructionQuality Measure(Dataset original, Tensor reconstruction)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(reconstruction);
        if (reconstruction.Length != original.Features.Length || (original.Count > 0 && reconstruction.RowLength != original.FeatureCount))
            throw new BottleneckException($"{original.Name}: a reconstruction {reconstruction} does not match {original.Count} items of {original.FeatureCount} values");
        if (original.Count == 0)
            throw new BottleneckException($"{original.Name}: there are no items to compare");
        ReadOnlySpan<float> a = original.Features, b = reconstruction.Span;
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = (double)a[i] - b[i];
            sum += d * d;
        }
        double psnr = ImageQuality.MeanPsnr(a, b, original.FeatureCount);
        double? ssim = original.SampleShape is [1, int h, int w] && h >= ImageQuality.SsimWindow && w >= ImageQuality.SsimWindow
            ? ImageQuality.MeanSsim(a, b, h, w)
            : null;
        return new ReconstructionQuality(psnr, ssim, sum / a.Length);
    }

    /// <summary>
    /// Item <paramref name="index"/> of an image dataset (values in [0, 1], shape [1, H, W] or
    /// [3, H, W]) as its own 8-bit PNG, lossless for 8-bit images such as MNIST's.
    /// </summary>
    public static byte[] ToPng(Dataset data, int index)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (channels, height, width) = ImageShape(data);
        var image = data.Sample(index);
        var pixels = new byte[image.Length];
        int plane = height * width;
        for (int c = 0; c < channels; c++)
        {
            for (int p = 0; p < plane; p++)
                pixels[p * channels + c] = ToByte(image[c * plane + p]); // CHW to interleaved
        }
        using var buffer = new MemoryStream();
        if (channels == 1) Png.EncodeGray8(buffer, width, height, pixels);
        else Png.EncodeRgb8(buffer, width, height, pixels);
        return buffer.ToArray();
    }

    /// <summary>Total bytes of the items of an image dataset saved each as its own PNG (<see cref="ToPng"/>).</summary>
    public static long PngBytes(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ImageShape(data);
        long total = 0;
        for (int i = 0; i < data.Count; i++) total += ToPng(data, i).Length;
        return total;
    }

    /// <summary>Whether the dataset holds images that <see cref="ToPng"/> can write.</summary>
    public static bool IsImageSet(Dataset data) => data?.SampleShape is [1 or 3, > 0, > 0];

    private static (int Channels, int Height, int Width) ImageShape(Dataset data) => data.SampleShape is [int c, int h, int w] && c is 1 or 3 && h > 0 && w > 0
        ? (c, h, w)
        : throw new BottleneckException($"{data.Name}: the items are not images of 1 or 3 channels, so they cannot be saved as PNG");

    /// <summary>A value in [0, 1] to the nearest 8-bit level (clamped; NaN becomes 0).</summary>
    private static byte ToByte(float v) => v > 0 ? (byte)Math.Round(Math.Min(v, 1f) * 255.0) : (byte)0;
}
