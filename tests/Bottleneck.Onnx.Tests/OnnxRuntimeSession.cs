using Microsoft.ML.OnnxRuntime;

namespace Bottleneck.Onnx.Tests;

/// <summary>Runs an exported model in ONNX Runtime: raw input rows in, every output by name.</summary>
internal static class OnnxRuntimeSession
{
    public static Dictionary<string, (float[] Values, long[] Shape)> Run(byte[] model, float[] input, int rows, int features)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(model, options);
        using var value = OrtValue.CreateTensorValueFromMemory(input, [rows, features]);
        using var runOptions = new RunOptions();
        var names = session.OutputNames;
        using var outputs = session.Run(runOptions, [session.InputNames[0]], [value], names);
        var result = new Dictionary<string, (float[], long[])>();
        for (int i = 0; i < names.Count; i++)
        {
            var info = outputs[i].GetTensorTypeAndShape();
            result[names[i]] = (outputs[i].GetTensorDataAsSpan<float>().ToArray(), info.Shape);
        }
        return result;
    }
}
