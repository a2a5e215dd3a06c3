using System.Globalization;
using Bottleneck.Data;

namespace Bottleneck.Tests.Data;

/// <summary>The CSV reader's fast path for plain decimals gives float.Parse's bits, and leaves everything else to it.</summary>
public class CsvNumberTests
{
    private static float Reference(string text) => float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("0")]
    [InlineData("-0.0")]
    [InlineData("+3")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("0.1")]
    [InlineData("-12.34567")]
    [InlineData("16777215")]
    [InlineData("1677721.5")]
    [InlineData("0.0000000001")]
    [InlineData("9.999999")]
    [InlineData("007.25")]
    public void Plain_decimals_take_the_fast_path_with_the_same_bits(string text)
    {
        Assert.True(CsvTable.TryParseShortDecimal(text, out float v), text);
        Assert.Equal(BitConverter.SingleToInt32Bits(Reference(text)), BitConverter.SingleToInt32Bits(v));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData(".")]
    [InlineData("1e5")]
    [InlineData("1.2.3")]
    [InlineData("16777216")]
    [InlineData("0.00000000001")]
    [InlineData("1,5")]
    [InlineData("nan")]
    [InlineData("--1")]
    [InlineData("1 2")]
    public void Anything_else_is_left_to_the_general_parser(string text)
    {
        Assert.False(CsvTable.TryParseShortDecimal(text, out _), text);
    }

    [Fact]
    public void Random_decimals_agree_with_float_parse_bit_for_bit()
    {
        var rng = new Random(11);
        int fast = 0;
        for (int trial = 0; trial < 200_000; trial++)
        {
            // Up to 9 digits, the point anywhere (or nowhere), either sign: both sides of the 2^24 limit.
            int digits = rng.Next(1, 10);
            var chars = new char[digits];
            for (int k = 0; k < digits; k++) chars[k] = (char)('0' + rng.Next(10));
            string text = new(chars);
            int point = rng.Next(-1, digits + 1);
            if (point >= 0) text = text.Insert(point, ".");
            if (rng.Next(3) == 0) text = (rng.Next(2) == 0 ? "-" : "+") + text;
            if (!CsvTable.TryParseShortDecimal(text, out float v)) continue;
            fast++;
            Assert.True(BitConverter.SingleToInt32Bits(Reference(text)) == BitConverter.SingleToInt32Bits(v), $"'{text}': {v:R} against {Reference(text):R}");
        }
        Assert.True(fast > 100_000, $"only {fast} of the random decimals took the fast path");
    }
}
