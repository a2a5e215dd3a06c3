using System.Text.Json;
using Bottleneck.Data;
using Bottleneck.Formats;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Data;

public class DSpritesTests
{
    // 3 × 3 × 4 × 5 × 5 = 900 images: every factor has more than two levels, and it renders in milliseconds.
    private static readonly DSpritesOptions Small = new() { Scales = 3, Orientations = 4, Positions = 5 };

    private static byte[] Render(DSpritesOptions options, params int[] factors)
    {
        var image = new byte[options.Side * options.Side];
        DSprites.Render(options, factors, image);
        return image;
    }

    private static int PixelCount(byte[] image) => image.Count(b => b != 0);

    /// <summary>The mean column and row of the set pixels.</summary>
    private static (double X, double Y) Centroid(byte[] image, int side)
    {
        double sx = 0, sy = 0;
        int n = 0;
        for (int i = 0; i < image.Length; i++)
        {
            if (image[i] == 0) continue;
            sx += i % side;
            sy += i / side;
            n++;
        }
        return (sx / n, sy / n);
    }

    [Fact]
    public void Rendering_is_deterministic_and_binary()
    {
        foreach (var options in new[] { Small, Small with { Side = 64 } })
        {
            var first = DSprites.Generate(options);
            var second = DSprites.Generate(options);
            Assert.Equal(first.Train.Pixels, second.Train.Pixels);
            Assert.Equal(first.Test.Pixels, second.Test.Pixels);
            Assert.Equal(first.Train.Factors!.Values, second.Train.Factors!.Values);
            Assert.All(first.Train.Pixels!, b => Assert.True(b is 0 or 255, $"pixel value {b}"));
            Assert.Equal(Render(options, 2, 1, 3, 2, 4), Render(options, 2, 1, 3, 2, 4));
        }
    }

    [Fact]
    public void Every_combination_appears_exactly_once_across_the_parts()
    {
        var (train, test) = DSprites.Generate(Small);
        Assert.Equal(900, train.Count + test.Count);
        var seen = new HashSet<(int, int, int, int, int)>();
        foreach (var part in new[] { train, test })
        {
            var f = part.Factors!;
            Assert.Equal(DSprites.FactorNames, f.Names);
            Assert.Equal(new[] { 3, 3, 4, 5, 5 }, f.Levels);
            for (int i = 0; i < f.Count; i++)
                Assert.True(seen.Add((f[i, 0], f[i, 1], f[i, 2], f[i, 3], f[i, 4])), $"{part.Name}: item {i} repeats a combination");
        }
        Assert.Equal(900, seen.Count);
    }

    [Fact]
    public void Each_image_is_the_rendering_of_its_factor_row_and_its_label_is_the_shape()
    {
        var (train, test) = DSprites.Generate(Small);
        foreach (var part in new[] { train, test })
        {
            var f = part.Factors!;
            for (int i = 0; i < part.Count; i++)
            {
                var expected = Render(Small, f.Values.AsSpan(i * 5, 5).ToArray());
                Assert.True(expected.AsSpan().SequenceEqual(part.Pixels.AsSpan(i * 1024, 1024)), $"{part.Name}: item {i} is not its factors' image");
                Assert.Equal(f[i, 0], part.Labels![i]);
            }
        }
    }

    [Fact]
    public void The_centroid_follows_x_and_y()
    {
        for (int shape = 0; shape < 3; shape++)
        {
            var xs = Enumerable.Range(0, 5).Select(x => Centroid(Render(Small, shape, 2, 1, x, 2), 32)).ToArray();
            var ys = Enumerable.Range(0, 5).Select(y => Centroid(Render(Small, shape, 2, 1, 2, y), 32)).ToArray();
            for (int i = 1; i < 5; i++)
            {
                // About (1 − 2·margin)·32 / 4 = 3.5 pixels a level along the axis, nothing across it.
                Assert.InRange(xs[i].X - xs[i - 1].X, 3.0, 4.0);
                Assert.InRange(Math.Abs(xs[i].Y - xs[i - 1].Y), 0, 0.3);
                Assert.InRange(ys[i].Y - ys[i - 1].Y, 3.0, 4.0);
                Assert.InRange(Math.Abs(ys[i].X - ys[i - 1].X), 0, 0.3);
            }
        }
    }

