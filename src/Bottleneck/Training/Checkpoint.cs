using System.Globalization;
using System.Text.Json;
using Bottleneck.Formats;
using Bottleneck.Models;
using Bottleneck.Optimizers;
using Bottleneck.Tensors;

namespace Bottleneck.Training;

/// <summary>
/// Everything needed to continue a run exactly: weights, the optimizer's state (Adam's moments) and step count, the
/// epochs done with their losses, and the shuffling generator's state. One safetensors file
/// (tensors "model.*", "adam.m.*", "adam.v.*"; the rest in its metadata), written atomically.
/// </summary>
public sealed class Checkpoint
{
    public const string FileName = "checkpoint.safetensors";
    private const string Format = "bottleneck-checkpoint-1";

    // Made once: options carry the serializer's metadata cache, which is slow to rebuild per call.
    private static readonly JsonSerializerOptions HistoryJson = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    // The checkpoint's own metadata entries; the rest belong to the caller (FitOptions.CheckpointMetadata).
    private static readonly string[] OwnKeys = ["format", "epoch", "adam_step", "rng_state", "sampler_state", "history"];

    private Checkpoint(string path, int epoch, long adamStep, ulong[] rngState, ulong[]? samplerState, EpochEnd[] history,
        IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Metadata = metadata;
        SamplerState = samplerState;
        Path = path;
        Epoch = epoch;
        AdamStep = adamStep;
        RngState = rngState;
        History = history;
        this.tensors = tensors;
    }

    private readonly IReadOnlyDictionary<string, Tensor> tensors;

    /// <summary>The file it was read from, named in error messages.</summary>
    public string Path { get; }

    /// <summary>Epochs completed.</summary>
    public int Epoch { get; }

    public long AdamStep { get; }

    public ulong[] RngState { get; }

    /// <summary>The model's training-noise generator (dropout, VAE samples, corruption).</summary>
    public ulong[]? SamplerState { get; }

    public IReadOnlyList<EpochEnd> History { get; }

    /// <summary>The entries the run stored with it (<see cref="FitOptions.CheckpointMetadata"/>), such as its settings.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    internal static void Save(string path, ITrainable model, IOptimizer optimizer, Rng rng, IReadOnlyList<EpochEnd> history,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        var entries = new List<KeyValuePair<string, Tensor>>();
        var state = optimizer.State;
        for (int i = 0; i < model.NamedParameters.Count; i++)
        {
            var (name, p) = model.NamedParameters[i];
            entries.Add(new("model." + name, p.Value));
            foreach (var (prefix, tensors) in state) entries.Add(new(prefix + name, tensors[i]));
        }
        foreach (var (name, buffer) in model.NamedBuffers) entries.Add(new("model." + name, buffer));
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["epoch"] = history.Count.ToString(CultureInfo.InvariantCulture),
            ["adam_step"] = optimizer.Step.ToString(CultureInfo.InvariantCulture),
            ["rng_state"] = FormatState(rng),
            ["sampler_state"] = FormatState(model.Sampler),
            ["history"] = JsonSerializer.Serialize(history.Select(h => new[]
                {
                    h.Epoch, h.TrainLoss, h.TestLoss ?? double.NaN, h.EpochSeconds, h.ElapsedSeconds,
                    h.TestReconstruction ?? double.NaN, h.TestPenalty ?? double.NaN,
                }),
                HistoryJson),
        };
        foreach (var (key, value) in extra ?? System.Collections.Immutable.ImmutableDictionary<string, string>.Empty)
        {
            if (!metadata.TryAdd(key, value)) throw new ArgumentException($"checkpoint metadata key '{key}' is reserved", nameof(extra));
        }
        SafeTensorsFile.Write(path, entries, metadata);
    }

    public static Checkpoint Load(string path)
    {
        var file = SafeTensorsFile.Read(path);
        string Meta(string key) => file.Metadata.TryGetValue(key, out var v) ? v : throw new BottleneckException($"{path}: not a Bottleneck checkpoint (no '{key}' entry)");
        if (Meta("format") != Format) throw new BottleneckException($"{path}: unsupported checkpoint format '{Meta("format")}'");
        try
        {
            int epoch = int.Parse(Meta("epoch"), CultureInfo.InvariantCulture);
            long step = long.Parse(Meta("adam_step"), CultureInfo.InvariantCulture);
            var rng = ParseState(Meta("rng_state"));
            var sampler = file.Metadata.TryGetValue("sampler_state", out var text) ? ParseState(text) : null;
            var rows = JsonSerializer.Deserialize<double[][]>(Meta("history"), HistoryJson) ?? [];
            static double? Optional(double v) => double.IsNaN(v) ? null : v;
            var history = rows.Select(r => r.Length is 5 or 7
                ? new EpochEnd((int)r[0], r[1], Optional(r[2]), r[3], r[4], r.Length == 7 ? Optional(r[5]) : null, r.Length == 7 ? Optional(r[6]) : null)
                : throw new FormatException("history row")).ToArray();
            if (epoch < 0 || step < 0 || rng.Length != 6 || sampler is { Length: not 6 } || history.Length != epoch)
                throw new FormatException("inconsistent fields");
            var extra = file.Metadata.Where(m => !OwnKeys.Contains(m.Key)).ToDictionary(m => m.Key, m => m.Value);
            return new Checkpoint(path, epoch, step, rng, sampler, history, file.Tensors, extra);
        }
        catch (Exception e) when (e is FormatException or OverflowException or JsonException)
        {
            throw new BottleneckException($"{path}: corrupt checkpoint metadata ({e.Message})");
        }
    }

    /// <summary>Puts the saved state into a freshly built model, optimizer and generator.</summary>
    internal void Restore(ITrainable model, IOptimizer optimizer, Rng rng)
    {
        model.LoadStateDict(Select("model."), Path);
        var state = optimizer.State;
        for (int i = 0; i < model.NamedParameters.Count; i++)
        {
            string name = model.NamedParameters[i].Name;
            foreach (var (prefix, tensors) in state) CopyInto(tensors[i], prefix + name);
        }
        optimizer.RestoreStep(AdamStep);
        rng.SetState(RngState);
        if (SamplerState is not null) model.Sampler.SetState(SamplerState);
    }

    private static string FormatState(Rng rng) => string.Join(",", rng.GetState().Select(s => s.ToString("x16", CultureInfo.InvariantCulture)));

    private static ulong[] ParseState(string text) =>
        text.Split(',').Select(s => ulong.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();

    private Dictionary<string, Tensor> Select(string prefix) =>
        tensors.Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(t => t.Key[prefix.Length..], t => t.Value);

    private void CopyInto(Tensor destination, string name)
    {
        if (!tensors.TryGetValue(name, out var t) || !t.Shape.SequenceEqual(destination.Shape))
            throw new BottleneckException($"{Path}: checkpoint tensor '{name}' is missing or has the wrong shape");
        t.Span.CopyTo(destination.Span);
    }
}
