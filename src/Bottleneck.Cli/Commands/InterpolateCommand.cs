using System.CommandLine;
using System.Globalization;
using Bottleneck.Applications;
using Bottleneck.Reports;

namespace Bottleneck.Cli.Commands;

/// <summary>`bottleneck interpolate`: a walk in the latent space from one item's code to another's.</summary>
internal static class InterpolateCommand
{
    public static Command Create()
    {
        var modelData = new ModelData();
        var from = new Option<int>("--from") { Description = "Index of the first item in the split", Required = true };
        var to = new Option<int>("--to") { Description = "Index of the last item in the split", Required = true };
        var steps = new Option<int>("--steps") { Description = "Images in the row, both ends included", DefaultValueFactory = _ => 10 };
        var output = new Option<string?>("--out") { Description = $"The PNG (default RUN/{RunFolder.InterpolationStem}.png, shown in the run's report)" };
        var command = new Command("interpolate", "Encode items I and J, interpolate linearly between their codes, and decode: one row of images from I to J.\n\nExample:\n" +
            "  bottleneck interpolate --model runs/vae --data ../shared/datasets/mnist --from 0 --to 1 --steps 10")
        {
            from, to, steps, output,
        };
        modelData.AddTo(command);
        command.SetAction(parse =>
        {
            int n = OptionParsing.AtLeast(parse.GetValue(steps), 2, "--steps");
            int i = OptionParsing.AtLeast(parse.GetValue(from), 0, "--from");
            int j = OptionParsing.AtLeast(parse.GetValue(to), 0, "--to");
            if (parse.GetValue(output) is { } given) ApplyConsole.Png(given);
            var (model, json, runDirectory) = modelData.LoadModel(parse);
            var shape = ImageShape.Of(model, "interpolate");
            var data = modelData.LoadData(parse, json);
            var (_, images) = Generation.Interpolate(model, data, i, j, n);
            string path = ApplyConsole.OutputOrDefault(parse.GetValue(output), runDirectory, RunFolder.InterpolationStem);
            ImageGrid.Save(path, images, shape.Channels, shape.Height, shape.Width, nrow: n);
            string Item(int k) => data.Labels is { } labels ? string.Create(CultureInfo.InvariantCulture, $"item {k} (label {labels[k]})") : string.Create(CultureInfo.InvariantCulture, $"item {k}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {path}: {n} images from {Item(i)} to {Item(j)} of {data.Name}"));
            ApplyConsole.RefreshReport(modelData, parse, runDirectory, path);
            return 0;
        });
        return command;
    }
}
