using System.Globalization;
using System.Text.Json;
using Bottleneck.Formats;
using Bottleneck.IO;
using Bottleneck.Tensors;

namespace Bottleneck.Data;

/// <summary>
/// A procedural data set like DeepMind's dSprites: binary images (0 or 255) of a square, an
/// ellipse or a heart, at every combination of five factors (shape, scale, orientation, x and y
/// position), split at random into a training and a test part. Written as MNIST's four IDX files
/// (uncompressed; labels are the shape) beside one CSV of factor level indices per part and a
/// factors.json giving each level's real value, so that the MNIST loader and other tools read it.
/// </summary>
public static class DSprites
{
    public const string TrainFactors = "train-factors.csv";
    public const string TestFactors = "t10k-factors.csv";
    public const string DescriptionName = "factors.json";

    /// <summary>The seven files of a set, as written (never gzip-compressed).</summary>
    public static IReadOnlyList<string> FileNames { get; } = [Mnist.TrainImages, Mnist.TrainLabels, Mnist.TestImages, Mnist.TestLabels, TrainFactors, TestFactors, DescriptionName];

    /// <summary>The factors in column order (the CSV header); shape varies slowest in the combination order.</summary>
    public static IReadOnlyList<string> FactorNames { get; } = ["shape", "scale", "orientation", "x", "y"];

    /// <summary>The shapes, label k being ShapeNames[k].</summary>
    public static IReadOnlyList<string> ShapeNames { get; } = ["square", "ellipse", "heart"];

    /// <summary>
    /// The radius, as a fraction of the canvas side, of the circle around the largest sprite (its
    /// centre is the rotation centre, and every shape reaches that circle): the rotated square is then
    /// 40% of the side, the ellipse's long axis 56% and the heart 49% wide, and the smallest sprites
    /// on a 32-pixel canvas still cover 30 to 45 pixels.
    /// </summary>
    public const double Radius = 0.28;

    /// <summary>
    /// How far, as a fraction of the side, sprite centres keep from the edges: position 0 puts the
    /// centre this far from the left (x) or top (y) edge and 1 as far from the right or bottom, so
    /// that the largest sprite at any rotation stays wholly inside the canvas.
    /// </summary>
    public const double Margin = Radius;

    /// <summary>Half the square's side in units of <see cref="Radius"/>: its corners reach the circle.</summary>
    private static readonly double SquareHalf = Math.Sqrt(0.5);

    /// <summary>The ellipse's semi-minor axis in units of <see cref="Radius"/> (the semi-major is 1): axes 2:1.</summary>
    private const double EllipseMinor = 0.5;

    // The heart is the implicit curve (x² + y² − 1)³ − x²y³ ≤ 0, which spans x in ±1.139 and y from
    // −1 (the tip) to 1.236. Its area's centroid is near y = 0.3, the rotation centre here; from there
    // the tip, at distance 1.3, is the farthest point, so that distance becomes Radius.
    private const double HeartCentre = 0.3;
    private const double HeartReach = 1.3;

    /// <summary>Scale of level <paramref name="level"/> of <paramref name="levels"/>: linearly 0.5 to 1.</summary>
    public static double ScaleValue(int level, int levels) => 0.5 + 0.5 * level / (levels - 1);

    /// <summary>Rotation in radians, counterclockwise as drawn: 2π·level / levels.</summary>
    public static double OrientationValue(int level, int levels) => 2 * Math.PI * level / levels;

    /// <summary>Position in [0, 1] between the margins: level / (levels − 1).</summary>
    public static double PositionValue(int level, int levels) => (double)level / (levels - 1);

