using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Bottleneck.Applications;
using Bottleneck.Reports;
using Spectre.Console;

namespace Bottleneck.Cli.Commands;

/// <summary>`bottleneck encode`: the latent codes of a data set, as CSV, .npy or .npz.</summary>
internal static class EncodeCommand
{
    public static Command Create()
    {
        var modelData = new ModelData();
        var output = new Option<string>("--out") { Description = "Codes file: .csv (z0..zk and label), .npy (codes; labels in <stem>.labels.npy) or .npz (members codes and labels)", Required = true };
        var command = new Command("encode", "Encode a data set to latent codes (a VAE's μ), with the labels when the data has them.\n\nExamples:\n" +
            "  bottleneck encode --model runs/tutorial --data ../shared/datasets/mnist --out codes.csv\n" +
            "  bottleneck encode --model runs/tutorial --data ../shared/datasets/mnist --split train --out train_codes.npz")
        {
            output,
        };
        modelData.AddTo(command);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(output)!;
            if (modelData.IsTextModel(parse)) return TextModel.Encode(parse.GetValue(modelData.Model)!, parse.GetValue(modelData.Data), path);
            LatentCodes.FormatOf(path);
            var (model, json, _) = modelData.LoadModel(parse);
            var data = modelData.LoadData(parse, json);
            var codes = ApplyConsole.Run(progress => LatentCodes.Encode(model, data, progress));
            var written = LatentCodes.Save(path, codes);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {string.Join(" and ", written)}: {codes.Count} codes of {codes.Latent} values{(codes.Labels is null ? "" : ", with labels")}"));
            return 0;
        });
        return command;
    }
}

/// <summary>What the commands that apply a model share: progress on long work, default outputs in the run folder, the report.</summary>
internal static class ApplyConsole
{
    /// <summary>
    /// Runs <paramref name="work"/> with a progress reporter: a live bar per stage on a terminal, else
    /// one line as each stage ends ("encoding the test set: 10000 items (0.4 s)").
    /// </summary>
    public static T Run<T>(Func<Action<WorkProgress>, T> work)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            var watch = Stopwatch.StartNew();
            return work(p =>
            {
                if (p.Done < p.Total) return;
                string what = p.Total > 1 ? $"{p.Total} items" : "done";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Stage}: {what} ({watch.Elapsed.TotalSeconds:F1} s)"));
                Console.Out.Flush();
                watch.Restart();
            });
        }
        return AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                return work(p =>
                {
                    if (!tasks.TryGetValue(p.Stage, out var task))
                        tasks[p.Stage] = task = ctx.AddTask(Markup.Escape(p.Stage), maxValue: Math.Max(1, p.Total));
                    task.Value = p.Done;
                });
            });
    }

    /// <summary>Text with invariant-culture numbers, as every line the commands print.</summary>
    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>The output path: the one given, or &lt;run folder&gt;/&lt;stem&gt;&lt;extension&gt;.</summary>
    public static string OutputOrDefault(string? given, string runDirectory, string stem, string extension = ".png") =>
        given ?? Path.Combine(runDirectory, stem + extension);

    /// <summary>
    /// Rewrites the run's report.html when the model was given as a run folder and the picture went
    /// into it, so that the report shows the new figure.
    /// </summary>
    public static void RefreshReport(ModelData modelData, ParseResult parse, string runDirectory, string picture)
    {
        string model = parse.GetValue(modelData.Model)!;
        if (!Directory.Exists(model)) return;
        string folder = Path.GetDirectoryName(Path.GetFullPath(picture)) ?? "";
        if (!string.Equals(Path.TrimEndingDirectorySeparator(folder), Path.TrimEndingDirectorySeparator(Path.GetFullPath(runDirectory)), StringComparison.Ordinal)) return;
        Console.WriteLine($"Updated {RunReport.Write(runDirectory)}");
    }

    /// <summary>A PNG output path, checked before any work is done.</summary>
    public static string Png(string path, string option = "--out")
    {
        if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"{option} must name a .png file, got '{path}'");
        return path;
    }
}
