using System.ComponentModel;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bottleneck;

/// <summary>
/// The names of a setting's choices (a model kind, a loss, a prior), as the command line,
/// model.json and messages write them: each enum member's name in lower case with a hyphen
/// between words (BetaVae is "beta-vae", Seq2Seq "seq2seq", SaltAndPepper "salt-and-pepper"),
/// unless a member's <see cref="JsonStringEnumMemberNameAttribute"/> names it otherwise (PyTorch's
/// "leaky_relu"). The enum's <see cref="DescriptionAttribute"/> says what the choice is, for errors.
/// </summary>
public static class NamedEnum
{
    /// <summary>The member's name (an undefined number has none and is an error).</summary>
    public static string Name<T>(this T value) where T : struct, Enum =>
        Table<T>.Names.TryGetValue(value, out var name) ? name : throw Undefined(value);

    /// <summary><paramref name="value"/> itself when it is one of the members; a number cast to the enum is an error.</summary>
    public static T Defined<T>(T value) where T : struct, Enum => Enum.IsDefined(value) ? value : throw Undefined(value);

    /// <summary>The error for a number cast to the enum that names no member.</summary>
    public static BottleneckException Undefined<T>(T value) where T : struct, Enum =>
        new($"no {Table<T>.What} numbered {Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)}; choose one of {string.Join(", ", Table<T>.Ordered)}");

    /// <summary>Every member's name, in declaration order.</summary>
    public static IReadOnlyList<string> Names<T>() where T : struct, Enum => Table<T>.Ordered;

    /// <summary>The member of a name (exact), if there is one.</summary>
    public static bool TryParse<T>(string name, out T value) where T : struct, Enum => Table<T>.Members.TryGetValue(name, out value);

    /// <summary>The member of a name, or an error that names the setting and lists its choices.</summary>
    public static T Parse<T>(string name) where T : struct, Enum => TryParse<T>(name, out var value)
        ? value
        : throw new BottleneckException(Unknown<T>(name));

    /// <summary>The one-line message for a name that is none of the choices.</summary>
    public static string Unknown<T>(string name) where T : struct, Enum =>
        $"unknown {Table<T>.What} '{name}'; choose one of {string.Join(", ", Table<T>.Ordered)}";

    private static string Hyphenate(string member)
    {
        var name = new StringBuilder(member.Length + 4);
        for (int i = 0; i < member.Length; i++)
        {
            // A word starts at a capital after a lower-case letter; digits stay with their word.
            if (i > 0 && char.IsUpper(member[i]) && char.IsLower(member[i - 1])) name.Append('-');
            name.Append(char.ToLowerInvariant(member[i]));
        }
        return name.ToString();
    }

    private static class Table<T> where T : struct, Enum
    {
        public static readonly string What = typeof(T).GetCustomAttribute<DescriptionAttribute>()?.Description ?? typeof(T).Name;
        public static readonly string[] Ordered = [.. Enum.GetValues<T>().Select(NameOf)];
        public static readonly Dictionary<T, string> Names = Enum.GetValues<T>().ToDictionary(v => v, NameOf);
        public static readonly Dictionary<string, T> Members = Enum.GetValues<T>().ToDictionary(NameOf, v => v, StringComparer.Ordinal);

        private static string NameOf(T value) =>
            typeof(T).GetField(value.ToString())?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? Hyphenate(value.ToString());
    }
}

/// <summary>Reads and writes an enum as its <see cref="NamedEnum"/> name, so that an unknown name in a file is an error that lists the choices.</summary>
public sealed class NamedEnumConverter<T> : JsonConverter<T> where T : struct, Enum
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string? name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        if (name is not null && NamedEnum.TryParse<T>(name, out var value)) return value;
        throw new JsonException(NamedEnum.Unknown<T>(name ?? reader.TokenType.ToString()));
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name());
}
