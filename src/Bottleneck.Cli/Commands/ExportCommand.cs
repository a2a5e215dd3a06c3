using System.CommandLine;
using System.Globalization;
using Bottleneck.Export;
using Bottleneck.Models;

namespace Bottleneck.Cli.Commands;

/// <summary>`bottleneck export`: a trained model as an ONNX file for other runtimes (ONNX Runtime, ML.NET, ...).</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The trained model: a run folder, or its model.safetensors", Required = true };
        var format = new Option<string>("--format") { Description = "Export format: onnx", DefaultValueFactory = _ => "onnx" };
        var output = new Option<string?>("--out") { Description = "The file to write (default: model.onnx in the model's folder)" };
        var command = new Command("export", "Export a trained model as ONNX (opset 17, any batch size). Raw values go in (pixels 0-255, table rows or windows of a series, normalised inside the graph); out come code (a VAE's mu, and log_variance), reconstruction and score (each item's reconstruction loss). A seq2seq model takes character ids and gives code, score and its greedy decoding.\n\nExamples:\n" +
            "  bottleneck export --model runs/tutorial --format onnx --out model.onnx")
        {
            model,
            format,
            output,
        };
        command.SetAction(parse =>
        {
            OptionParsing.OneOf(parse.GetValue(format)!, "--format", "onnx");
            string modelPath = parse.GetValue(model)!;
            string? given = parse.GetValue(output);
            if (given is not null && !given.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
                throw new UsageException($"--out must name a .onnx file, got '{given}'");
            if (given is not null && Directory.Exists(given))
                throw new UsageException($"--out names a folder: {given}");
            string directory = ModelFile.DirectoryOf(modelPath);
            string path = ApplyConsole.OutputOrDefault(given, directory, "model", ".onnx");
            if (TextModel.Is(modelPath))
            {
                var (text, _) = Seq2SeqModelFile.Load(modelPath);
                OnnxSeq2SeqExport.Save(text, path);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Wrote {path} (ONNX opset {OnnxExport.Opset}, {new FileInfo(path).Length} bytes): input tokens [batch, time] int64 character ids, 0-padded (the vocabulary is in the file's metadata, bottleneck.vocabulary, from id 3); outputs code, score (loss per sequence), decoded [batch, {text.Config.MaxLength}] (greedy, 0 from the end on)"));
                return 0;
            }
            var (autoencoder, json) = ModelFile.Load(modelPath);
            OnnxExport.Save(autoencoder, json.Normalization, path);
            var c = autoencoder.Config;
            string outputs = ModelKinds.IsVariational(c.Kind) ? "code (mu), log_variance, reconstruction, score" : "code, reconstruction, score";
            string values = ModelKinds.IsSequence(c.Kind) ? $"raw windows of {c.Steps} steps × {c.StepFeatures} variables, step after step" : "raw values";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {path} (ONNX opset {OnnxExport.Opset}, {new FileInfo(path).Length} bytes): input [batch, {c.InputSize}] {values} ({json.Normalization.Description ?? json.Normalization.Type.Name()} inside the graph); outputs {outputs}"));
            return 0;
        });
        return command;
    }
}
