using Bottleneck.Data;
using Bottleneck.Models;
using Bottleneck.Tensors;

namespace Bottleneck.Tests.Data;

/// <summary>
/// Image data held as bytes (<see cref="Dataset.FromPixels"/>) against the same data held as the
/// floats byte / 255: every way of reading it gives the same bits, and reading batches does not
/// make the float copy.
/// </summary>
public class PixelDatasetTests
{
    private const int Items = 300, Features = 100;

    private static (Dataset Bytes, Dataset Floats) Twins()
    {
        var pixels = new byte[Items * Features];
        var rng = new Random(3);
        rng.NextBytes(pixels);
        // Every byte value somewhere, and whole zero rows as in image borders.
        for (int i = 0; i < 256; i++) pixels[i * 7] = (byte)i;
        Array.Clear(pixels, 10 * Features, 3 * Features);
        var labels = Enumerable.Range(0, Items).Select(i => i % 10).ToArray();
        var floats = pixels.Select(b => b / 255f).ToArray();
        return (Dataset.FromPixels("bytes", pixels, Items, Features, labels, [1, 10, 10]),
            new Dataset("floats", floats, Items, Features, labels, [1, 10, 10]));
    }

    [Fact]
    public void Batches_rows_slices_and_selections_hold_the_same_bits_as_float_data()
    {
        var (bytes, floats) = Twins();
        var order = Enumerable.Range(0, Items).ToArray();
        new Rng(5).Shuffle(order);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var engine = new EngineOptions { Threads = threads };
            foreach (int batch in new[] { 1, 7, 128, Items })
            {
                var fromBytes = new Tensor(batch, Features);
                var fromFloats = new Tensor(batch, Features);
                bytes.GetBatch(order.AsSpan(0, batch), fromBytes, engine);
                floats.GetBatch(order.AsSpan(0, batch), fromFloats, engine);
                TensorAssert.SameBits(fromFloats, fromBytes, $"batch of {batch}, {threads} threads");
            }
        }

        var rowsFromBytes = new Tensor(1, Features);
        var rowsFromFloats = new Tensor(1, Features);
        bytes.CopyRows(9, 250, rowsFromBytes);
        floats.CopyRows(9, 250, rowsFromFloats);
        TensorAssert.SameBits(rowsFromFloats, rowsFromBytes, "CopyRows");

        var slice = bytes.Slice(20, 50);
        var selection = bytes.Select(order.AsSpan(0, 40), "picked");
        Assert.NotNull(slice.Pixels);
        Assert.NotNull(selection.Pixels);
        Assert.Equal(floats.Slice(20, 50).Features, slice.Features);
        Assert.Equal(floats.Select(order.AsSpan(0, 40)).Features, selection.Features);
        Assert.Equal(floats.Select(order.AsSpan(0, 40)).Labels, selection.Labels);
        Assert.Equal(floats.Features, bytes.Features);
        Assert.True(floats.Sample(123).SequenceEqual(bytes.Sample(123)));
    }

    [Fact]
    public void Reading_batches_does_not_make_the_float_copy()
    {
        var (bytes, _) = Twins();
        var x = new Tensor(128, Features);
        bytes.GetBatch(Enumerable.Range(0, 128).ToArray(), x); // the first call may size the gather's buffers
        long before = GC.GetAllocatedBytesForCurrentThread();
        bytes.GetBatch(Enumerable.Range(100, 128).ToArray().AsSpan(), x);
        bytes.CopyRows(0, 128, x);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // The index array above (128 ints) is the only allocation; the float copy would be 120 kB.
        Assert.True(allocated < 2048, $"reading batches allocated {allocated} bytes");
    }

    [Fact]
    public void The_range_check_sees_the_scaled_values()
    {
        var (bytes, floats) = Twins();
        Assert.Equal((0f, 1f), DataRangeCheck.ValueRange(bytes));
        Assert.Equal(DataRangeCheck.ValueRange(floats), DataRangeCheck.ValueRange(bytes));
        var dim = Dataset.FromPixels("dim", Enumerable.Range(0, 2 * Features).Select(i => (byte)(3 + i % 97)).ToArray(), 2, Features);
        Assert.Equal((3 / 255f, 99 / 255f), DataRangeCheck.ValueRange(dim));
    }
}
