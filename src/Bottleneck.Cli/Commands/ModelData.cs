using System.CommandLine;
using Bottleneck.Data;
using Bottleneck.Models;

namespace Bottleneck.Cli.Commands;

/// <summary>
/// What the commands that use a trained model share: the --model, --data and --split options,
/// loading the model with its model.json, and reading data the way the model was trained on it
/// (image datasets as pixels / 255; tables scaled with the per-feature scaler saved in model.json).
/// </summary>
internal sealed class ModelData
{
    public Option<string> Model { get; } = new("--model") { Description = "The trained model: a run folder, or its model.safetensors", Required = true };

    public Option<string?> Data { get; } = new("--data") { Description = "Image dataset folder (default: the model's training dataset, found as `train` finds it), or a table file (.csv, .npy, .npz)" };

    public Option<string> Split { get; } = new("--split") { Description = "Image datasets: test or train", DefaultValueFactory = _ => "test" };

    public Option<string?> LabelColumn { get; } = new("--label-column") { Description = "CSV: the label column" };

    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Data);
        command.Options.Add(Split);
        command.Options.Add(LabelColumn);
    }

    /// <summary>The model, its description and its run folder (the folder of its files).</summary>
    public (Autoencoder Model, ModelJson Json, string Directory) LoadModel(ParseResult parse)
    {
        string path = parse.GetValue(Model)!;
        var (model, json) = ModelFile.Load(path);
        string directory = System.IO.Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return (model, json, directory);
    }

    /// <summary>The data to apply the model to, scaled as the model expects, checked against its input size.</summary>
    public Dataset LoadData(ParseResult parse, ModelJson json)
    {
        string? path = parse.GetValue(Data);
        Dataset data;
        if (path is not null && File.Exists(path))
        {
            var raw = TabularLoader.Load(path, new TabularOptions { LabelColumn = parse.GetValue(LabelColumn) });
            data = json.Normalization.FeatureScaler() is { } scaler ? scaler.Transform(raw) : raw;
        }
        else
        {
            string dataset = json.Training?.Dataset is { } name && DatasetLocator.Names.Contains(name) ? name : "mnist";
            string split = OptionParsing.OneOf(parse.GetValue(Split)!, "--split", "test", "train");
            var (train, test) = Mnist.Load(new DatasetLocator().Locate(dataset, path), dataset);
            data = split == "train" ? train : test;
        }
        if (data.FeatureCount != json.Architecture.InputSize)
            throw new BottleneckException($"{data.Name}: items have {data.FeatureCount} values but the model expects {json.Architecture.InputSize}");
        return data;
    }
}
