using System.Globalization;
using System.Text;
using Bottleneck.Data;
using Bottleneck.Tests.IO;

namespace Bottleneck.Tests.Data;

public class CsvTableTests
{
    private static CsvTable Parse(string text, CsvOptions? options = null) => CsvTable.Read(new StringReader(text), "t.csv", options);

    private static string Error(string text, CsvOptions? options = null) =>
        Assert.Throws<BottleneckException>(() => Parse(text, options)).Message;

    [Fact]
    public void ReadsFeaturesAndNumericLabels()
    {
        var t = Parse("a,b,label\n1,2.5,0\n-3,4e2,1\n 5 , 6 ,1\n", new CsvOptions { LabelColumn = "label" });
        Assert.Equal(',', t.Delimiter);
        Assert.Equal(new[] { "a", "b", "label" }, t.Columns);
        Assert.Equal(new[] { "a", "b" }, t.FeatureColumns);
        Assert.Equal((3, 2), (t.RowCount, t.FeatureCount));
        Assert.Equal(new[] { 1f, 2.5f, -3f, 400f, 5f, 6f }, t.Features);
        Assert.Equal(new[] { 0, 1, 1 }, t.Labels);
        Assert.Null(t.LabelClasses);
        Assert.Null(t.DescribeLabelMapping());
        var d = t.ToDataset();
        Assert.Equal(("t.csv", 3, 2), (d.Name, d.Count, d.FeatureCount));
        Assert.Equal(t.Labels, d.Labels);
    }

    [Fact]
    public void ChoosesFeatureColumnsByNameInTheOrderGiven()
    {
        var t = Parse("id,x,y,z,class\n7,1,2,3,a\n8,4,5,6,b\n", new CsvOptions { FeatureColumns = ["z", "x"], LabelColumn = "class" });
        Assert.Equal(new[] { "z", "x" }, t.FeatureColumns);
        Assert.Equal(new[] { 3f, 1f, 6f, 4f }, t.Features);
        Assert.Empty(t.IgnoredColumns);
    }

