using System.Text.Json;
using Bottleneck.Formats;
using Bottleneck.IO;

namespace Bottleneck.Models;

/// <summary>
/// A seq2seq model on disk: the same pair of files as every kind (model.safetensors with PyTorch
/// names, model.json with kind "seq2seq"), the vocabulary listed in model.json so that token ids
/// mean the same characters wherever the model goes.
/// </summary>
public static class Seq2SeqModelFile
{
    /// <summary>model.json describes characters as token ids: nothing is scaled.</summary>
    private static readonly NormalizationJson Tokens = new() { Type = NormalizationKind.None, Description = "characters as token ids: 0 padding, 1 end, 2 start, the vocabulary from 3" };

    public static void Save(Seq2SeqAutoencoder model, string directory, Training.FitOptions? training = null, RunJson? run = null, MetricsJson? metrics = null)
    {
        Directory.CreateDirectory(directory);
        SafeTensorsFile.Write(Path.Combine(directory, ModelFile.WeightsName), model.StateDict());
        var json = Describe(model.Config) with { Training = training, Run = run, Metrics = metrics };
        AtomicFile.Write(Path.Combine(directory, ModelFile.JsonName), s => JsonSerializer.Serialize(s, json, ModelJson.Options));
    }

    /// <summary>model.json's description of a seq2seq configuration.</summary>
    public static ModelJson Describe(Seq2SeqConfig c) => new()
    {
        Format = ModelJson.FormatName,
        Version = ModelJson.CurrentVersion,
        Kind = ModelKind.Seq2Seq,
        Text = c,
        Normalization = Tokens,
    };

    /// <summary>Whether <paramref name="path"/> (a run folder or its model.safetensors) holds a seq2seq model.</summary>
    public static bool IsSeq2Seq(string path)
    {
        string jsonPath = Path.Combine(ModelFile.DirectoryOf(path), ModelFile.JsonName);
        return File.Exists(jsonPath) && ModelFile.ReadJson(jsonPath).Kind == ModelKind.Seq2Seq;
    }

    /// <summary>Loads a seq2seq model from its run folder, or from its model.safetensors with model.json beside it.</summary>
    public static (Seq2SeqAutoencoder Model, ModelJson Json) Load(string path)
    {
        string directory = ModelFile.DirectoryOf(path);
        string weights = Directory.Exists(path) ? Path.Combine(path, ModelFile.WeightsName) : path;
        string jsonPath = Path.Combine(directory, ModelFile.JsonName);
        if (!File.Exists(weights)) throw new BottleneckException($"{weights}: no such model file; give a run folder or its {ModelFile.WeightsName}");
        var json = ModelFile.ReadJson(jsonPath);
        if (json.Kind != ModelKind.Seq2Seq) throw new BottleneckException($"{jsonPath}: a {json.Kind.Name()} model, not a seq2seq model of text");
        Seq2SeqAutoencoder model;
        try
        {
            var config = json.Text ?? throw new BottleneckException("a seq2seq model needs its settings under \"text\"");
            model = new Seq2SeqAutoencoder(config);
        }
        catch (BottleneckException e)
        {
            throw new BottleneckException($"{jsonPath}: {e.Message}");
        }
        model.LoadStateDict(SafeTensorsFile.Read(weights).Tensors, weights);
        return (model, json);
    }
}
