using Bottleneck.Applications;
using Bottleneck.Data;
using Bottleneck.Layers;
using Bottleneck.Losses;
using Bottleneck.Metrics;
using Bottleneck.Models;
using Bottleneck.Tensors;
using Bottleneck.Tests.IO;
using Bottleneck.Tests.Layers;
using Bottleneck.Training;

namespace Bottleneck.Tests.Models;

/// <summary>
/// The adversarial autoencoder's parts: the priors, the generator penalty's gradient (finite
/// differences), a discriminator that learns to tell codes from the prior, and on MNIST codes that
/// end up nearer the prior than a plain autoencoder's.
/// </summary>
public class AdversarialPriorTests
{
    [Fact]
    public void The_generator_penalty_gradient_matches_finite_differences()
    {
        var rng = new Rng(5);
        var aae = new AdversarialPrior(new LatentPrior(PriorKind.Gaussian, 3, 2), weight: 0.7, new Rng(9));
        // A few discriminator steps first, so that D is not at its initial weights.
        for (int i = 0; i < 5; i++) aae.TrainDiscriminator(FiniteDifferences.Uniform(rng, 8, 3, 2f), rng);
        var codes = FiniteDifferences.Uniform(rng, 4, 3, 2f);
        aae.GeneratorPenalty(codes);
        var analytic = aae.Backward(new Tensor(4, 3)).Span.ToArray();
        FiniteDifferences.Check(codes, () => aae.GeneratorPenalty(codes), analytic, "dPenalty/dcode");
        Assert.Contains(analytic, g => MathF.Abs(g) > 1e-3f);
    }

    [Fact]
    public void A_cluster_heads_gradient_through_its_softmax_and_both_adversaries_matches_finite_differences()
    {
        var rng = new Rng(6);
        // 3 clusters and 2 style values: each part has its own adversary.
        var aae = new AdversarialPrior(new LatentPrior(PriorKind.Categorical, 5, 3), weight: 0.7, new Rng(8));
        for (int i = 0; i < 5; i++) aae.TrainDiscriminator(aae.Code(FiniteDifferences.Uniform(rng, 8, 5, 2f)).Clone(), rng);
        var encoded = FiniteDifferences.Uniform(rng, 4, 5, 2f);
        var r = FiniteDifferences.Uniform(rng, 4, 5, 1f);
        // The penalty plus a linear stand-in for the reconstruction loss, Σ r·code.
        double Objective()
        {
            var code = aae.Code(encoded);
            return aae.GeneratorPenalty(code) + FiniteDifferences.Dot(code, r);
        }
        Objective();
        var analytic = aae.Backward(r).Span.ToArray();
        FiniteDifferences.Check(encoded, Objective, analytic, "dObjective/dencoded", step: 1e-4f);
        var code = aae.Code(encoded);
        for (int row = 0; row < 4; row++) Assert.Equal(1f, code.Row(row)[..3].ToArray().Sum(), 5);
    }

    [Fact]
    public void Categorical_draws_are_one_hot_clusters_beside_normal_style_values()
    {
        var prior = new LatentPrior(PriorKind.Categorical, 6, 4);
        var codes = new float[3000 * 6];
        var cluster = new int[3000];
        prior.Sample(codes, new Rng(2), cluster);
        Assert.Equal(4, cluster.Distinct().Count());
        for (int r = 0; r < 3000; r++)
            for (int k = 0; k < 4; k++) Assert.Equal(k == cluster[r] ? 1f : 0f, codes[r * 6 + k]);
        var style = Enumerable.Range(0, 3000).Select(r => (double)codes[r * 6 + 5]).ToArray();
        Assert.Equal(0, style.Average(), 0.1);
        Assert.Equal(1, Math.Sqrt(style.Average(v => v * v)), 0.1);
        Assert.Throws<BottleneckException>(() => new LatentPrior(PriorKind.Categorical, 3, 4));
    }