    [Fact]
    public void Pixel_count_grows_with_scale_and_the_smallest_sprites_are_a_few_dozen_pixels()
    {
        var options = new DSpritesOptions();
        for (int shape = 0; shape < 3; shape++)
        {
            var counts = Enumerable.Range(0, options.Scales).Select(s => PixelCount(Render(options, shape, s, 3, 8, 8))).ToArray();
            for (int s = 1; s < counts.Length; s++) Assert.True(counts[s] > counts[s - 1], $"shape {shape}: [{string.Join(", ", counts)}]");
            // Areas go with the square of the scale: the largest about 4 times the smallest.
            Assert.InRange((double)counts[^1] / counts[0], 3.3, 4.7);
            Assert.InRange(counts[0], 25, 60);
            // The largest at most half of the canvas side across (its circle's diameter is 56%).
            Assert.InRange(counts[^1], 100, 0.3 * 1024);
        }
    }

    [Fact]
    public void The_three_shapes_differ()
    {
        var images = Enumerable.Range(0, 3).Select(shape => Render(Small, shape, 2, 1, 2, 2)).ToArray();
        Assert.NotEqual(images[0], images[1]);
        Assert.NotEqual(images[0], images[2]);
        Assert.NotEqual(images[1], images[2]);
    }

    [Fact]
    public void Rotating_a_heart_changes_its_image()
    {
        var upright = Render(Small, 2, 2, 0, 2, 2);
        var quarter = Render(Small, 2, 2, 1, 2, 2);
        var upsideDown = Render(Small, 2, 2, 2, 2, 2);
        Assert.NotEqual(upright, quarter);
        Assert.NotEqual(upright, upsideDown);
        // Same heart, same area, whatever the rotation (up to the pixel grid).
        Assert.InRange(PixelCount(quarter), 0.9 * PixelCount(upright), 1.1 * PixelCount(upright));
        // Position 2 of 5 centres the sprite on the canvas, so a half turn is a vertical flip of the
        // upright heart (which is symmetric left to right), up to pixels on the outline.
        var flipped = new byte[1024];
        for (int row = 0; row < 32; row++) upright.AsSpan(row * 32, 32).CopyTo(flipped.AsSpan((31 - row) * 32));
        Assert.True(Differences(upright, flipped) > 20, "an upright heart is not symmetric top to bottom");
        Assert.InRange(Differences(upsideDown, flipped), 0, 2);
        // Upright, the notch between the lobes splits the top row in two and the tip ends the bottom
        // row in one run of pixels; turned by π, the other way round.
        var (uprightTop, uprightBottom) = EndRowRuns(upright);
        var (turnedTop, turnedBottom) = EndRowRuns(upsideDown);
        Assert.Equal((2, 1), (uprightTop, uprightBottom));
        Assert.Equal((1, 2), (turnedTop, turnedBottom));
    }

    private static int Differences(byte[] a, byte[] b) => a.Zip(b).Count(p => p.First != p.Second);

    /// <summary>How many separate runs of set pixels the first and the last non-empty rows hold.</summary>
    private static (int Top, int Bottom) EndRowRuns(byte[] image)
    {
        var rows = Enumerable.Range(0, 32).Where(r => image.AsSpan(r * 32, 32).Contains((byte)255)).ToArray();
        return (Runs(rows[0]), Runs(rows[^1]));

        int Runs(int row) => Enumerable.Range(0, 32).Count(c => image[row * 32 + c] != 0 && (c == 0 || image[row * 32 + c - 1] == 0));
    }

    [Fact]
    public void Every_sprite_lies_in_its_circle_which_lies_in_the_canvas()
    {
        // The centres keep at least the largest sprite's radius from the edges, so no sprite is cut off...
        Assert.True(DSprites.Margin >= DSprites.Radius);
        var options = new DSpritesOptions();
        var (train, _) = DSprites.Generate(options);
        var f = train.Factors!;
        var levels = options.Levels;
        double travel = (1 - 2 * DSprites.Margin) * 32;
        for (int i = 0; i < train.Count; i += 7)
        {
            // ...provided that every set pixel's centre lies within that radius of the sprite's centre,
            // and the farthest reaches it, give or take the pixel grid.
            double radius = DSprites.Radius * DSprites.ScaleValue(f[i, 1], levels[1]) * 32;
            double cx = DSprites.Margin * 32 + DSprites.PositionValue(f[i, 3], levels[3]) * travel;
            double cy = DSprites.Margin * 32 + DSprites.PositionValue(f[i, 4], levels[4]) * travel;
            double farthest = 0;
            var image = train.Pixels.AsSpan(i * 1024, 1024);
            for (int p = 0; p < 1024; p++)
                if (image[p] != 0) farthest = Math.Max(farthest, Math.Sqrt(Math.Pow(p % 32 + 0.5 - cx, 2) + Math.Pow(p / 32 + 0.5 - cy, 2)));
            Assert.InRange(farthest, radius - 1.5, radius + 1e-6);
        }
    }

