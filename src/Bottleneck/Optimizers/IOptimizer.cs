using Bottleneck.Tensors;

namespace Bottleneck.Optimizers;

/// <summary>
/// What the fit loop needs from an optimizer (torch.optim's step): an update from the gradients
/// the model's backward pass wrote, and the state a checkpoint saves to resume exactly.
/// </summary>
public interface IOptimizer
{
    /// <summary>Updates the parameters it was made for from their current gradients.</summary>
    void Update();

    /// <summary>The step size of the next update; the trainer's schedule sets it before each step (torch's param_groups' lr).</summary>
    double LearningRate { get; set; }

    /// <summary>Number of updates taken.</summary>
    long Step { get; }

    /// <summary>Puts back the update count of a checkpoint (the state tensors are restored through <see cref="State"/>).</summary>
    void RestoreStep(long step);

    /// <summary>
    /// The per-parameter state tensors, each group under the name prefix a checkpoint stores it
    /// with ("adam.m."), one tensor per parameter in the order of the parameters given.
    /// </summary>
    IReadOnlyList<(string Prefix, IReadOnlyList<Tensor> Tensors)> State { get; }
}
