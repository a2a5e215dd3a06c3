namespace Bottleneck.Models;

/// <summary>
/// Mean loss per item over a dataset and its two parts: the reconstruction loss and the
/// regulariser's penalty (a VAE's β·KL, a sparsity or contractive term; 0 for plain kinds); for a
/// model that writes sequences back, the share it writes back exactly.
/// </summary>
public sealed record Evaluation(double Loss, double Reconstruction, double Penalty, string PenaltyName, double? ExactMatch = null);
