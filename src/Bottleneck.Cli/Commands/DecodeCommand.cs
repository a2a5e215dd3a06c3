using System.CommandLine;
using System.Globalization;
using Bottleneck.Applications;
using Bottleneck.Reports;

namespace Bottleneck.Cli.Commands;

/// <summary>`bottleneck decode`: codes back to images (a grid PNG) or to a table of items.</summary>
internal static class DecodeCommand
{
    public static Command Create()
    {
        var modelData = new ModelData();
        var codes = new Option<string>("--codes") { Description = "Codes file written by `bottleneck encode`: .csv, .npy or .npz", Required = true };
        var output = new Option<string>("--out") { Description = "images.png (image models: a grid), or .csv, .npy, .npz for the decoded values (tables: in the data's own units)", Required = true };
        var count = new Option<int?>("--count") { Description = "Decode only the first N codes (default: all)" };
        var nrow = new Option<int>("--nrow") { Description = "Images per row of the grid", DefaultValueFactory = _ => 8 };
        var command = new Command("decode", "Decode latent codes back to items: a grid of images, or a table of values.\n\nExamples:\n" +
            "  bottleneck encode --model runs/tutorial --data ../shared/datasets/mnist --out codes.npy\n" +
            "  bottleneck decode --model runs/tutorial --codes codes.npy --count 64 --out decoded.png\n" +
            "  bottleneck decode --model runs/tutorial --codes codes.npy --out decoded.npy")
        {
            modelData.Model, codes, output, count, nrow,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(output)!;
            if (TextModel.Is(parse.GetValue(modelData.Model)!))
            {
                int? first = parse.GetValue(count) is int k ? OptionParsing.AtLeast(k, 1, "--count") : null;
                return TextModel.Decode(parse.GetValue(modelData.Model)!, parse.GetValue(codes)!, path, first);
            }
            bool png = path.EndsWith(".png", StringComparison.OrdinalIgnoreCase);
            if (!png) LatentCodes.FormatOf(path, "--out file (.png, .csv, .npy or .npz)");
            int columns = OptionParsing.AtLeast(parse.GetValue(nrow), 1, "--nrow");
            int? limit = parse.GetValue(count) is int c ? OptionParsing.AtLeast(c, 1, "--count") : null;
            var (model, json, _) = modelData.LoadModel(parse);
            var shape = png ? ImageShape.Of(model, "decode to a .png") : (ImageShape?)null;
            var set = LatentCodes.Load(parse.GetValue(codes)!);
            if (limit is int n && n < set.Count)
                set = new CodeSet(set.Codes[..(n * set.Latent)], n, set.Latent, set.Labels?[..n]);
            var items = LatentCodes.Decode(model, set);
            if (shape is { } s)
            {
                ImageGrid.Save(path, items, s.Channels, s.Height, s.Width, nrow: columns);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {path}: {set.Count} decoded images"));
                return 0;
            }
            // Table models decode to scaled features; the file gets them back in the data's units.
            json.Normalization.FeatureScaler()?.InverseTransformInPlace(items.Span);
            var written = ItemTable.Save(path, items.Buffer[..items.Length], set.Count, model.Config.InputSize, set.Labels);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {string.Join(" and ", written)}: {set.Count} items of {model.Config.InputSize} values"));
            return 0;
        });
        return command;
    }
}
