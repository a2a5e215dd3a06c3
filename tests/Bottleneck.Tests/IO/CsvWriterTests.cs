using System.Globalization;
using Bottleneck.Data;
using Bottleneck.Formats;

namespace Bottleneck.Tests.IO;

public class CsvWriterTests
{
    [Fact]
    public void QuotesOnlyWhatMustBeQuoted()
    {
        var text = new StringWriter { NewLine = "\n" };
        var csv = new CsvWriter(text);
        csv.Row("plain", "with,comma", "with \"quote\"", "two\nlines", " padded", "");
        csv.Field("").Field(1.5f).EndRow();
        csv.Field("").EndRow();
        Assert.Equal("plain,\"with,comma\",\"with \"\"quote\"\"\",\"two\nlines\",\" padded\",\n\"\",1.5\n\"\"\n", text.ToString());
    }

    [Fact]
    public void NumbersAreInvariantAndRoundTrip()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            CultureInfo.CurrentCulture = comma;
            var text = new StringWriter();
            new CsvWriter(text).Field(0.1f).Field(-1e-7f).Field(3.4028235e38f).Field(0.1).Field(-42L).EndRow();
            Assert.Equal("0.1,-1E-07,3.4028235E+38,0.1,-42\n", text.ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void WriteTableIsAtomicAndReadsBackBitForBit()
    {
        using var dir = new TempDir();
        string path = dir.File("codes.csv");
        var rng = new Random(3);
        var values = new float[50 * 4];
        for (int i = 0; i < values.Length; i++) values[i] = BitConverter.Int32BitsToSingle(rng.Next()) is var v && float.IsFinite(v) ? v : i;
        var labels = Enumerable.Range(0, 50).Select(i => i % 3).ToArray();
        File.WriteAllText(path, "old content");
        CsvWriter.WriteTable(path, ["z0", "z1", "z,2", "z3"], values, 50, 4, labels);
        Assert.Single(Directory.GetFiles(dir.Path)); // replaced in place, no temporary file left
        var t = CsvTable.Read(path, new CsvOptions { LabelColumn = "label" });
        Assert.Equal(new[] { "z0", "z1", "z,2", "z3" }, t.FeatureColumns);
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), t.Features.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(labels, t.Labels);
        Assert.Throws<ArgumentException>(() => CsvWriter.WriteTable(path, ["a"], values, 50, 4));
    }
}
