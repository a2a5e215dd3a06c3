using Bottleneck.Formats;
using Bottleneck.Tensors;

namespace Bottleneck.Reports;

/// <summary>
/// Saves a batch of images as one PNG grid, laid out exactly like torchvision's
/// <c>save_image(tensor, nrow=8, padding=2)</c> so that pictures from this toolkit and from a
/// PyTorch reference run can be compared side by side, pixel for pixel.
/// </summary>
public static class ImageGrid
{
    /// <summary>
    /// Saves <paramref name="images"/> ([N, C*H*W] or [N, C, H, W], values in [0, 1], clamped) as an RGB PNG.
    /// Images go left to right, <paramref name="nrow"/> per row, separated and surrounded by
    /// <paramref name="padding"/> black pixels.
    /// </summary>
    public static void Save(string path, Tensor images, int channels, int height, int width, int nrow = 8, int padding = 2)
    {
        var (pixels, gridWidth, gridHeight) = Render(images, channels, height, width, nrow, padding);
        Png.WriteRgb8(path, gridWidth, gridHeight, pixels);
    }

    /// <summary>Lays the grid out in memory: RGB bytes, row by row.</summary>
    public static (byte[] Pixels, int Width, int Height) Render(Tensor images, int channels, int height, int width, int nrow = 8, int padding = 2)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (channels is not (1 or 3))
            throw new BottleneckException($"image grid: images must have 1 or 3 channels, not {channels}");
        if (height <= 0 || width <= 0)
            throw new BottleneckException($"image grid: image size {height}x{width} must be positive");
        if (nrow <= 0 || padding < 0)
            throw new BottleneckException($"image grid: nrow ({nrow}) must be positive and padding ({padding}) not negative");
        if (images.Rank == 0 || images.Rows == 0)
            throw new BottleneckException("image grid: there are no images to draw");
        int count = images.Rows;
        int imageSize = channels * height * width;
        if (images.RowLength != imageSize)
            throw new BottleneckException($"image grid: each image has {images.RowLength} values but {channels}x{height}x{width} images need {imageSize}; check the image shape");

        // torchvision returns a single image as it is, without padding.
        if (count == 1) padding = 0;
        int xmaps = Math.Min(nrow, count);
        int ymaps = (count + xmaps - 1) / xmaps;
        long gridHeight = (long)ymaps * (height + padding) + padding;
        long gridWidth = (long)xmaps * (width + padding) + padding;
        if (gridHeight * gridWidth * 3 > Png.MaxPixelBytes)
            throw new BottleneckException($"image grid: a {gridWidth}x{gridHeight} grid is too large; draw fewer images");
        int gw = (int)gridWidth;
        var pixels = new byte[gridHeight * gridWidth * 3]; // pad value 0: black

        ReadOnlySpan<float> values = images.Span;
        for (int k = 0; k < count; k++)
        {
            int top = k / xmaps * (height + padding) + padding;
            int left = k % xmaps * (width + padding) + padding;
            var image = values.Slice(k * imageSize, imageSize);
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    int target = ((top + y) * gw + left + x) * 3;
                    for (int c = 0; c < 3; c++)
                    {
                        // Gray images are repeated into the three channels, as make_grid does.
                        int source = channels == 1 ? 0 : c;
                        pixels[target + c] = ToByte(image[(source * height + y) * width + x]);
                    }
                }
            }
        }
        return (pixels, gw, (int)gridHeight);
    }

    /// <summary>torchvision's conversion: mul(255).add(0.5).clamp(0, 255) then truncation. NaN becomes 0.</summary>
    public static byte ToByte(float v)
    {
        float scaled = v * 255f + 0.5f;
        if (!(scaled > 0f)) return 0;
        return scaled >= 255f ? (byte)255 : (byte)scaled;
    }
}
