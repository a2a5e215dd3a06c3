using System.CommandLine;
using System.Globalization;
using Bottleneck.Applications;
using Bottleneck.IO;

namespace Bottleneck.Cli.Commands;

/// <summary>`bottleneck reconstruct`: a grid of items over their reconstructions.</summary>
internal static class ReconstructCommand
{
    public static Command Create()
    {
        var modelData = new ModelData();
        var count = new Option<int>("--count") { Description = "Items to show (the first ones of the split)", DefaultValueFactory = _ => 16 };
        var nrow = new Option<int>("--nrow") { Description = "Images per row: each row of originals has its reconstructions below it", DefaultValueFactory = _ => 8 };
        var output = new Option<string>("--out") { Description = "The grid PNG", Required = true };
        var command = new Command("reconstruct", "Draw test images over their reconstructions, one row of originals above one row of reconstructions.\n\nExample:\n" +
            "  bottleneck reconstruct --model runs/tutorial --data ../shared/datasets/mnist --count 16 --out grid.png")
        {
            count, nrow, output,
        };
        modelData.AddTo(command);
        command.SetAction(parse =>
        {
            string path = ApplyConsole.Png(parse.GetValue(output)!);
            int n = OptionParsing.AtLeast(parse.GetValue(count), 1, "--count");
            int perRow = OptionParsing.AtLeast(parse.GetValue(nrow), 1, "--nrow");
            var (model, json, _) = modelData.LoadModel(parse);
            var shape = ImageShape.Of(model, "reconstruct");
            var data = modelData.LoadData(parse, json);
            var (images, columns) = Generation.ReconstructionGrid(model, data, n, perRow);
            ImageGrid.Save(path, images, shape.Channels, shape.Height, shape.Width, nrow: columns);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {path}: {Math.Min(n, data.Count)} items of {data.Name} over their reconstructions"));
            return 0;
        });
        return command;
    }
}