    [Fact]
    public void The_clustering_error_labels_each_cluster_by_its_majority()
    {
        // Cluster 0: labels 1, 1, 2; cluster 5: labels 3, 3; cluster 2: label 1. One item in six is wrong.
        int[] clusters = [0, 0, 0, 5, 5, 2], labels = [1, 1, 2, 3, 3, 1];
        Assert.Equal(1.0 / 6, ClusterAccuracy.MajorityError(clusters, labels), 12);
        Assert.Equal(0, ClusterAccuracy.MajorityError(labels, labels));
        Assert.Equal([2, 0], ClusterAccuracy.ArgMax([0.1f, 0.2f, 0.7f, 9f, 0.9f, 0.1f, 0.0f, -1f], rowLength: 4, head: 3));
        Assert.Throws<BottleneckException>(() => ClusterAccuracy.MajorityError([0, 1], [0]));
    }

    [Fact]
    public void The_discriminator_learns_to_tell_shifted_codes_from_the_prior()
    {
        var rng = new Rng(1);
        var aae = new AdversarialPrior(new LatentPrior(PriorKind.Gaussian, 4, 2), weight: 1, new Rng(2));
        var codes = new Tensor(64, 4);
        double first = 0;
        for (int step = 0; step < 150; step++)
        {
            var span = codes.Span;
            for (int i = 0; i < span.Length; i++) span[i] = (float)(2.5 + rng.NextNormal());
            aae.TrainDiscriminator(codes, rng);
            if (step == 0) first = aae.DiscriminatorLoss;
        }
        // Chance is 2·64·ln 2 ≈ 88.7; a discriminator that separates N(2.5, 1) from N(0, 1) does far better.
        Assert.InRange(first, 70, 110);
        Assert.True(aae.DiscriminatorLoss < 20, $"discriminator loss {first:F1} → {aae.DiscriminatorLoss:F1}");
    }

    [Theory]
    [InlineData(PriorKind.Gaussian)]
    [InlineData(PriorKind.Uniform)]
    [InlineData(PriorKind.Mixture)]
    public void A_prior_matches_itself_and_not_a_shifted_copy(PriorKind kind)
    {
        var prior = new LatentPrior(kind, 4, 8);
        var a = new float[800 * 4];
        var b = new float[800 * 4];
        prior.Sample(a, new Rng(1));
        prior.Sample(b, new Rng(2));
        Assert.InRange(MaximumMeanDiscrepancy.Squared(a, b, 4), -0.01, 0.01);
        for (int i = 0; i < b.Length; i++) b[i] += 3f;
        Assert.True(MaximumMeanDiscrepancy.Squared(a, b, 4) > 0.1);
        if (kind == PriorKind.Uniform) Assert.All(a, v => Assert.InRange(v, -1f, 1f));
    }

    [Fact]
    public void Mixture_draws_fall_around_their_component_means()
    {
        var prior = new LatentPrior(PriorKind.Mixture, 3, 16);
        var codes = new float[4000 * 3];
        var component = new int[4000];
        prior.Sample(codes, new Rng(3), component);
        Assert.Equal(16, component.Distinct().Count());
        double mean0 = 0, mean1 = 0;
        int count = 0;
        for (int r = 0; r < 4000; r++)
        {
            if (component[r] != 5) continue;
            mean0 += codes[r * 3];
            mean1 += codes[r * 3 + 1];
            count++;
        }
        Assert.Equal(prior.ComponentMean(5, 0), mean0 / count, 0.15);
        Assert.Equal(prior.ComponentMean(5, 1), mean1 / count, 0.15);
        Assert.Throws<BottleneckException>(() => new LatentPrior(PriorKind.Mixture, 1, 4));
        Assert.Throws<BottleneckException>(() => new LatentPrior((PriorKind)9, 3, 4));
        Assert.Contains("unknown prior 'cauchy'; choose one of gaussian, mixture, uniform, categorical", Assert.Throws<BottleneckException>(() => NamedEnum.Parse<PriorKind>("cauchy")).Message);
    }

