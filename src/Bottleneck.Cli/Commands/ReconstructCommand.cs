using System.CommandLine;
using System.Globalization;
using Bottleneck.Applications;
using Bottleneck.Reports;

namespace Bottleneck.Cli.Commands;

/// <summary>`bottleneck reconstruct`: a grid of items over their reconstructions.</summary>
internal static class ReconstructCommand
{
    public static Command Create()
    {
        var modelData = new ModelData();
        var count = new Option<int>("--count") { Description = "Items to show (the first ones of the split)", DefaultValueFactory = _ => 16 };
        var nrow = new Option<int>("--nrow") { Description = "Images per row: each row of originals has its reconstructions below it", DefaultValueFactory = _ => 8 };
        var window = new Option<int>("--index") { Description = "Time series: the window to draw, counted from 0 in file order", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "The grid PNG (a seq2seq model: a CSV of each line beside its reconstruction)", Required = true };
        var command = new Command("reconstruct", "Draw test images over their reconstructions, one row of originals above one row of reconstructions; for a model of a time series, one window and its reconstruction.\n\nExamples:\n" +
            "  bottleneck reconstruct --model runs/gru --data sensors.csv --index 120 --out window.png\n" +
            "  bottleneck reconstruct --model runs/words --data words.txt --out words.csv\n" +
            "  bottleneck reconstruct --model runs/tutorial --data ../shared/datasets/mnist --count 16 --out grid.png")
        {
            count, nrow, window, output,
        };
        modelData.AddTo(command);
        command.SetAction(parse =>
        {
            if (modelData.IsTextModel(parse))
                return TextModel.Reconstruct(parse.GetValue(modelData.Model)!, parse.GetValue(modelData.Data), parse.GetValue(output)!);
            string path = ApplyConsole.Png(parse.GetValue(output)!);
            int n = OptionParsing.AtLeast(parse.GetValue(count), 1, "--count");
            int perRow = OptionParsing.AtLeast(parse.GetValue(nrow), 1, "--nrow");
            var (model, json, _) = modelData.LoadModel(parse);
            if (json.Windows is { } windows)
            {
                // A model of windows of a series: one window over its reconstruction.
                var series = modelData.LoadData(parse, json);
                int index = OptionParsing.AtLeast(parse.GetValue(window), 0, "--index");
                Reports.SequenceFigures.SaveReconstruction(model, series, windows.Variables, path, index);
                Console.WriteLine($"Wrote {path}: window {index} of {series.Name} over its reconstruction");
                return 0;
            }
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