    [Fact]
    public void The_test_part_is_the_fraction_asked_for_drawn_by_the_seed_and_shuffled()
    {
        var (train, test) = DSprites.Generate(new DSpritesOptions());
        Assert.Equal((41472, 4608), (train.Count, test.Count));
        var quarter = DSprites.Generate(Small with { TestFraction = 0.25 });
        Assert.Equal((675, 225), (quarter.Train.Count, quarter.Test.Count));

        // Not in factor order: the combination numbers of the training part are not ascending.
        var f = train.Factors!;
        var combos = Enumerable.Range(0, 100).Select(i => (((f[i, 0] * 6 + f[i, 1]) * 10 + f[i, 2]) * 16 + f[i, 3]) * 16 + f[i, 4]).ToArray();
        Assert.NotEqual(combos.Order(), combos);
        // All three shapes in the test part, in roughly equal numbers.
        foreach (int shape in new[] { 0, 1, 2 }) Assert.InRange(test.Labels!.Count(l => l == shape), 1300, 1800);

        var again = DSprites.Generate(Small);
        var other = DSprites.Generate(Small with { Seed = 7 });
        Assert.Equal(DSprites.Generate(Small).Test.Factors!.Values, again.Test.Factors!.Values);
        Assert.NotEqual(other.Test.Factors!.Values, again.Test.Factors!.Values);
    }