    /// <summary>
    /// Draws one sprite into <paramref name="image"/> (Side × Side bytes, row after row, top row
    /// first): 255 where the pixel's centre lies inside the rotated, scaled shape, else 0.
    /// <paramref name="factors"/> holds the five level indices in <see cref="FactorNames"/> order.
    /// </summary>
    public static void Render(DSpritesOptions options, ReadOnlySpan<int> factors, Span<byte> image)
    {
        ArgumentNullException.ThrowIfNull(options);
        int side = options.Side;
        var levels = options.Levels;
        if (factors.Length != levels.Length) throw new ArgumentException($"a sprite has {levels.Length} factors, not {factors.Length}", nameof(factors));
        for (int f = 0; f < levels.Length; f++)
            if ((uint)factors[f] >= (uint)levels[f])
                throw new ArgumentOutOfRangeException(nameof(factors), $"factor {FactorNames[f]} has index {factors[f]}, outside 0 to {levels[f] - 1}");
        if (image.Length != side * side) throw new ArgumentException($"a {side}×{side} image has {side * side} pixels, not {image.Length}", nameof(image));

        int shape = factors[0];
        // In pixels: the sprite's circle radius and centre.
        double radius = Radius * ScaleValue(factors[1], levels[1]) * side;
        double angle = OrientationValue(factors[2], levels[2]);
        double travel = (1 - 2 * Margin) * side;
        double cx = Margin * side + PositionValue(factors[3], levels[3]) * travel;
        double cy = Margin * side + PositionValue(factors[4], levels[4]) * travel;
        double cos = Math.Cos(angle), sin = Math.Sin(angle);

        for (int row = 0; row < side; row++)
        {
            // Up is positive in the shape's frame, so that the heart's tip points down at orientation 0.
            double dy = cy - (row + 0.5);
            for (int col = 0; col < side; col++)
            {
                double dx = col + 0.5 - cx;
                // Rotating the pixel by −angle into the shape's frame draws the shape rotated by +angle;
                // dividing by the radius puts the shape's circle at 1.
                double u = (cos * dx + sin * dy) / radius;
                double v = (cos * dy - sin * dx) / radius;
                image[row * side + col] = Inside(shape, u, v) ? (byte)255 : (byte)0;
            }
        }
    }

    /// <summary>Whether (u, v), in the shape's frame scaled so that its circle has radius 1, is inside the shape.</summary>
    private static bool Inside(int shape, double u, double v)
    {
        // Outside every shape's circle. The tolerance keeps rounding from cutting the square's corners, which lie on it.
        if (u * u + v * v > 1.000001) return false;
        switch (shape)
        {
            case 0:
                return Math.Abs(u) <= SquareHalf && Math.Abs(v) <= SquareHalf;
            case 1:
                double w = v / EllipseMinor;
                return u * u + w * w <= 1;
            default:
                double x = u * HeartReach, y = v * HeartReach + HeartCentre;
                double r = x * x + y * y - 1;
                return r * r * r - x * x * y * y * y <= 0;
        }
    }

    /// <summary>
    /// Renders every combination and splits them: a seeded random <see cref="DSpritesOptions.TestFraction"/>
    /// of them (rounded) is the test part, the rest the training part, each in shuffled order
    /// (not factor order), labels = shape, factors attached.
    /// </summary>
    public static (Dataset Train, Dataset Test) Generate(DSpritesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int count = (int)options.Combinations;
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        new Rng(options.Seed).Shuffle(order);
        int testCount = options.TestCount;
        var test = Build(options, new ArraySegment<int>(order, 0, testCount), "dsprites-test");
        var train = Build(options, new ArraySegment<int>(order, testCount, count - testCount), "dsprites-train");
        return (train, test);
    }

