using System.Text;

namespace Bottleneck.Data;

/// <summary>
/// The characters a seq2seq model knows, as token ids: 0 is padding, 1 ends a sequence, 2 starts
/// the decoder, and the characters follow from 3 in code-point order. A character is a Unicode
/// scalar value (a <see cref="Rune"/>), so letters outside the Basic Multilingual Plane count
/// as one. Saved in model.json as the list of characters, so ids never depend on the data seen later.
/// </summary>
public sealed class CharacterVocabulary
{
    public const int Padding = 0;
    public const int End = 1;
    public const int Start = 2;

    /// <summary>Ids below this are the three markers above.</summary>
    public const int FirstCharacter = 3;

    private readonly Dictionary<Rune, int> ids;
    private readonly Rune[] characters;

    public CharacterVocabulary(IEnumerable<string> characters)
    {
        var list = new List<Rune>();
        ids = [];
        foreach (var text in characters)
        {
            if (!Rune.TryGetRuneAt(text, 0, out var rune) || rune.Utf16SequenceLength != text.Length)
                throw new BottleneckException($"vocabulary entry '{text}' is not one character");
            if (!ids.TryAdd(rune, FirstCharacter + list.Count))
                throw new BottleneckException($"vocabulary lists the character '{text}' twice");
            list.Add(rune);
        }
        if (list.Count == 0) throw new BottleneckException("the vocabulary holds no characters");
        this.characters = [.. list];
    }

    /// <summary>The vocabulary of every character in <paramref name="lines"/>, in code-point order.</summary>
    public static CharacterVocabulary FromLines(IEnumerable<string> lines)
    {
        var seen = new SortedSet<Rune>();
        foreach (var line in lines)
            foreach (var rune in line.EnumerateRunes()) seen.Add(rune);
        return new CharacterVocabulary(seen.Select(r => r.ToString()));
    }

    /// <summary>Token ids of the model's output and embedding tables: the markers and the characters.</summary>
    public int Size => FirstCharacter + characters.Length;

    /// <summary>The characters in id order (from id 3), as model.json lists them.</summary>
    public IReadOnlyList<string> Characters => characters.Select(r => r.ToString()).ToArray();

    /// <summary>
    /// The ids of <paramref name="text"/>'s characters (no markers); a character the vocabulary
    /// lacks is an error naming it and <paramref name="where"/> (file and line).
    /// </summary>
    public int[] Encode(string text, string where)
    {
        var result = new List<int>(text.Length);
        int column = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            column++;
            if (!ids.TryGetValue(rune, out int id))
                throw new BottleneckException($"{where}: character '{Printable(rune)}' (U+{rune.Value:X4}, character {column}) is not in the model's vocabulary of {characters.Length} characters");
            result.Add(id);
        }
        return [.. result];
    }

    /// <summary>The text of <paramref name="tokens"/> up to the first end marker; markers and padding write nothing.</summary>
    public string Decode(ReadOnlySpan<int> tokens)
    {
        var text = new StringBuilder(tokens.Length);
        foreach (int id in tokens)
        {
            if (id == End) break;
            if (id >= FirstCharacter && id < Size) text.Append(characters[id - FirstCharacter].ToString());
        }
        return text.ToString();
    }

    private static string Printable(Rune rune) => Rune.IsControl(rune) || Rune.IsWhiteSpace(rune) ? "\\u" + rune.Value.ToString("X4") : rune.ToString();
}
