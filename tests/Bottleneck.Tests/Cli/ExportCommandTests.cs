using Bottleneck.Export;
using Bottleneck.Models;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Cli;

/// <summary>
/// `bottleneck export` as a user runs it. What the ONNX file computes is checked against ONNX
/// Runtime in Bottleneck.Onnx.Tests; here, that the command writes the library's export of the
/// trained model and refuses bad options with one line, leaving no file.
/// </summary>
public class ExportCommandTests(TrainedModelsFixture models) : IClassFixture<TrainedModelsFixture>
{
    [Theory]
    [InlineData("vanilla")]
    [InlineData("vae")]
    public void Export_writes_the_trained_models_onnx_graph(string kind)
    {
        using var dir = new TempDir();
        string run = kind == "vae" ? models.Vae : models.Vanilla;
        string path = Path.Combine(dir.Path, "exported", "model.onnx");
        var r = CliRunner.Run("export", "--model", run, "--format", "onnx", "--out", path);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains($"Wrote {path} (ONNX opset 17", r.Stdout);
        Assert.Contains(kind == "vae" ? "outputs code (mu), log_variance, reconstruction, score" : "outputs code, reconstruction, score", r.Stdout);
        var (model, json) = ModelFile.Load(run);
        Assert.Equal(OnnxExport.ToBytes(model, json.Normalization), File.ReadAllBytes(path));
    }

    [Fact]
    public void Export_defaults_to_model_onnx_in_the_run_folder_given_its_weights_file()
    {
        using var dir = new TempDir();
        string run = dir.File("run");
        Directory.CreateDirectory(run);
        foreach (var name in new[] { ModelFile.WeightsName, ModelFile.JsonName })
            File.Copy(Path.Combine(models.Vanilla, name), Path.Combine(run, name));
        var r = CliRunner.Run("export", "--model", Path.Combine(run, ModelFile.WeightsName));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.True(File.Exists(Path.Combine(run, "model.onnx")));
    }

    [Theory]
    [InlineData("--format", "tflite", "--format must be one of onnx")]
    [InlineData("--out", "model.txt", "--out must name a .onnx file")]
    public void Export_refuses_bad_options_with_one_line_and_writes_nothing(string option, string value, string message)
    {
        using var dir = new TempDir();
        var args = new List<string> { "export", "--model", models.Vanilla, option, value };
        if (option != "--out") args.AddRange(["--out", dir.File("model.onnx")]);
        var r = CliRunner.Run(args.ToArray());
        CliRunner.AssertOneLineError(r, 2, message);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Export_of_a_missing_model_is_one_line()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("export", "--model", dir.File("nothing"), "--out", dir.File("model.onnx"));
        CliRunner.AssertOneLineError(r, 1, "no such model file");
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }
}