    [Fact]
    public void Load_reads_back_what_write_wrote()
    {
        using var dir = new TempDir();
        var options = Small with { Side = 64, Seed = 3 };
        var (train, test) = DSprites.Write(dir.Path, options);
        Assert.Equal(DSprites.FileNames.Order(), Directory.GetFiles(dir.Path).Select(p => Path.GetFileName(p)).Order());
        var (loadedTrain, loadedTest) = DSprites.Load(dir.Path);
        foreach (var (written, loaded) in new[] { (train, loadedTrain), (test, loadedTest) })
        {
            Assert.Equal(written.Name, loaded.Name);
            Assert.Equal((written.Count, 64 * 64), (loaded.Count, loaded.FeatureCount));
            Assert.Equal(new[] { 1, 64, 64 }, loaded.SampleShape);
            Assert.Equal(written.Pixels, loaded.Pixels);
            Assert.Equal(written.Factors!.Values, loaded.Factors!.Values);
            Assert.Equal(options.Levels, loaded.Factors.Levels);
            Assert.Equal(DSprites.FactorNames, loaded.Factors.Names);
            Assert.Equal(Enumerable.Range(0, loaded.Count).Select(i => loaded.Factors[i, 0]), loaded.Labels!);
            Assert.Equal(1f, loaded.Features.Max());
        }

        // The files read as MNIST's do, and factors.json gives each level's value.
        var images = IdxFile.Read(Path.Combine(dir.Path, Mnist.TrainImages));
        Assert.Equal(new[] { train.Count, 64, 64 }, images.Dimensions);
        Assert.Equal("shape,scale,orientation,x,y", File.ReadLines(Path.Combine(dir.Path, DSprites.TrainFactors)).First());
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, DSprites.DescriptionName)));
        Assert.Equal(64, json.RootElement.GetProperty("side").GetInt32());
        var factors = json.RootElement.GetProperty("factors").EnumerateArray().ToArray();
        Assert.Equal(DSprites.FactorNames, factors.Select(f => f.GetProperty("name").GetString()));
        Assert.Equal(DSprites.ShapeNames, factors[0].GetProperty("values").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(new[] { 0.5, 0.75, 1 }, factors[1].GetProperty("values").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(new[] { 0, Math.PI / 2, Math.PI, 3 * Math.PI / 2 }, factors[2].GetProperty("values").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(new[] { 0, 0.25, 0.5, 0.75, 1 }, factors[3].GetProperty("values").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(options.Levels, factors.Select(f => f.GetProperty("levels").GetInt32()));
    }

    [Fact]
    public void Write_refuses_a_folder_holding_a_set_unless_told_to_overwrite_it()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File(DSprites.TestFactors), "mine");
        var e = Assert.Throws<BottleneckException>(() => DSprites.Write(dir.Path, Small));
        Assert.Contains(DSprites.TestFactors, e.Message);
        Assert.Equal("mine", File.ReadAllText(dir.File(DSprites.TestFactors)));
        Assert.Single(Directory.GetFiles(dir.Path));

        DSprites.Write(dir.Path, Small, overwrite: true);
        var (_, test) = DSprites.Write(dir.Path, Small with { Seed = 5 }, overwrite: true);
        Assert.Equal(test.Factors!.Values, DSprites.Load(dir.Path).Test.Factors!.Values);
        Assert.Equal(DSprites.FileNames.Count, Directory.GetFiles(dir.Path).Length); // no temporary files left
    }

    [Fact]
    public void The_locator_finds_a_set_where_it_finds_mnist_and_never_downloads_one()
    {
        using var dir = new TempDir();
        Stream NoDownload(Uri uri, CancellationToken cancel) => throw new InvalidOperationException($"tried to download {uri}");
        Func<string, string?> Env(string? data) => v => v switch
        {
            "XDG_CACHE_HOME" => dir.File("cache"),
            DatasetLocator.EnvironmentVariable => data,
            _ => null,
        };
        DSprites.Write(dir.File("explicit"), Small);
        DSprites.Write(dir.File("root/dsprites"), Small);
        Assert.Equal(dir.File("explicit"), new DatasetLocator(NoDownload, Env(null)).Locate("dsprites", dir.File("explicit")));
        Assert.Equal(Path.Combine(dir.File("root"), "dsprites"), new DatasetLocator(NoDownload, Env(dir.File("root"))).Locate("dsprites"));
        string cache = Path.Combine(dir.File("cache"), "bottleneck", "dsprites");
        DSprites.Write(cache, Small);
        Assert.Equal(cache, new DatasetLocator(NoDownload, Env(null)).Locate("dsprites"));
        Directory.Delete(cache, recursive: true);

        var none = Assert.Throws<BottleneckException>(() => new DatasetLocator(NoDownload, Env(null)).Locate("dsprites"));
        Assert.Contains("bottleneck data dsprites --out DIR", none.Message);
        Assert.Contains(cache, none.Message);

        // The IDX files alone are not enough: the factors belong to the set.
        File.Delete(Path.Combine(dir.File("explicit"), DSprites.TestFactors));
        var partial = Assert.Throws<BottleneckException>(() => new DatasetLocator(NoDownload, Env(null)).Locate("dsprites", dir.File("explicit")));
        Assert.Contains($"{DSprites.TestFactors} is missing", partial.Message);
        Assert.Contains("bottleneck data dsprites --out DIR", partial.Message);

        var (train, test) = NamedDataset.Load("dsprites", dir.File("root/dsprites"));
        Assert.Equal((900, 1024), (train.Count + test.Count, train.FeatureCount));
        Assert.NotNull(train.Factors);
    }

    public static TheoryData<string, Action<string>, string> Damage() => new()
    {
        { "truncated images", dir => Truncate(Path.Combine(dir, Mnist.TrainImages), 100), Mnist.TrainImages },
        { "missing labels", dir => File.Delete(Path.Combine(dir, Mnist.TestLabels)), Mnist.TestLabels },
        { "a factor row missing", dir => DropLastLine(Path.Combine(dir, DSprites.TrainFactors)), DSprites.TrainFactors },
        { "an index out of range", dir => ReplaceRow(Path.Combine(dir, DSprites.TestFactors), 3, "0,1,2,9,0"), DSprites.TestFactors },
        { "a shape out of range", dir => ReplaceRow(Path.Combine(dir, DSprites.TestFactors), 1, "3,0,0,0,0"), DSprites.TestFactors },
        { "a non-integer index", dir => ReplaceRow(Path.Combine(dir, DSprites.TrainFactors), 2, "1,0.5,0,0,0"), DSprites.TrainFactors },
        { "a text value", dir => ReplaceRow(Path.Combine(dir, DSprites.TrainFactors), 2, "1,big,0,0,0"), DSprites.TrainFactors },
        { "a wrong header", dir => ReplaceRow(Path.Combine(dir, DSprites.TrainFactors), 0, "shape,scale,orientation,y,x"), DSprites.TrainFactors },
        { "factors.json not JSON", dir => File.WriteAllText(Path.Combine(dir, DSprites.DescriptionName), "{ side: 32"), DSprites.DescriptionName },
        { "factors.json without factors", dir => File.WriteAllText(Path.Combine(dir, DSprites.DescriptionName), "{\"side\": 32}"), DSprites.DescriptionName },
        { "factors.json with another side", dir => Edit(Path.Combine(dir, DSprites.DescriptionName), "\"side\": 32", "\"side\": 64"), Mnist.TrainImages },
        { "factors.json with other levels", dir => Edit(Path.Combine(dir, DSprites.DescriptionName), "\"levels\": 5", "\"levels\": 4"), DSprites.DescriptionName },
        { "labels not the shapes", dir => FlipFirstLabel(Path.Combine(dir, Mnist.TrainLabels)), Mnist.TrainLabels },
    };

    [Theory]
    [MemberData(nameof(Damage))]
    public void Damaged_files_give_one_clear_error_naming_the_file(string what, Action<string> damage, string file)
    {
        using var dir = new TempDir();
        DSprites.Write(dir.Path, Small);
        damage(dir.Path);
        var e = Assert.Throws<BottleneckException>(() => DSprites.Load(dir.Path));
        Assert.True(e.Message.Contains(file, StringComparison.Ordinal), $"{what}: {e.Message}");
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Damage_messages_say_what_is_wrong()
    {
        using var dir = new TempDir();
        DSprites.Write(dir.Path, Small);
        string path = Path.Combine(dir.Path, DSprites.TestFactors);
        string original = File.ReadAllText(path);
        DropLastLine(path);
        Assert.Contains($"has {Small.TestCount - 1} rows of factors but", Assert.Throws<BottleneckException>(() => DSprites.Load(dir.Path)).Message);
        File.WriteAllText(path, original);
        ReplaceRow(path, 3, "0,1,2,9,0");
        Assert.Contains("data row 3, column x: 9 is not a level index 0 to 4", Assert.Throws<BottleneckException>(() => DSprites.Load(dir.Path)).Message);
        Truncate(Path.Combine(dir.Path, Mnist.TrainImages), 100);
        Assert.Contains("truncated", Assert.Throws<BottleneckException>(() => DSprites.Load(dir.Path)).Message);
    }

    [Theory]
    [InlineData(48, 3, 4, 5, 0.1, "32 or 64")]
    [InlineData(32, 1, 4, 5, 0.1, "scale levels")]
    [InlineData(32, 3, 361, 5, 0.1, "orientation levels")]
    [InlineData(32, 3, 4, 33, 0.1, "position levels")]
    [InlineData(64, 64, 360, 64, 0.1, "MiB")]
    [InlineData(32, 3, 4, 5, 1.0, "test fraction")]
    [InlineData(32, 2, 2, 2, 0.01, "test part empty")]
    [InlineData(32, 2, 2, 2, 0.99, "training part empty")]
    public void Options_out_of_range_are_refused(int side, int scales, int orientations, int positions, double fraction, string message)
    {
        var options = new DSpritesOptions { Side = side, Scales = scales, Orientations = orientations, Positions = positions, TestFraction = fraction };
        Assert.Contains(message, Assert.Throws<BottleneckException>(() => DSprites.Generate(options)).Message);
    }

    [Fact]
    public void Factors_are_attached_only_when_they_fit_and_follow_slices_and_selections()
    {
        var (train, _) = DSprites.Generate(Small);
        var f = train.Factors!;
        var other = new FactorTable(f.Names, f.Levels, f.Values[..(5 * 10)]);
        Assert.Contains("10 rows of factors", Assert.Throws<BottleneckException>(() => train.WithFactors(other)).Message);
        Assert.Same(f, train.Factors);

        var slice = train.Slice(20, 7);
        Assert.Equal(f.Values.AsSpan(100, 35).ToArray(), slice.Factors!.Values);
        var picked = train.Select([5, 2]);
        Assert.Equal(f.Values.AsSpan(25, 5).ToArray().Concat(f.Values.AsSpan(10, 5).ToArray()), picked.Factors!.Values);
        Assert.Equal(f.Levels, picked.Factors.Levels);
    }

    private static void Truncate(string path, int bytes)
    {
        var content = File.ReadAllBytes(path);
        File.WriteAllBytes(path, content[..^bytes]);
    }

    private static void DropLastLine(string path)
    {
        var lines = File.ReadAllLines(path);
        File.WriteAllLines(path, lines[..^1]);
    }

    private static void ReplaceRow(string path, int line, string row)
    {
        var lines = File.ReadAllLines(path);
        lines[line] = row;
        File.WriteAllLines(path, lines);
    }

    private static void Edit(string path, string from, string to)
    {
        string text = File.ReadAllText(path);
        Assert.Contains(from, text);
        File.WriteAllText(path, text.Replace(from, to, StringComparison.Ordinal));
    }

    private static void FlipFirstLabel(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[8] = (byte)((bytes[8] + 1) % 3); // after the 4-byte magic and the one dimension
        File.WriteAllBytes(path, bytes);
    }
}