    [Fact]
    public void On_mnist_the_codes_end_nearer_the_prior_than_a_plain_autoencoders_and_generate_draws_from_it()
    {
        var (train, test) = Mnist.Load(SharedData.Mnist);
        test = test.Slice(0, 1000);
        double Mmd(ModelKind kind, out Autoencoder model)
        {
            model = new Autoencoder(ModelKinds.Defaults(kind), seed: 3);
            Trainer.Fit(model, train, new FitOptions { Epochs = 2 });
            return Diagnostics.Measure(model, test).Single(d => d.Name == "prior_mmd").Value;
        }
        double plain = Mmd(ModelKind.Vanilla, out _);
        double adversarial = Mmd(ModelKind.Aae, out var aae);
        Assert.True(adversarial < plain / 3, $"MMD² to N(0, I): vanilla {plain:F4}, aae {adversarial:F4}");

        var (codes, images) = Generation.Sample(aae, 5, seed: 4);
        Assert.Equal([5, 784], images.Shape.ToArray());
        var expected = new float[5 * 20];
        new LatentPrior(PriorKind.Gaussian, 20, 2).Sample(expected, new Rng(4));
        Assert.Equal(expected, codes.Span.ToArray());
    }

    [Fact]
    public void A_mixture_aae_saves_and_loads_with_its_prior()
    {
        using var dir = new TempDir();
        var config = ModelKinds.Defaults(ModelKind.Aae) with { InputSize = 12, InputShape = null, Hidden = [6], Latent = 2, Prior = PriorKind.Mixture, PriorComponents = 16, PriorLabels = true, AdversarialWeight = 0.5 };
        ModelFile.Save(new Autoencoder(config, seed: 1), dir.Path);
        var (loaded, json) = ModelFile.Load(dir.Path);
        Assert.Equal(PriorKind.Mixture, loaded.Config.Prior);
        Assert.Equal(16, loaded.Config.PriorComponents);
        Assert.Equal(0.5, loaded.Config.AdversarialWeight);
        Assert.Equal(16, json.Model!.PriorComponents);
        Assert.True(loaded.Config.PriorLabels);
        Assert.True(json.Model!.PriorLabels);
        Assert.True(loaded.Regularizer.NeedsLabels);
        Assert.Equal(16, ((AdversarialPrior)loaded.Regularizer).Prior.Components);
    }

    [Fact]
    public void A_label_conditioned_penalty_gradient_reaches_the_code_and_not_the_label()
    {
        var rng = new Rng(8);
        var aae = new AdversarialPrior(new LatentPrior(PriorKind.Mixture, 3, 4), weight: 0.7, new Rng(9), conditioned: true);
        Assert.True(aae.NeedsLabels);
        int[] labels = [0, 3];
        for (int i = 0; i < 5; i++)
        {
            aae.SetLabels(labels);
            aae.TrainDiscriminator(FiniteDifferences.Uniform(rng, 2, 3, 2f), rng);
        }
        var codes = FiniteDifferences.Uniform(rng, 2, 3, 2f);
        aae.SetLabels(labels);
        aae.GeneratorPenalty(codes);
        var analytic = aae.Backward(new Tensor(2, 3)).Span.ToArray();
        Assert.Equal(6, analytic.Length);
        // A step of 1e-3: D's 512 ReLU units make the penalty piecewise linear, and the default
        // step (1e-2) straddles some of their kinks.
        FiniteDifferences.Check(codes, () => aae.GeneratorPenalty(codes), analytic, "dPenalty/dcode", step: 1e-3f);
        Assert.Contains(analytic, g => MathF.Abs(g) > 1e-3f);
        // The label is part of D's input: the same code under another label scores differently.
        double asLabelled = aae.GeneratorPenalty(codes);
        aae.SetLabels([2, 2]);
        Assert.NotEqual(asLabelled, aae.GeneratorPenalty(codes), 6);
    }

