using Bottleneck.Formats;
using Bottleneck.Reports;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.IO;

public class ImageGridTests
{
    [Fact]
    public void LaysImagesOutLikeTorchvisionMakeGrid()
    {
        // 10 gray 3x2 images (H=3, W=2), image k filled with a value that encodes k and the pixel.
        const int n = 10, h = 3, w = 2;
        var t = new Tensor(n, h * w);
        for (int k = 0; k < n; k++)
            for (int i = 0; i < h * w; i++) t[k * h * w + i] = (k * 10 + i + 1) / 255f;
        using var dir = new TempDir();
        string path = dir.File("grid.png");
        ImageGrid.Save(path, t, 1, h, w, nrow: 4, padding: 2);
        var png = PngDecoder.Read(path);
        // xmaps = 4, ymaps = 3; width = 4*(2+2)+2 = 18, height = 3*(3+2)+2 = 17.
        Assert.Equal((18, 17, 3), (png.Width, png.Height, png.Channels));
        var expected = new int[17, 18];
        for (int k = 0; k < n; k++)
        {
            int top = k / 4 * (h + 2) + 2, left = k % 4 * (w + 2) + 2;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) expected[top + y, left + x] = k * 10 + y * w + x + 1;
        }
        for (int y = 0; y < 17; y++)
        {
            for (int x = 0; x < 18; x++)
            {
                for (int c = 0; c < 3; c++) Assert.Equal(expected[y, x], png[x, y, c]);
            }
        }
    }

    [Fact]
    public void ColorImagesKeepTheirChannels()
    {
        // Two 1x1 RGB images in [N, C, H, W] form.
        var t = Tensor.Wrap(new[] { 1f, 0f, 0.5f, 0f, 1f, 2f }, 2, 3, 1, 1);
        var (pixels, width, height) = ImageGrid.Render(t, 3, 1, 1, nrow: 8, padding: 1);
        Assert.Equal((5, 3), (width, height));
        Assert.Equal(new byte[] { 255, 0, 128 }, pixels.AsSpan((1 * 5 + 1) * 3, 3).ToArray());
        Assert.Equal(new byte[] { 0, 255, 255 }, pixels.AsSpan((1 * 5 + 3) * 3, 3).ToArray());
        Assert.Equal(new byte[] { 0, 0, 0 }, pixels.AsSpan((1 * 5 + 2) * 3, 3).ToArray());
    }

    [Fact]
    public void SingleImageHasNoPadding()
    {
        var t = Tensor.Wrap(new[] { 0f, 1f }, 1, 2);
        var (pixels, width, height) = ImageGrid.Render(t, 1, 1, 2);
        Assert.Equal((2, 1), (width, height));
        Assert.Equal(new byte[] { 0, 0, 0, 255, 255, 255 }, pixels);
    }

    [Theory]
    [InlineData(-1f, 0)]
    [InlineData(float.NaN, 0)]
    [InlineData(0.5f, 128)]
    [InlineData(0.998f, 254)]
    [InlineData(2f, 255)]
    public void ConvertsLikeTorchvision(float v, byte expected) => Assert.Equal(expected, ImageGrid.ToByte(v));

    [Fact]
    public void WrongShapeIsAClearError()
    {
        var e = Assert.Throws<BottleneckException>(() => ImageGrid.Render(new Tensor(4, 700), 1, 28, 28));
        Assert.Contains("784", e.Message);
    }
}