    [Fact]
    public void AutomaticSelectionLeavesOutTextAndUnnamedColumns()
    {
        // pandas' to_csv writes an unnamed index column first.
        var t = Parse(",name,x,y,label\n0,alice,1,2,normal\n1,bob,3,4,anomaly\n2,carol,5,6,normal\n", new CsvOptions { LabelColumn = "label" });
        Assert.Equal(new[] { "x", "y" }, t.FeatureColumns);
        Assert.Equal(new[] { "column 1 (unnamed)", "'name' (text)" }, t.IgnoredColumns);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, t.Features);
    }

    [Fact]
    public void StringLabelsAreNumberedInOrdinalOrderWhateverTheRowOrder()
    {
        var a = Parse("x,y\n1,normal\n2,anomaly\n3,normal\n4,Zebra\n", new CsvOptions { LabelColumn = "y" });
        var b = Parse("x,y\n4,Zebra\n2,anomaly\n1,normal\n3,normal\n", new CsvOptions { LabelColumn = "y" });
        // Ordinal order: uppercase before lowercase, independent of the culture.
        Assert.Equal(new[] { "Zebra", "anomaly", "normal" }, a.LabelClasses);
        Assert.Equal(a.LabelClasses, b.LabelClasses);
        Assert.Equal(new[] { 2, 1, 2, 0 }, a.Labels);
        Assert.Equal(new[] { 0, 1, 2, 2 }, b.Labels);
        Assert.Equal("Zebra=0, anomaly=1, normal=2", a.DescribeLabelMapping());
    }

    [Fact]
    public void IntegerLabelsMayBeWrittenAsFloats()
    {
        var t = Parse("x,y\n1,1.0\n2,0\n3,-2\n", new CsvOptions { LabelColumn = "y" });
        Assert.Equal(new[] { 1, 0, -2 }, t.Labels);
        Assert.Contains("line 3: label '0.5' in column 'y' is not an integer", Error("x,y\n1,1\n2,0.5\n", new CsvOptions { LabelColumn = "y" }));
    }

    [Fact]
    public void QuotedFieldsHoldDelimitersQuotesAndLineBreaks()
    {
        var t = Parse("\"a,1\",\"b \"\"q\"\"\",label\n\"1.5\",2,\"two\nlines\"\n3,\"4\" ,\"x,y\"\n", new CsvOptions { LabelColumn = "label" });
        Assert.Equal(new[] { "a,1", "b \"q\"", "label" }, t.Columns);
        Assert.Equal(new[] { 1.5f, 2f, 3f, 4f }, t.Features);
        Assert.Equal(new[] { "two\nlines", "x,y" }, t.LabelClasses);
    }

    [Theory]
    [InlineData("a;b;c\n1,5;2;3\n", ';')]
    [InlineData("a\tb\tc\n1.5\t2\t3\n", '\t')]
    [InlineData("a,b,c\r\n1.5,2,3\r\n", ',')]
    [InlineData("\"x;y\",b,c\n1.5,2,3\n", ',')]
    public void DetectsTheDelimiterFromTheHeader(string text, char delimiter)
    {
        if (delimiter == ';')
        {
            // A semicolon file with a decimal comma: the delimiter is found, and the number is refused with a hint.
            Assert.Contains("'1,5' is not a number (use '.' as the decimal point)", Error(text));
            return;
        }
        var t = Parse(text);
        Assert.Equal(delimiter, t.Delimiter);
        Assert.Equal(new[] { 1.5f, 2f, 3f }, t.Features);
    }

    [Fact]
    public void HandlesLineEndingsBlankLinesAndAByteOrderMark()
    {
        foreach (string newline in new[] { "\n", "\r\n", "\r" })
        {
            var t = Parse($"a,b{newline}{newline}1,2{newline}  {newline}3,4");
            Assert.Equal(new[] { 1f, 2f, 3f, 4f }, t.Features);
        }
        using var dir = new TempDir();
        File.WriteAllText(dir.File("bom.csv"), "a,b\n1,2\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.Equal(new[] { "a", "b" }, CsvTable.Read(dir.File("bom.csv")).Columns);
        File.WriteAllText(dir.File("t.tsv"), "a,1\tb\n1\t2\n");
        Assert.Equal(new[] { "a,1", "b" }, CsvTable.Read(dir.File("t.tsv")).Columns);
    }

    [Fact]
    public void NumbersDoNotDependOnTheCurrentCulture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            comma.NumberFormat.NumberGroupSeparator = ".";
            CultureInfo.CurrentCulture = comma;
            Assert.Equal(new[] { 1.5f, 1000f }, Parse("a\n1.5\n1e3\n").Features);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Theory]
    [InlineData("", "t.csv: the file is empty; a CSV table needs a header row naming its columns")]
    [InlineData("\n\n", "t.csv: the file is empty; a CSV table needs a header row naming its columns")]
    [InlineData("a,b\n", "t.csv: the table has a header but no data rows")]
    [InlineData("a,b\n1,2\n3\n", "t.csv: line 3 has 1 fields but the header has 2; check the delimiter (',') and the quoting")]
    [InlineData("a,b\n1,2\n3,,\n", "t.csv: line 3 has 3 fields but the header has 2; check the delimiter (',') and the quoting")]
    [InlineData("a,b\n1,2\n3,\n", "t.csv: line 3, column 2 ('b') is empty (a missing value); fill in or drop missing values first")]
    [InlineData("a,b\n1,2\n3,NA\n", "t.csv: line 3, column 2 ('b'): 'NA' is not a number")]
    [InlineData("a,b\n1,2\n3,NaN\n", "t.csv: line 3, column 2 ('b') is NaN; NaN and infinite values are not allowed (fill in or drop missing values first)")]
    [InlineData("a,b\n1,2\n3,-inf\n", "t.csv: line 3, column 2 ('b') is -inf; NaN and infinite values are not allowed (fill in or drop missing values first)")]
    [InlineData("a,b\n1,2\n3,1e39\n", "t.csv: line 3, column 2 ('b'): 1e39 is outside the float32 range")]
    [InlineData("a,b\n1,\"2\n3,4\n", "t.csv: line 2: a quoted field opened there is never closed")]
    [InlineData("a,b\n1,\"2\"x\n", "t.csv: line 2: unexpected 'x' after the closing quote of field 2; a quoted field must end at a delimiter or a line end")]
    [InlineData("a,a\n1,2\n", "t.csv: the header names column 'a' twice (columns 1 and 2); rename one")]
    [InlineData("name,city\nann,rome\n", "t.csv: no column holds numbers in the first data row (line 2); there are no features to read")]
    [InlineData("a,b\n\"x\ny\",2\n5,oops\n", "t.csv: line 4, column 2 ('b'): 'oops' is not a number")]
    [InlineData("a,b\nnan,2\n", "t.csv: line 2, column 1 ('a') is nan; NaN and infinite values are not allowed (fill in or drop missing values first)")]
    [InlineData("a,b\n,2\n", "t.csv: line 2, column 1 ('a') is empty (a missing value); fill in or drop missing values first")]
    public void BadTablesGiveOneClearLine(string text, string expected)
    {
        var message = Error(text);
        Assert.Equal(expected, message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void BadColumnChoicesNameTheColumns()
    {
        const string text = "a,b,y\n1,2,0\n";
        Assert.Equal("t.csv: the label column 'label' is not in the header (columns: 'a', 'b', 'y')", Error(text, new CsvOptions { LabelColumn = "label" }));
        Assert.Equal("t.csv: the feature column 'c' is not in the header (columns: 'a', 'b', 'y')", Error(text, new CsvOptions { FeatureColumns = ["a", "c"] }));
        Assert.Equal("t.csv: column 'y' is the label column and cannot also be a feature", Error(text, new CsvOptions { FeatureColumns = ["a", "y"], LabelColumn = "y" }));
        Assert.Equal("t.csv: feature column 'a' is listed twice", Error(text, new CsvOptions { FeatureColumns = ["a", "a"] }));
        Assert.Equal("t.csv: line 3: the label column 'y' is empty; every row needs a label", Error("a,y\n1,0\n2,\n", new CsvOptions { LabelColumn = "y" }));
        // A text value in a chosen feature column is an error, not a silently dropped column.
        Assert.Equal("t.csv: line 2, column 1 ('a'): 'x' is not a number", Error("a,b\nx,1\n", new CsvOptions { FeatureColumns = ["a", "b"] }));
    }

    [Fact]
    public void ControlCharactersInValuesStayOnOneLine()
    {
        var message = Error("a\n\"1\n2\u0001\"\n", new CsvOptions { FeatureColumns = ["a"] });
        Assert.Equal("t.csv: line 2, column 1 ('a'): '1\\n2\\u0001' is not a number", message);
    }

    [Fact]
    public void RandomGarbageNeverEscapesAsAnotherException()
    {
        var rng = new Random(5);
        const string alphabet = "ab1.,;\t\"\n\r -e9x";
        int errors = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var sb = new StringBuilder();
            for (int n = rng.Next(60); n > 0; n--) sb.Append(alphabet[rng.Next(alphabet.Length)]);
            try
            {
                var t = Parse(sb.ToString(), new CsvOptions { LabelColumn = rng.Next(3) == 0 ? "b" : null });
                Assert.Equal((long)t.RowCount * t.FeatureCount, t.Features.Length);
                Assert.All(t.Features, v => Assert.True(float.IsFinite(v)));
            }
            catch (BottleneckException e)
            {
                Assert.DoesNotContain('\n', e.Message);
                errors++;
            }
        }
        Assert.InRange(errors, 1000, 3000);
    }

    [Fact]
    public void ReadsALargeTableWithStringLabels()
    {
        // 20,000 rows × 30 columns (about 3.5 MB), with string labels.
        var sb = new StringBuilder();
        sb.AppendJoin(',', Enumerable.Range(0, 30).Select(j => "f" + j)).Append(",label\n");
        var rng = new Random(1);
        for (int i = 0; i < 20000; i++)
        {
            for (int j = 0; j < 30; j++) sb.Append((rng.NextDouble() * 100 - 50).ToString("R", CultureInfo.InvariantCulture)).Append(',');
            sb.Append(i % 50 == 0 ? "anomaly" : "normal").Append('\n');
        }
        string text = sb.ToString();
        var t = Parse(text, new CsvOptions { LabelColumn = "label" });
        Assert.Equal((20000, 30), (t.RowCount, t.FeatureCount));
        Assert.Equal(400, t.Labels!.Count(l => l == 0));
    }
}