    private static Dataset Build(DSpritesOptions options, ArraySegment<int> combinations, string name)
    {
        var levels = options.Levels;
        int n = combinations.Count, k = levels.Length, pixels = options.Side * options.Side;
        var factors = new int[n * k];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            // Mixed radix, the last factor (y) varying fastest.
            int c = combinations[i];
            for (int f = k - 1; f >= 0; f--)
            {
                factors[i * k + f] = c % levels[f];
                c /= levels[f];
            }
            labels[i] = factors[i * k];
        }
        var images = new byte[(long)n * pixels];
        // Every image is drawn on its own from its factors: the same bytes on any number of threads.
        Parallel.For(0, n, i => Render(options, factors.AsSpan(i * k, k), images.AsSpan(i * pixels, pixels)));
        return Dataset.FromPixels(name, images, n, pixels, labels, [1, options.Side, options.Side])
            .WithFactors(new FactorTable(FactorNames, levels, factors));
    }

    /// <summary>The files of a set that are already in <paramref name="folder"/> (none when the folder does not exist).</summary>
    public static IReadOnlyList<string> FilesIn(string folder) =>
        [.. FileNames.Where(f => File.Exists(Path.Combine(folder, f)))];

    /// <summary>
    /// Generates the set and writes its seven files into <paramref name="folder"/> (created if
    /// needed), each atomically. Refuses a folder that already holds any of them unless
    /// <paramref name="overwrite"/>. Returns the two parts as written.
    /// </summary>
    public static (Dataset Train, Dataset Test) Write(string folder, DSpritesOptions options, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var present = FilesIn(folder);
        if (!overwrite && present.Count > 0)
            throw new BottleneckException($"{folder}: already holds {string.Join(", ", present)}; choose another folder or overwrite them");
        var (train, test) = Generate(options);

        // factors.json goes first and comes back last: a run killed in between leaves a folder
        // without it, which the loader and the locator refuse, never old files mixed with new ones
        // passing for one set (each file on its own is written atomically).
        string description = Path.Combine(folder, DescriptionName);
        if (File.Exists(description)) File.Delete(description);
        WritePart(folder, train, Mnist.TrainImages, Mnist.TrainLabels, TrainFactors);
        WritePart(folder, test, Mnist.TestImages, Mnist.TestLabels, TestFactors);
        AtomicFile.Write(description, stream => WriteDescription(stream, options));
        return (train, test);
    }

    private static void WritePart(string folder, Dataset part, string imagesName, string labelsName, string factorsName)
    {
        int side = part.SampleShape![1];
        AtomicFile.Write(Path.Combine(folder, imagesName), s => IdxFile.WriteUBytes(s, [part.Count, side, side], part.Pixels));
        var labels = new byte[part.Count];
        for (int i = 0; i < labels.Length; i++) labels[i] = (byte)part.Labels![i];
        AtomicFile.Write(Path.Combine(folder, labelsName), s => IdxFile.WriteUBytes(s, [part.Count], labels));
        var factors = part.Factors!;
        CsvWriter.WriteFile(Path.Combine(folder, factorsName), csv =>
        {
            csv.Row(FactorNames);
            for (int i = 0; i < factors.Count; i++)
            {
                for (int f = 0; f < factors.FactorCount; f++) csv.Field(factors[i, f]);
                csv.EndRow();
            }
        });
    }

    private static void WriteDescription(Stream stream, DSpritesOptions options)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        var levels = options.Levels;
        json.WriteStartObject();
        json.WriteString("dataset", "dsprites");
        json.WriteNumber("side", options.Side);
        // What the values below mean on the canvas, so that the files describe themselves.
        json.WriteNumber("radius", Radius);
        json.WriteNumber("margin", Margin);
        json.WriteString("positions", "x from the left, y from the top, in [0, 1]: 0 puts the sprite centre margin times the side from that edge, 1 as far from the opposite edge");
        json.WriteString("orientations", "radians, counterclockwise as drawn");
        json.WriteNumber("test_fraction", options.TestFraction);
        json.WriteNumber("seed", options.Seed);
        json.WriteStartArray("factors");
        for (int f = 0; f < levels.Length; f++)
        {
            json.WriteStartObject();
            json.WriteString("name", FactorNames[f]);
            json.WriteNumber("levels", levels[f]);
            json.WriteStartArray("values");
            for (int l = 0; l < levels[f]; l++)
            {
                switch (f)
                {
                    case 0: json.WriteStringValue(ShapeNames[l]); break;
                    case 1: json.WriteNumberValue(ScaleValue(l, levels[f])); break;
                    case 2: json.WriteNumberValue(OrientationValue(l, levels[f])); break;
                    default: json.WriteNumberValue(PositionValue(l, levels[f])); break;
                }
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>
    /// Loads a set written by <see cref="Write"/>: pixels as bytes (values byte / 255), sample shape
    /// [1, side, side], labels = shape, the factors attached. Any damaged or inconsistent file is
    /// a <see cref="BottleneckException"/> naming it.
    /// </summary>
    public static (Dataset Train, Dataset Test) Load(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var (side, levels) = ReadDescription(Existing(folder, DescriptionName));
        var train = LoadPart(folder, Mnist.TrainImages, Mnist.TrainLabels, TrainFactors, side, levels, "dsprites-train");
        var test = LoadPart(folder, Mnist.TestImages, Mnist.TestLabels, TestFactors, side, levels, "dsprites-test");
        return (train, test);
    }

    private static string Existing(string folder, string name)
    {
        string path = Path.Combine(folder, name);
        if (!File.Exists(path))
            throw new BottleneckException($"{path}: the file is missing; a dSprites folder holds {string.Join(", ", FileNames)} (bottleneck data dsprites --out DIR writes them)");
        return path;
    }

    private static Dataset LoadPart(string folder, string imagesName, string labelsName, string factorsName, int side, int[] levels, string name)
    {
        string imagesPath = Existing(folder, imagesName);
        string labelsPath = Existing(folder, labelsName);
        string factorsPath = Existing(folder, factorsName);
        var images = IdxFile.Read(imagesPath);
        if (images.Type != IdxType.UByte || images.Dimensions.Length != 3 || images.Dimensions[1] != side || images.Dimensions[2] != side)
            throw new BottleneckException($"{imagesPath}: expected unsigned-byte images of shape [N, {side}, {side}] (the side in {DescriptionName}), found type {images.Type} with dimensions [{string.Join(", ", images.Dimensions)}]");
        int count = images.Dimensions[0];
        var labels = IdxFile.Read(labelsPath);
        if (labels.Type != IdxType.UByte || labels.Dimensions.Length != 1 || labels.Dimensions[0] != count)
            throw new BottleneckException($"{labelsPath}: expected {count} unsigned-byte labels (one per image in {imagesName}), found type {labels.Type} with dimensions [{string.Join(", ", labels.Dimensions)}]");

        var table = CsvTable.Read(factorsPath, new CsvOptions { Delimiter = ',', FeatureColumns = FactorNames });
        if (!table.Columns.SequenceEqual(FactorNames))
            throw new BottleneckException($"{factorsPath}: the header is {string.Join(",", table.Columns)}; expected {string.Join(",", FactorNames)}");
        if (table.RowCount != count)
            throw new BottleneckException($"{factorsPath}: has {table.RowCount} rows of factors but {imagesPath} has {count} images; the files do not belong together, write the set again");
        int k = levels.Length;
        var factors = new int[count * k];
        for (int i = 0; i < factors.Length; i++)
        {
            float value = table.Features[i];
            int f = i % k;
            if (value != MathF.Floor(value) || value < 0 || value >= levels[f])
                throw new BottleneckException($"{factorsPath}: data row {i / k + 1}, column {FactorNames[f]}: {value.ToString(CultureInfo.InvariantCulture)} is not a level index 0 to {levels[f] - 1}");
            factors[i] = (int)value;
        }
        var labelValues = new int[count];
        for (int i = 0; i < count; i++)
        {
            labelValues[i] = labels.Data[i];
            if (labelValues[i] != factors[i * k])
                throw new BottleneckException($"{labelsPath}: label {i} is {labelValues[i]} but {factorsName} gives shape {factors[i * k]} for that image; the files do not belong together");
        }
        return Dataset.FromPixels(name, images.Data, count, side * side, labelValues, [1, side, side])
            .WithFactors(new FactorTable(FactorNames, levels, factors));
    }

    /// <summary>The canvas side and level counts from factors.json, checked against the factors this set has.</summary>
    private static (int Side, int[] Levels) ReadDescription(string path)
    {
        JsonDocument document;
        try
        {
            document = InputFile.Read(path, stream => JsonDocument.Parse(stream));
        }
        catch (JsonException e)
        {
            throw Bad($"is not valid JSON ({e.Message})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad("should hold a JSON object");
            int side = Integer(root, "side", "the file");
            if (side < 1 || side > 4096) throw Bad($"gives a canvas side of {side}");
            if (!root.TryGetProperty("factors", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() != FactorNames.Count)
                throw Bad($"should list the {FactorNames.Count} factors {string.Join(", ", FactorNames)} under \"factors\"");
            var levels = new int[FactorNames.Count];
            int f = 0;
            foreach (var factor in list.EnumerateArray())
            {
                string where = $"factor {f + 1}";
                if (factor.ValueKind != JsonValueKind.Object) throw Bad($"{where} should be a JSON object");
                string? name = factor.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                if (name != FactorNames[f]) throw Bad($"{where} is named {(name is null ? "nothing" : $"'{CsvTable.Escape(name)}'")}; expected '{FactorNames[f]}'");
                levels[f] = Integer(factor, "levels", name);
                if (levels[f] < 1 || (f == 0 && levels[f] != ShapeNames.Count)) throw Bad($"{name} has {levels[f]} levels");
                if (!factor.TryGetProperty("values", out var values) || values.ValueKind != JsonValueKind.Array || values.GetArrayLength() != levels[f])
                    throw Bad($"{name} should list its {levels[f]} level values under \"values\"");
                f++;
            }
            return (side, levels);
        }

        int Integer(JsonElement element, string property, string owner)
        {
            if (!element.TryGetProperty(property, out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int result))
                throw Bad($"{owner} needs \"{property}\" as an integer");
            return result;
        }

        BottleneckException Bad(string what) => new($"{path}: {what}; write the set again with bottleneck data dsprites");
    }
}
