using System.CommandLine;
using System.Globalization;
using Bottleneck.Applications;
using Bottleneck.Models;
using Bottleneck.Reports;

namespace Bottleneck.Cli.Commands;

/// <summary>`bottleneck denoise`: corrupt test images, clean them with the model, and measure PSNR and SSIM.</summary>
internal static class DenoiseCommand
{
    public static Command Create()
    {
        var modelData = new ModelData();
        var noise = new Option<string?>("--noise") { Description = $"Corruption: {string.Join(", ", NamedEnum.Names<NoiseKind>())} (default: a denoising model's own, else gaussian)" };
        var level = new Option<double?>("--noise-level") { Description = "Gaussian standard deviation, or the fraction masked or salted (default: the model's own, else 0.5)" };
        var count = new Option<int>("--count") { Description = "Images shown in the grid", DefaultValueFactory = _ => 8 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the noise", DefaultValueFactory = _ => 42UL };
        var limit = new Option<int?>("--limit") { Description = "Score the first N images only (quick tries)" };
        var output = new Option<string?>("--out") { Description = $"The grid PNG: clean, noisy and denoised rows (default RUN/{RunFolder.DenoisedStem}.png, shown in the run's report)" };
        var command = new Command("denoise", "Corrupt the test images (a fixed seed), reconstruct them, and print mean PSNR and SSIM of noisy vs clean and denoised vs clean.\n\nExamples:\n" +
            "  bottleneck train --kind denoising --data ../shared/datasets/mnist --out runs/denoise\n" +
            "  bottleneck denoise --model runs/denoise --data ../shared/datasets/mnist\n" +
            "  bottleneck denoise --model runs/denoise --data ../shared/datasets/mnist --noise salt-and-pepper --noise-level 0.2")
        {
            noise, level, count, seed, limit, output,
        };
        modelData.AddTo(command);
        command.SetAction(parse =>
        {
            NoiseKind? kind = parse.GetValue(noise) is { } k ? OptionParsing.Choice(k, "--noise", NoiseKind.Gaussian, Enum.GetValues<NoiseKind>()) : null;
            double? value = parse.GetValue(level) is double l ? OptionParsing.Positive(l, "--noise-level") : null;
            int shown = OptionParsing.AtLeast(parse.GetValue(count), 1, "--count");
            int? first = parse.GetValue(limit) is int f ? OptionParsing.AtLeast(f, 1, "--limit") : null;
            if (parse.GetValue(output) is { } given) ApplyConsole.Png(given);
            var (model, json, runDirectory) = modelData.LoadModel(parse);
            var shape = ImageShape.Of(model, "denoise");
            var corruption = Denoising.CorruptionFor(model, kind, value);
            var data = modelData.LoadData(parse, json);
            if (first is int n && n < data.Count) data = data.Slice(0, n);
            ulong noiseSeed = parse.GetValue(seed);
            var result = ApplyConsole.Run(progress => Denoising.Evaluate(model, data, corruption, shown, noiseSeed, progress));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Noise: {corruption.Kind.Name()}, level {corruption.Level} (seed {noiseSeed}), on {result.Count} images of {data.Name}"));
            Console.WriteLine(Line("noisy vs clean:   ", result.Noisy));
            Console.WriteLine(Line("denoised vs clean:", result.Denoised));
            string path = ApplyConsole.OutputOrDefault(parse.GetValue(output), runDirectory, RunFolder.DenoisedStem);
            ImageGrid.Save(path, result.Grid, shape.Channels, shape.Height, shape.Width, nrow: result.Columns);
            Console.WriteLine($"Wrote {path}: clean, noisy and denoised rows");
            ApplyConsole.RefreshReport(modelData, parse, runDirectory, path);
            return 0;
        });
        return command;
    }

    private static string Line(string what, QualityFigures q) => string.Create(CultureInfo.InvariantCulture,
        $"{what} mean PSNR {q.Psnr:F2} dB, mean SSIM {q.Ssim:F4}{(q.Identical > 0 ? $" ({q.Identical} images unchanged, left out of the PSNR)" : "")}");
}
