using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Cli;

/// <summary>The aae and info-vae kinds as a user runs them: training with a prior, generating from it, and their options' refusals.</summary>
public class PriorKindCommandTests
{
    [Fact]
    public void An_aae_trains_with_a_mixture_prior_reports_its_match_and_generates_from_it()
    {
        using var dir = new TempDir();
        string run = dir.File("aae");
        var train = CliRunner.Run("train", "--kind", "aae", "--prior", "mixture", "--prior-components", "16", "--adversarial-weight", "0.5",
            "--data", SharedData.Mnist, "--limit", "512", "--epochs", "1", "--threads", "1", "--out", run);
        Assert.True(train.ExitCode == 0, train.Stderr);
        Assert.Contains("MMD² of the test codes against the 16-component mixture prior", train.Stdout);
        string json = File.ReadAllText(Path.Combine(run, "model.json"));
        Assert.Contains("\"prior\": \"mixture\"", json);
        Assert.Contains("\"prior_components\": 16", json);
        Assert.Contains("Prior", File.ReadAllText(Path.Combine(run, "report.html")));

        var generate = CliRunner.Run("generate", "--model", run, "--count", "8", "--out", dir.File("g.png"));
        Assert.True(generate.ExitCode == 0, generate.Stderr);
        Assert.True(File.Exists(dir.File("g.png")));
    }

    [Fact]
    public void A_clustering_aae_reports_its_clustering_error_and_exports_its_cluster_head()
    {
        using var dir = new TempDir();
        string run = dir.File("clusters");
        var train = CliRunner.Run("train", "--kind", "aae", "--prior", "categorical", "--prior-components", "16", "--latent", "20",
            "--data", SharedData.Mnist, "--limit", "512", "--epochs", "1", "--threads", "1", "--out", run);
        Assert.True(train.ExitCode == 0, train.Stderr);
        Assert.Matches(@"clustering error: .*: 0\.[0-9]+", train.Stdout);
        var json = Bottleneck.Models.ModelFile.ReadJson(Path.Combine(run, "model.json"));
        Assert.Equal(16, json.Model!.PriorComponents);
        Assert.InRange(json.Metrics!.Diagnostics!["cluster_error"], 0, 0.9);
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "aae", "--prior", "categorical", "--prior-components", "16", "--latent", "8",
            "--data", SharedData.Mnist, "--out", dir.File("small")), 1, "at least 16 values");
    }

    [Fact]
    public void A_label_conditioned_aae_trains_on_labelled_data_and_refuses_data_without_labels()
    {
        using var dir = new TempDir();
        string run = dir.File("labelled");
        var train = CliRunner.Run("train", "--kind", "aae", "--prior", "mixture", "--prior-labels", "--latent", "2", "--adversarial-weight", "10",
            "--data", SharedData.Mnist, "--limit", "512", "--epochs", "1", "--threads", "1", "--out", run);
        Assert.True(train.ExitCode == 0, train.Stderr);
        var json = Bottleneck.Models.ModelFile.ReadJson(Path.Combine(run, "model.json"));
        Assert.True(json.Model!.PriorLabels);
        Assert.InRange(json.Metrics!.Diagnostics!["label_component_error"], 0, 1);
        var generate = CliRunner.Run("generate", "--model", run, "--component", "3", "--count", "8", "--out", dir.File("threes.png"));
        Assert.True(generate.ExitCode == 0, generate.Stderr);
        Assert.True(File.Exists(dir.File("threes.png")));
        CliRunner.AssertOneLineError(CliRunner.Run("generate", "--model", run, "--component", "10", "--out", dir.File("none.png")), 1, "component 10 does not exist");
        Assert.False(File.Exists(dir.File("none.png")));

        // A table of 20 rows of three values, labels a, b, c in its last column.
        string table = dir.File("t.csv");
        File.WriteAllText(table, "x,y,z,label\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"{i * 0.05},{1 - i * 0.05},0.5,{(char)('a' + i % 3)}\n")));
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "aae", "--prior", "mixture", "--prior-labels", "--latent", "2", "--hidden", "4",
            "--data", table, "--features", "x,y,z", "--epochs", "1", "--out", dir.File("none")), 1, "conditioned on labels, but the training data has none");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "aae", "--prior", "mixture", "--prior-components", "2", "--prior-labels", "--latent", "2", "--hidden", "4",
            "--data", table, "--label-column", "label", "--epochs", "1", "--out", dir.File("few")), 1, "has no component in a prior of 2");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "aae", "--prior-labels", "--out", dir.File("g")), 2, "--prior-labels applies to --prior mixture, not gaussian");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "vae", "--prior-labels", "--out", dir.File("v")), 2, "--prior-labels applies to --kind aae, not vae");
    }

    [Fact]
    public void An_info_vae_keeps_its_mmd_weight_and_generates()
    {
        using var dir = new TempDir();
        string run = dir.File("info");
        var train = CliRunner.Run("train", "--kind", "info-vae", "--mmd-weight", "50", "--data", SharedData.Mnist, "--limit", "512", "--epochs", "1", "--threads", "1", "--out", run);
        Assert.True(train.ExitCode == 0, train.Stderr);
        Assert.Contains("MMD² of the sampled test codes against N(0, I)", train.Stdout);
        Assert.Contains("\"mmd_weight\": 50", File.ReadAllText(Path.Combine(run, "model.json")));
        var generate = CliRunner.Run("generate", "--model", run, "--count", "4", "--out", dir.File("g.png"));
        Assert.True(generate.ExitCode == 0, generate.Stderr);
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "vae", "--mmd-weight", "5", "--out", dir.File("x")), 2, "--mmd-weight applies to --kind info-vae, not vae");
    }

    [Fact]
    public void Aae_options_are_refused_where_they_do_not_apply_with_one_line()
    {
        using var dir = new TempDir();
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "vanilla", "--prior", "mixture", "--out", dir.File("a")), 2, "--prior applies to --kind aae, not vanilla");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "aae", "--prior-components", "4", "--out", dir.File("b")), 2, "--prior-components applies to --prior mixture or categorical, not gaussian");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "aae", "--prior", "cauchy", "--out", dir.File("c")), 2, "--prior");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "aae", "--adversarial-weight", "-1", "--out", dir.File("d")), 2, "--adversarial-weight");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "aae", "--adversarial-phases", "--adversarial-weight", "3", "--out", dir.File("f")), 2, "--adversarial-weight has no effect with --adversarial-phases");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "vae", "--adversarial-phases", "--out", dir.File("h")), 2, "--adversarial-phases applies to --kind aae, not vae");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "deep", "--code-batch-norm", "--out", dir.File("i")), 2, "--code-batch-norm applies to --kind aae, not deep");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--kind", "aae", "--prior", "mixture", "--latent", "1", "--data", SharedData.Mnist, "--out", dir.File("e")), 1, "at least 2 values");
        Assert.False(Directory.Exists(dir.File("e")) && Directory.EnumerateFileSystemEntries(dir.File("e")).Any());
    }
}