    [Fact]
    public void A_label_conditioned_prior_refuses_missing_or_out_of_range_labels_and_other_priors()
    {
        var aae = new AdversarialPrior(new LatentPrior(PriorKind.Mixture, 2, 3), weight: 1, new Rng(1), conditioned: true);
        var e = Assert.Throws<BottleneckException>(() => aae.SetLabels([0, 3]));
        Assert.Contains("label 3 has no component in a prior of 3", e.Message);
        // A training forward without the batch's labels is a programming error, not silently unconditioned.
        Assert.Throws<InvalidOperationException>(() => aae.Forward(new Tensor(2, 2), new Tensor(2, 2), new Rng(2), training: true));
        Assert.Throws<BottleneckException>(() => new AdversarialPrior(new LatentPrior(PriorKind.Gaussian, 2, 3), 1, new Rng(1), conditioned: true));
        var config = ModelKinds.Defaults(ModelKind.Aae) with { PriorLabels = true };
        Assert.Contains("mixture", Assert.Throws<BottleneckException>(config.Validate).Message);
        Assert.Contains("aae", Assert.Throws<BottleneckException>((ModelKinds.Defaults(ModelKind.Vae) with { PriorLabels = true }).Validate).Message);
    }

    [Fact]
    public void Draws_of_a_labelled_component_fall_around_its_mean_and_the_nearest_component_finds_it()
    {
        var prior = new LatentPrior(PriorKind.Mixture, 3, 10);
        var rng = new Rng(4);
        var row = new float[3];
        int nearest = 0;
        for (int i = 0; i < 500; i++)
        {
            prior.SampleComponent(row, 7, rng);
            if (prior.NearestComponent(row) == 7) nearest++;
        }
        // Radius 4, 10 components: neighbours lie 2.47 apart, so a spread of 0.5 mostly stays nearest its own.
        Assert.InRange(nearest, 475, 500);
        Assert.Equal(3, prior.NearestComponent([(float)prior.ComponentMean(3, 0), (float)prior.ComponentMean(3, 1), 5f]));
        Assert.Throws<InvalidOperationException>(() => new LatentPrior(PriorKind.Gaussian, 3, 2).SampleComponent(row, 0, rng));
        Assert.Throws<BottleneckException>(() => prior.SampleComponent(row, 10, rng));
        var categorical = new LatentPrior(PriorKind.Categorical, 5, 3);
        var clusterRow = new float[5];
        categorical.SampleComponent(clusterRow, 2, rng);
        Assert.Equal([0f, 0f, 1f], clusterRow[..3]);
    }

    [Fact]
    public void Generating_from_one_component_draws_every_code_there()
    {
        var config = ModelKinds.Defaults(ModelKind.Aae) with { InputSize = 12, InputShape = null, Hidden = [6], Latent = 2, Prior = PriorKind.Mixture, PriorComponents = 8 };
        var (codes, images) = Generation.Sample(new Autoencoder(config, seed: 1), 50, seed: 3, component: 6);
        Assert.Equal([50, 12], images.Shape.ToArray());
        var prior = new LatentPrior(PriorKind.Mixture, 2, 8);
        int nearest = Enumerable.Range(0, 50).Count(r => prior.NearestComponent(codes.Row(r)) == 6);
        Assert.InRange(nearest, 45, 50);
        var gaussian = new Autoencoder(config with { Prior = PriorKind.Gaussian }, seed: 1);
        Assert.Contains("mixture or categorical", Assert.Throws<BottleneckException>(() => Generation.Sample(gaussian, 4, component: 0)).Message);
    }

    [Fact]
    public void On_mnist_a_label_conditioned_prior_puts_each_digit_in_its_own_component()
    {
        var (train, test) = Mnist.Load(SharedData.Mnist);
        train = train.Slice(0, 10_000);
        test = test.Slice(0, 1000);
        // A small network and batches of 32, so that a few seconds give enough steps for the labels to take hold.
        var config = ModelKinds.Defaults(ModelKind.Aae) with
        {
            Hidden = [128],
            Latent = 2,
            Prior = PriorKind.Mixture,
            PriorComponents = 10,
            PriorLabels = true,
            AdversarialWeight = 50,
        };
        var model = new Autoencoder(config, seed: 1);
        Trainer.Fit(model, train, new FitOptions { Epochs = 3, BatchSize = 32 });
        var figures = Diagnostics.Measure(model, test);
        double error = figures.Single(d => d.Name == "label_component_error").Value;
        // Chance is 90%: a code that ignored its label would land in its digit's component one time in ten.
        Assert.True(error < 0.7, $"share of test digits nearest another component than their own: {error:P1}");
        Assert.Contains(figures, d => d.Name == "cluster_error");

        var unlabelled = new Dataset("no labels", new float[4 * 784], 4, 784);
        var e = Assert.Throws<BottleneckException>(() => Trainer.Fit(new Autoencoder(config, seed: 1), unlabelled));
        Assert.Contains("conditioned on labels", e.Message);
    }

