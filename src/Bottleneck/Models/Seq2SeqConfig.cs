namespace Bottleneck.Models;

/// <summary>
/// The architecture of a <see cref="Seq2SeqAutoencoder"/>: character embeddings, a GRU encoder
/// whose last state becomes the code through a linear layer, and a GRU decoder that reads the
/// code beside the previous character at every step.
/// </summary>
public sealed record Seq2SeqConfig
{
    /// <summary>The characters, in token-id order from id 3 (see <see cref="Data.CharacterVocabulary"/>).</summary>
    public required IReadOnlyList<string> Vocabulary { get; init; }

    /// <summary>Size of each character's embedding vector.</summary>
    public int Embedding { get; init; } = 32;

    /// <summary>Hidden units of the encoder's and the decoder's GRU.</summary>
    public int Hidden { get; init; } = 256;

    /// <summary>Size of the code (the bottleneck).</summary>
    public int Latent { get; init; } = 64;

    /// <summary>The longest sequence the decoder writes, in characters (greedy decoding stops there if no end comes).</summary>
    public int MaxLength { get; init; } = Data.TextLines.MaxLength;

    public void Validate()
    {
        if (Vocabulary is null || Vocabulary.Count == 0) throw new BottleneckException("a seq2seq model needs a vocabulary of at least one character");
        if (Embedding < 1) throw new BottleneckException($"the embedding size must be positive, got {Embedding}");
        if (Hidden < 1) throw new BottleneckException($"the hidden size must be positive, got {Hidden}");
        if (Latent < 1) throw new BottleneckException($"the latent size must be positive, got {Latent}");
        if (MaxLength < 1 || MaxLength > Data.TextLines.MaxLength)
            throw new BottleneckException($"the longest sequence must be 1 to {Data.TextLines.MaxLength} characters, got {MaxLength}");
        if ((long)Hidden * Hidden > 1L << 26 || (long)Embedding * (Vocabulary.Count + 3) > 1L << 26)
            throw new BottleneckException($"the model is too large: hidden {Hidden}, embedding {Embedding} for {Vocabulary.Count} characters");
    }
}
