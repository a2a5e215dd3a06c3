namespace Bottleneck.Models;

/// <summary>How well a seq2seq model writes sequences back: mean loss, exact matches overall and by length.</summary>
public sealed record Seq2SeqEvaluation(double Loss, double ExactMatch, IReadOnlyList<LengthAccuracy> ByLength, string[] Reconstructions);

/// <summary>Exact matches among the sequences of one length.</summary>
public sealed record LengthAccuracy(int Length, int Count, int Correct)
{
    public double Accuracy => Count == 0 ? double.NaN : (double)Correct / Count;
}
