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

    public Option<int?> Stride { get; } = new("--stride") { Description = "Time series: steps between windows (default: the stride the model was trained with)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Data);
        command.Options.Add(Split);
        command.Options.Add(LabelColumn);
        command.Options.Add(Stride);
    }

    /// <summary>
    /// True when --model is a seq2seq model of text, which the command then applies to the text
    /// file --data; --split, --label-column and --stride mean nothing to it and are refused.
    /// </summary>
    public bool IsTextModel(ParseResult parse)
    {
        if (!TextModel.Is(parse.GetValue(Model)!)) return false;
        foreach (var option in new Option[] { Split, LabelColumn, Stride })
            if (parse.GetResult(option) is { Implicit: false })
                throw new UsageException($"{option.Name} does not apply to a seq2seq model (it reads a text file of one sequence per line with --data)");
        return true;
    }

    /// <summary>The model, its description and its run folder (the folder of its files).</summary>
    public (Autoencoder Model, ModelJson Json, string Directory) LoadModel(ParseResult parse)
    {
        string path = parse.GetValue(Model)!;
        var (model, json) = ModelFile.Load(path);
        string directory = ModelFile.DirectoryOf(path);
        return (model, json, directory);
    }

    /// <summary>The data to apply the model to, scaled as the model expects, checked against its input size.</summary>
    public Dataset LoadData(ParseResult parse, ModelJson json)
    {
        string? path = parse.GetValue(Data);
        Dataset data;
        if (json.Windows is not null) return LoadSeries(parse, json).Windows;
        else if (parse.GetValue(Stride) is not null) throw new UsageException("--stride applies to models trained on windows of a time series");
        else if (path is not null && File.Exists(path))
        {
            var raw = TabularLoader.Load(path, new TabularOptions { LabelColumn = parse.GetValue(LabelColumn) });
            data = json.Normalization.FeatureScaler() is { } scaler ? scaler.Transform(raw) : raw;
        }
        else
        {
            string dataset = json.Run?.Dataset is { } name && DatasetLocator.Names.Contains(name) ? name : "mnist";
            string split = OptionParsing.OneOf(parse.GetValue(Split)!, "--split", "test", "train");
            var (train, test) = NamedDataset.Load(dataset, new DatasetLocator().Locate(dataset, path));
            data = split == "train" ? train : test;
        }
        return CheckSize(data, json);
    }

    private static Dataset CheckSize(Dataset data, ModelJson json) => data.FeatureCount == ModelFile.ToConfig(json).InputSize ? data
        : throw new BottleneckException($"{data.Name}: items have {data.FeatureCount} values but the model expects {ModelFile.ToConfig(json).InputSize}");

    /// <summary>
    /// A CSV time series for a model trained on windows: the same variables and grouping, scaled
    /// per variable as in training, cut into windows of the model's length; with the series and
    /// each window's first step, so that scores can be given per step as well.
    /// </summary>
    public (Dataset Windows, TimeSeries Series, int[] Starts) LoadSeries(ParseResult parse, ModelJson json)
    {
        var w = json.Windows ?? throw new UsageException("this model was not trained on windows of a time series");
        string path = parse.GetValue(Data) is { } p && File.Exists(p) ? p
            : throw new UsageException($"the model reads windows of a time series: give its CSV file with --data (it was trained on {json.Run?.DataPath ?? "a CSV file"})");
        int stride = parse.GetValue(Stride) is int st ? OptionParsing.AtLeast(st, 1, "--stride") : w.Stride;
        var series = TimeSeries.Read(path, new SeriesOptions { Window = w.Length, Stride = stride, FeatureColumns = w.Variables, LabelColumn = parse.GetValue(LabelColumn), GroupColumn = w.GroupColumn });
        if (json.Normalization.FeatureScaler() is { } scaler) series = series.Scaled(scaler);
        return (CheckSize(series.Windows(w.Length, stride), json), series, series.WindowStarts(w.Length, stride));
    }
}
