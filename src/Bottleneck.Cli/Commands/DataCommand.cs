using System.CommandLine;
using System.Globalization;
using Bottleneck.Data;

namespace Bottleneck.Cli.Commands;

/// <summary>`bottleneck data`: commands that make data sets; `bottleneck data dsprites` writes a dSprites-like set.</summary>
internal static class DataCommand
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var command = new Command("data", "Make data sets to train on.");
        command.Subcommands.Add(CreateDSprites());
        return command;
    }

    public static Command CreateDSprites()
    {
        var d = new DSpritesOptions();
        var output = new Option<string>("--out") { Description = "The folder to write the set into (created if needed)", Required = true };
        var size = new Option<int>("--size") { Description = "Canvas side in pixels: 32 or 64", DefaultValueFactory = _ => d.Side };
        var scales = new Option<int>("--scales") { Description = $"Scale levels, linearly 0.5 to 1 of the largest size (2 to {DSpritesOptions.MaxScales})", DefaultValueFactory = _ => d.Scales };
        var orientations = new Option<int>("--orientations") { Description = $"Rotations, evenly spaced over [0, 2π) (2 to {DSpritesOptions.MaxOrientations})", DefaultValueFactory = _ => d.Orientations };
        var positions = new Option<int>("--positions") { Description = "Positions along each of x and y, evenly spaced with the largest sprite inside the canvas (2 to the canvas side)", DefaultValueFactory = _ => d.Positions };
        var testFraction = new Option<double>("--test-fraction") { Description = "Share of the combinations drawn at random for the test part (0 to 1, exclusive)", DefaultValueFactory = _ => d.TestFraction };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the split and of the order of the items", DefaultValueFactory = _ => d.Seed };
        var force = new Option<bool>("--force") { Description = "Overwrite the set's files if the folder already holds any" };
        var command = new Command("dsprites", "Write a procedural dSprites-like set: binary images of a square, an ellipse or a heart at every combination of " +
            "scale, orientation and x and y position, split at random into train and test parts. The folder holds MNIST's four IDX files (uncompressed; " +
            $"label = shape), {DSprites.TrainFactors} and {DSprites.TestFactors} (each image's factor level indices, in file order) and {DSprites.DescriptionName} " +
            "(each level's value). Train on it with --dataset dsprites --data DIR.\n\n" +
            "Examples:\n" +
            "  bottleneck data dsprites --out data/dsprites\n" +
            "  bottleneck data dsprites --size 64 --positions 32 --out data/dsprites64\n" +
            "  bottleneck train --kind beta-vae --dataset dsprites --data data/dsprites --out runs/dsprites")
        {
            output, size, scales, orientations, positions, testFraction, seed, force,
        };
        command.SetAction(parse =>
        {
            int side = parse.GetValue(size);
            if (side is not (32 or 64)) throw new UsageException($"--size must be 32 or 64, got {side}");
            var options = new DSpritesOptions
            {
                Side = side,
                Scales = Between(parse.GetValue(scales), 2, DSpritesOptions.MaxScales, "--scales"),
                Orientations = Between(parse.GetValue(orientations), 2, DSpritesOptions.MaxOrientations, "--orientations"),
                Positions = Between(parse.GetValue(positions), 2, side, "--positions"),
                TestFraction = parse.GetValue(testFraction),
                Seed = parse.GetValue(seed),
            };
            if (!(options.TestFraction > 0 && options.TestFraction < 1))
                throw new UsageException($"--test-fraction must be between 0 and 1 (exclusive), got {options.TestFraction.ToString(Invariant)}");
            if (options.PixelCount > DSpritesOptions.MaxPixels)
                throw new UsageException($"{options.Combinations.ToString("N0", Invariant)} images of {side}×{side} are {(options.PixelCount / (1 << 20)).ToString("N0", Invariant)} MiB of pixels, " +
                    $"more than the {DSpritesOptions.MaxPixels >> 20} MiB allowed; choose fewer --scales, --orientations or --positions");
            if (options.TestCount < 1 || options.TestCount > options.Combinations - 1)
                throw new UsageException($"--test-fraction {options.TestFraction.ToString(Invariant)} of {options.Combinations.ToString("N0", Invariant)} combinations leaves the {(options.TestCount < 1 ? "test" : "training")} part empty");

            string folder = parse.GetValue(output)!;
            bool overwrite = parse.GetValue(force);
            var present = DSprites.FilesIn(folder);
            if (!overwrite && present.Count > 0)
                throw new UsageException($"{folder} already holds {string.Join(", ", present)}; choose another --out, or add --force to overwrite the set");

            var (train, test) = DSprites.Write(folder, options, overwrite);
            foreach (var (part, files) in new[] { (train, $"{Mnist.TrainImages}, {Mnist.TrainLabels}, {DSprites.TrainFactors}"), (test, $"{Mnist.TestImages}, {Mnist.TestLabels}, {DSprites.TestFactors}") })
                Console.WriteLine($"{part.Name}: {part.Count.ToString("N0", Invariant)} images of {side}×{side} ({files})");
            Console.WriteLine($"Wrote {options.Combinations.ToString("N0", Invariant)} combinations (3 shapes × {options.Scales} scales × {options.Orientations} orientations × " +
                $"{options.Positions}² positions, seed {options.Seed}) to {folder}");
            return 0;
        });
        return command;
    }

    private static int Between(int value, int minimum, int maximum, string option)
    {
        if (value < minimum || value > maximum) throw new UsageException($"{option} must be {minimum} to {maximum}, got {value}");
        return value;
    }
}
