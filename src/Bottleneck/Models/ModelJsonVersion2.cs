using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bottleneck.Models;

/// <summary>
/// Reads the model.json of version 2 (and of version 1, once <see cref="ModelJsonVersion1"/> has
/// brought it this far), whose "training" section held the fit's settings and the run's facts
/// together. <see cref="Upgrade"/> moves the facts into version 3's "run" section and writes the
/// settings that version 2 did not record, as the runs of that version had them.
/// </summary>
internal static class ModelJsonVersion2
{
    /// <summary>The keys of version 2's "training" that are facts of the run, not settings of the fit.</summary>
    private static readonly string[] RunKeys = ["dataset", "epochs_done", "threads", "init_weights", "limit", "data_path", "test_data_path", "label_column", "feature_columns"];

    /// <summary>Rewrites a version 2 file in place into version 3; a misshapen part is a <see cref="JsonException"/>.</summary>
    public static void Upgrade(JsonObject root)
    {
        if (root["training"] is { } node)
        {
            var training = node as JsonObject ?? throw new JsonException("'training' is not an object");
            var run = new JsonObject();
            foreach (var key in RunKeys)
            {
                if (!training.TryGetPropertyValue(key, out var value)) continue;
                training.Remove(key);
                run[key] = value;
            }
            root["run"] = run;
            bool text = root["kind"]?.GetValue<string>() == ModelKind.Seq2Seq.Name();
            // Version 2's trainers: seq2seq batched by length; the others held the rate constant.
            training["group_by_length"] = text;
            // What version 2 read as its defaults when a file left them out.
            training.TryAdd("lr_schedule", Training.LrScheduleKind.Constant.Name());
            training.TryAdd("weight_decay", 0);
            training.TryAdd("checkpoint_every", 1);
        }
        root["version"] = 3;
    }
}
