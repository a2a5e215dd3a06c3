using System.CommandLine;
using System.Globalization;
using Bottleneck.Applications;
using Bottleneck.Reports;

namespace Bottleneck.Cli.Commands;

/// <summary>`bottleneck generate`: new images from a VAE (codes drawn from N(0, I)) or an AAE (codes drawn from its prior).</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var modelData = new ModelData();
        var count = new Option<int>("--count") { Description = "Images to generate", DefaultValueFactory = _ => 64 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the codes drawn", DefaultValueFactory = _ => 42UL };
        var nrow = new Option<int>("--nrow") { Description = "Images per row of the grid", DefaultValueFactory = _ => 8 };
        var component = new Option<int?>("--component") { Description = "aae with a mixture or categorical prior: draw every code from this component or cluster (0 to K-1; with --prior-labels, the class)" };
        var output = new Option<string?>("--out") { Description = $"The grid PNG (default RUN/{RunFolder.GeneratedStem}.png, shown in the run's report)" };
        var command = new Command("generate", "Generate images with a variational model (vae, beta-vae: codes drawn from N(0, I)) or an adversarial one (aae: codes drawn from its prior), decoded, as a grid.\n\nExample:\n" +
            "  bottleneck train --kind vae --data ../shared/datasets/mnist --out runs/vae\n" +
            "  bottleneck generate --model runs/vae --count 64 --seed 1")
        {
            modelData.Model, count, seed, nrow, component, output,
        };
        command.SetAction(parse =>
        {
            int n = OptionParsing.AtLeast(parse.GetValue(count), 1, "--count");
            int perRow = OptionParsing.AtLeast(parse.GetValue(nrow), 1, "--nrow");
            if (parse.GetValue(output) is { } given) ApplyConsole.Png(given);
            var (model, _, runDirectory) = modelData.LoadModel(parse);
            var shape = ImageShape.Of(model, "generate");
            var (_, images) = Generation.Sample(model, n, parse.GetValue(seed), parse.GetValue(component));
            string path = ApplyConsole.OutputOrDefault(parse.GetValue(output), runDirectory, RunFolder.GeneratedStem);
            ImageGrid.Save(path, images, shape.Channels, shape.Height, shape.Width, nrow: perRow);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {path}: {n} generated images"));
            ApplyConsole.RefreshReport(modelData, parse, runDirectory, path);
            return 0;
        });
        return command;
    }
}
