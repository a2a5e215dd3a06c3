using Bottleneck.Data;

namespace Bottleneck.Tests.Data;

/// <summary>Text files of one sequence per line: line breaks, a BOM, and the refusals naming the bad line.</summary>
public class TextLinesTests
{
    [Fact]
    public void Reads_lines_with_either_line_break_a_bom_and_no_final_break()
    {
        Assert.Equal(["cat", "dog", "émigré"], TextLines.Parse("\uFEFFcat\r\ndog\némigré", "t"));
        Assert.Equal(["a b", "c"], TextLines.Parse("a b\nc\n", "t"));
    }

    [Theory]
    [InlineData("cat\n\ndog\n", "t:2: empty line")]
    [InlineData("cat\n\r\n", "t:2: empty line")]
    [InlineData("", "t: holds no lines")]
    [InlineData("a\nb\0c\n", "t:2: holds a NUL character")]
    public void Refuses_empty_lines_nul_and_empty_files(string text, string message)
    {
        var error = Assert.Throws<BottleneckException>(() => TextLines.Parse(text, "t"));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_bad_utf8_and_overlong_lines_at_their_line()
    {
        using var dir = new IO.TempDir();
        string path = dir.File("bad.txt");
        File.WriteAllBytes(path, [0x61, 0x0A, 0x62, 0x0A, 0xC3, 0x28, 0x0A]);
        Assert.Equal($"{path}:3: not valid UTF-8 text", Assert.Throws<BottleneckException>(() => TextLines.Read(path)).Message);
        var error = Assert.Throws<BottleneckException>(() => TextLines.Parse("ok\n" + new string('x', TextLines.MaxLength + 1), "t"));
        Assert.StartsWith("t:2: a line of more than 256 characters", error.Message, StringComparison.Ordinal);
        Assert.Single(TextLines.Parse(new string('x', TextLines.MaxLength), "t"));
    }
}