    [Fact]
    public void In_phases_the_step_trains_the_autoencoder_on_reconstruction_then_the_encoder_as_generator()
    {
        var config = ModelKinds.Defaults(ModelKind.Aae) with
        {
            InputSize = 12,
            InputShape = null,
            Hidden = [8],
            Latent = 6,
            Prior = PriorKind.Categorical,
            PriorComponents = 4,
            AdversarialPhases = true,
            CodeBatchNorm = true,
            Loss = LossKind.Mse,
            OutputActivation = ActivationKind.None,
        };
        var rng = new Rng(3);
        var data = new Dataset("noise", Enumerable.Range(0, 64 * 12).Select(_ => (float)rng.NextNormal()).ToArray(), 64, 12);
        var phased = new Autoencoder(config, seed: 2);
        var adversary = (AdversarialPrior)phased.Regularizer;
        ITrainable trainable = phased;
        var batch = new Tensor(16, 12);
        data.CopyRows(0, 16, batch);
        // The reconstruction step adds no adversarial penalty: that waits for the phase after it.
        double loss = trainable.TrainingLoss(batch);
        Assert.Equal(0, phased.Regularizer.Penalty);
        Assert.True(loss > 0 && double.IsFinite(loss));

        // The phase moves only the encoder (the decoder is not the generator), and its loss is reported.
        var decoderBefore = phased.Decoder.Parameters.Select(p => p.Value.Span.ToArray()).ToArray();
        var encoderBefore = phased.Encoder.Parameters.Select(p => p.Value.Span.ToArray()).ToArray();
        trainable.AfterStep(batch);
        Assert.True(double.IsFinite(adversary.GeneratorLoss) && adversary.GeneratorLoss > 0);
        Assert.Equal(decoderBefore, phased.Decoder.Parameters.Select(p => p.Value.Span.ToArray()).ToArray());
        Assert.NotEqual(encoderBefore, phased.Encoder.Parameters.Select(p => p.Value.Span.ToArray()).ToArray());

        // Trained in phases, the model's code ends in a batch norm, saved with PyTorch's names.
        Assert.IsType<Bottleneck.Layers.BatchNorm1d>(phased.Encoder.Layers[^1]);
        Assert.Contains(phased.NamedBuffers, b => b.Name == "encoder.3.running_mean");
        Trainer.Fit(phased, data, new FitOptions { Epochs = 2, BatchSize = 16 });
        using var dir = new TempDir();
        ModelFile.Save(phased, dir.Path);
        var (loaded, json) = ModelFile.Load(dir.Path);
        Assert.True(json.Model!.CodeBatchNorm);
        Assert.True(json.Model!.AdversarialPhases);
        Assert.True(loaded.Config.AdversarialPhases && loaded.Config.CodeBatchNorm);
        Assert.Equal(phased.Encode(batch).Span.ToArray(), loaded.Encode(batch).Span.ToArray());
    }

    [Fact]
    public void Phases_and_a_normalised_code_belong_to_the_aae()
    {
        Assert.Contains("phases", Assert.Throws<BottleneckException>((ModelKinds.Defaults(ModelKind.Vae) with { AdversarialPhases = true }).Validate).Message);
        Assert.Contains("batch normalisation of the code", Assert.Throws<BottleneckException>((ModelKinds.Defaults(ModelKind.Vanilla) with { CodeBatchNorm = true }).Validate).Message);
        Assert.Contains("linear code", Assert.Throws<BottleneckException>((ModelKinds.Defaults(ModelKind.Aae) with { CodeBatchNorm = true, LatentActivation = ActivationKind.Tanh }).Validate).Message);
    }
}
