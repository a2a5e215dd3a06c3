using System.CommandLine;
using System.Globalization;
using Bottleneck.Applications;
using Bottleneck.Formats;
using Bottleneck.Models;
using Bottleneck.Reports;

namespace Bottleneck.Cli.Commands;

/// <summary>`bottleneck compress` and `bottleneck decompress`: an image set to a file of quantised codes and back.</summary>
internal static class CompressCommand
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void AddTo(RootCommand root)
    {
        root.Subcommands.Add(CreateCompress());
        root.Subcommands.Add(CreateDecompress());
    }

    public static Command CreateCompress()
    {
        var modelData = new ModelData();
        var bits = new Option<int>("--bits") { Description = "Bits per code value: 4, 8 or 16", DefaultValueFactory = _ => 8 };
        var output = new Option<string>("--out") { Description = "The code file to write (conventionally .bnc; format in docs/FORMATS.md)", Required = true };
        var noLabels = new Option<bool>("--no-labels") { Description = "Leave the labels out of the file (they take 4 bytes an item)" };
        var limit = new Option<int?>("--limit") { Description = "Compress the first N items only" };
        var command = new Command("compress", "Compress an image set to a file of quantised latent codes (with the labels when the data has them), " +
            "and report its size and the quality of the decompressed images beside PNG.\n\n" +
            "Examples:\n" +
            "  bottleneck compress --model runs/tutorial --data ../shared/datasets/mnist --out mnist-test.bnc\n" +
            "  bottleneck compress --model runs/tutorial --split train --bits 4 --out mnist-train.bnc");
        modelData.AddTo(command);
        command.Options.Add(bits);
        command.Options.Add(output);
        command.Options.Add(noLabels);
        command.Options.Add(limit);
        command.SetAction(parse =>
        {
            int bitCount = parse.GetValue(bits);
            if (bitCount is not (4 or 8 or 16)) throw new UsageException($"--bits must be 4, 8 or 16, got {bitCount}");
            int? first = parse.GetValue(limit);
            if (first is { } l) OptionParsing.AtLeast(l, 1, "--limit");
            string path = parse.GetValue(output)!;

            var (model, json, _) = modelData.LoadModel(parse);
            byte[] modelId = CodeFile.ModelIdOf(WeightsPath(parse.GetValue(modelData.Model)!));
            var data = modelData.LoadData(parse, json);
            if (first is { } n && n < data.Count) data = data.Slice(0, n);

            var set = Compression.Compress(model, data, bitCount, modelId, includeLabels: !parse.GetValue(noLabels));
            set.Save(path);

            // Quality as a reader of the file will see it: read back, checked and decoded.
            var decoded = Compression.Decompress(set.Read(), model, modelId);
            var quality = Compression.Measure(data, decoded);
            var ceiling = Compression.Measure(data, model.Decode(set.Codes));

            string what = Compression.IsImageSet(data) ? "images" : "items";
            Console.WriteLine($"Compressed {set.Count.ToString("N0", Invariant)} {what} of {data.Name} to {set.Dimension} values each at {set.Bits} bits: {path}");
            long codeBytes = set.Bytes.Length - set.LabelBytes;
            string labelNote = set.HasLabels
                ? $", of which labels {(4.0).ToString("F2", Invariant)} (without labels: {((double)codeBytes / set.Count).ToString("F2", Invariant)})"
                : "";
            Console.WriteLine($"  file: {set.Bytes.Length.ToString("N0", Invariant)} bytes, {set.BytesPerItem.ToString("F2", Invariant)} bytes per {what[..^1]}{labelNote}");
            if (Compression.IsImageSet(data))
            {
                string ssim = quality.Ssim is { } s ? $", SSIM {s.ToString("F4", Invariant)}" : "";
                string ceilingSsim = ceiling.Ssim is { } cs ? $", SSIM {cs.ToString("F4", Invariant)}" : "";
                Console.WriteLine($"  decompressed vs original: PSNR {quality.Psnr.ToString("F2", Invariant)} dB{ssim} (mean per image)");
                Console.WriteLine($"  the model's own reconstruction, unquantised codes: PSNR {ceiling.Psnr.ToString("F2", Invariant)} dB{ceilingSsim}");
                long png = Compression.PngBytes(data);
                double raw = (double)data.FeatureCount;
                Console.WriteLine($"  PNG (lossless, one file per image): {png.ToString("N0", Invariant)} bytes, {((double)png / set.Count).ToString("F2", Invariant)} bytes per image; " +
                    $"raw 8-bit: {raw.ToString("F0", Invariant)} bytes per image; the code file is {(raw * set.Count / codeBytes).ToString("F1", Invariant)}x smaller than raw without labels");
            }
            else
            {
                Console.WriteLine($"  decompressed vs original: mean squared error {quality.MeanSquaredError.ToString("G4", Invariant)} per value (unquantised codes: {ceiling.MeanSquaredError.ToString("G4", Invariant)}), in the model's scaled units");
            }
            return 0;
        });
        return command;
    }

    public static Command CreateDecompress()
    {
        var model = new Option<string>("--model") { Description = "The model that compressed the codes: a run folder, or its model.safetensors", Required = true };
        var input = new Option<string>("--in") { Description = "The code file written by 'bottleneck compress'", Required = true };
        var output = new Option<string>("--out") { Description = "images.png (a grid of the first --count images) or images.npy (all, float32 [N, C*H*W])", Required = true };
        var count = new Option<int>("--count") { Description = "PNG: how many images to draw, 8 a row", DefaultValueFactory = _ => 64 };
        var command = new Command("decompress", "Decode a code file written by 'bottleneck compress' with the model that wrote it, to a PNG grid or a .npy array.\n\n" +
            "Examples:\n" +
            "  bottleneck decompress --model runs/tutorial --in mnist-test.bnc --out first64.png\n" +
            "  bottleneck decompress --model runs/tutorial --in mnist-test.bnc --out mnist-test.npy")
        {
            model, input, output, count,
        };
        command.SetAction(parse =>
        {
            string outPath = parse.GetValue(output)!;
            string extension = Path.GetExtension(outPath).ToLowerInvariant();
            if (extension is not (".png" or ".npy"))
                throw new UsageException($"--out must end in .png (an image grid) or .npy (all items), got '{outPath}'");
            int drawn = OptionParsing.AtLeast(parse.GetValue(count), 1, "--count");
            string modelPath = parse.GetValue(model)!;
            var (autoencoder, _) = ModelFile.Load(modelPath);
            byte[] modelId = CodeFile.ModelIdOf(WeightsPath(modelPath));
            var file = CodeFile.Read(parse.GetValue(input)!);
            var images = Compression.Decompress(file, autoencoder, modelId);

            if (extension == ".npy")
            {
                NpyFile.Write(outPath, images.Span.ToArray(), images.Rows, images.RowLength);
                Console.WriteLine($"Decompressed {file.Count.ToString("N0", Invariant)} items ({file.Bits}-bit codes of {file.Dimension} values) to {outPath}: float32 [{file.Count}, {images.RowLength}]");
            }
            else
            {
                if (autoencoder.Config.InputShape is not [int c, int h, int w] || c is not (1 or 3))
                    throw new BottleneckException($"{modelPath}: the model's items are not images, so they cannot be drawn; write .npy instead");
                int n = Math.Min(drawn, file.Count);
                var first = Tensors.Tensor.Wrap(images.Span[..(n * images.RowLength)].ToArray(), n, images.RowLength);
                ImageGrid.Save(outPath, first, c, h, w);
                Console.WriteLine($"Decompressed {file.Count.ToString("N0", Invariant)} images ({file.Bits}-bit codes of {file.Dimension} values); drew the first {n} in {outPath}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>The weights file whose SHA-256 names the model in a code file.</summary>
    private static string WeightsPath(string modelPath) =>
        Directory.Exists(modelPath) ? Path.Combine(modelPath, ModelFile.WeightsName) : modelPath;
}
