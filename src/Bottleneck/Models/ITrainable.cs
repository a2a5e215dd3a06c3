using Bottleneck.Data;
using Bottleneck.Layers;
using Bottleneck.Tensors;

namespace Bottleneck.Models;

/// <summary>
/// What the fit loop needs from a model, and nothing more: PyTorch's <c>loss = model(x)</c> and
/// <c>loss.backward()</c>, the named parameters an optimizer updates, and an evaluation. The
/// built-in kinds (<see cref="Autoencoder"/>, including one made from the user's own layers)
/// implement it; a model that trains something of its own on the side (the adversarial kinds'
/// discriminators) does that inside <see cref="Backward"/>, so the trainer needs no special case.
/// </summary>
public interface ITrainable
{
    /// <summary>Values per item the model reads (the width of a training batch).</summary>
    int InputSize { get; }

    /// <summary>Every trained parameter with its state_dict name, in a fixed order.</summary>
    IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters { get; }

    /// <summary>State saved with the weights but not trained by gradients (batch norm's running statistics).</summary>
    IReadOnlyList<(string Name, Tensor Value)> NamedBuffers { get; }

    /// <summary>The generator of training-time noise (dropout, sampling, corruption); a checkpoint saves its state.</summary>
    Rng Sampler { get; }

    /// <summary>Threads, kernel and fusion the model computes with; the trainer's optimizer and checks use the same.</summary>
    EngineOptions Engine { get; }

    /// <summary>Held by the trainer across each step, so inference on another thread never sees half-updated weights.</summary>
    Lock Gate { get; }

    /// <summary>Told the training set's size once before a fit (an estimator over the whole data set needs it).</summary>
    void Prepare(int trainingItems);

    /// <summary>Whether a step needs each item's class label (a label-conditioned prior): the trainer then passes them to <see cref="SetLabels"/> before every <see cref="TrainingLoss"/>.</summary>
    bool NeedsLabels => false;

    /// <summary>The class labels of the next training batch, one per row.</summary>
    void SetLabels(ReadOnlySpan<int> labels)
    {
    }

    /// <summary>Training-mode forward pass of <paramref name="batch"/> [rows, InputSize]; returns its loss summed over the items.</summary>
    double TrainingLoss(Tensor batch);

    /// <summary>
    /// A second phase of the step, after the optimizer's update of the gradients of
    /// <see cref="Backward"/>: a model that trains part of itself with an optimizer of its own
    /// (an AAE in phases: its encoder as the generator) does it here.
    /// </summary>
    void AfterStep(Tensor batch)
    {
    }

    /// <summary>
    /// The backward pass of the last <see cref="TrainingLoss"/> on <paramref name="batch"/>: writes
    /// (overwrites) every parameter's gradient. <paramref name="gradBuffer"/>, shaped like the
    /// batch, is lent for the loss's gradient so a step allocates nothing.
    /// </summary>
    void Backward(Tensor batch, Tensor gradBuffer);

    /// <summary>Mean loss per item over <paramref name="data"/>, with its parts, deterministic for given weights.</summary>
    Evaluation Evaluate(Dataset data, int batchSize = 1000);
}
