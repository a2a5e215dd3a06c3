using System.CommandLine;
using System.Globalization;
using Bottleneck.Applications;
using Bottleneck.Data;
using Bottleneck.Reports;

namespace Bottleneck.Cli.Commands;

/// <summary>`bottleneck embed`: the latent map of the test codes, and k-NN accuracy of the codes beside PCA.</summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        var modelData = new ModelData();
        var k = new Option<int>("--k") { Description = "Neighbours of the k-NN classifier", DefaultValueFactory = _ => Embedding.DefaultK };
        var limit = new Option<int?>("--limit") { Description = "Use the first N training and the first N test items only (quick tries)" };
        var output = new Option<string?>("--out") { Description = $"Stem of the map: writes STEM.png and STEM.svg (default RUN/{RunFolder.LatentMapStem}, shown in the run's report)" };
        var command = new Command("embed", "Map the test codes in 2-D coloured by label (PCA of the codes when the code is larger than 2), as PNG and SVG, and print the " +
            "k-NN accuracy (k = 5) of test codes against training codes beside the same on PCA projections of the inputs to as many dimensions.\n" +
            "Image datasets use their train and test splits; a labelled table (--data file --label-column) is split 70/30, stratified, seed 0.\n\nExample:\n" +
            "  bottleneck embed --model runs/tutorial --data ../shared/datasets/mnist")
        {
            modelData.Model, modelData.Data, modelData.LabelColumn, k, limit, output,
        };
        command.SetAction(parse =>
        {
            int neighbours = OptionParsing.AtLeast(parse.GetValue(k), 1, "--k");
            int? first = parse.GetValue(limit) is int f ? OptionParsing.AtLeast(f, 2, "--limit") : null;
            var (model, json, runDirectory) = modelData.LoadModel(parse);
            Dataset train, test;
            if (parse.GetValue(modelData.Data) is { } file && File.Exists(file))
            {
                var table = modelData.LoadData(parse, json);
                if (table.Labels is null)
                    throw new UsageException($"{file}: embed needs labels; name the label column with --label-column");
                (train, test) = DatasetSplit.Stratified(table, 0.7, 0);
            }
            else
            {
                string dataset = json.Run?.Dataset is { } name && DatasetLocator.Names.Contains(name) ? name : "mnist";
                (train, test) = NamedDataset.Load(dataset, new DatasetLocator().Locate(dataset, parse.GetValue(modelData.Data)));
            }
            if (first is int n)
            {
                train = train.Slice(0, Math.Min(n, train.Count));
                test = test.Slice(0, Math.Min(n, test.Count));
            }
            var result = ApplyConsole.Run(progress => Embedding.Evaluate(model, train, test, neighbours, progress));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"kNN accuracy on codes: {result.CodeAccuracy:F4}; on PCA-{result.Dimensions} of the inputs: {result.PcaAccuracy:F4}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"(k = {result.K}: {result.TestCount} test items of {test.Name} against {result.TrainCount} training items; {result.Dimensions}-value codes)"));
            string stem = parse.GetValue(output) ?? Path.Combine(runDirectory, RunFolder.LatentMapStem);
            var (png, svg) = LatentMap.Save(stem, result);
            Console.WriteLine($"Wrote {png} and {svg}");
            ApplyConsole.RefreshReport(modelData, parse, runDirectory, png);
            return 0;
        });
        return command;
    }
}
