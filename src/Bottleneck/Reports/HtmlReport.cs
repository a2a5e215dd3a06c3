using System.Globalization;
using System.Text;
using System.Xml;
using Bottleneck.IO;

namespace Bottleneck.Reports;

/// <summary>
/// Builds one self-contained HTML page about a run: a title, tables of facts, tables of
/// per-epoch metrics, figures and free text, in the order they are added. The page needs nothing
/// but itself: figures are embedded as base64 data URIs and the CSS and the one script are inline,
/// so it can be mailed, archived or opened offline years later and still show everything.
/// </summary>
/// <remarks>
/// All text is HTML-encoded. The markup is also well-formed XML (void elements self-closed, the
/// script in a CDATA-safe comment), so tools and tests can read a report with an XML parser.
/// A small inline script checks on load that every figure decoded and records the outcome in
/// <c>&lt;meta name="figures-loaded" content="loaded/total" data-failed="ids"&gt;</c>, which a
/// headless browser can dump; a reader also sees a warning when a figure fails.
/// </remarks>
public sealed class HtmlReport
{
    /// <summary>The name of the meta element the load check writes its "loaded/total" result into.</summary>
    public const string FiguresLoadedMeta = "figures-loaded";

    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly List<Section> sections = [new Section(null)];
    private readonly List<string> figureIds = [];
    private readonly HashSet<string> usedIds = new(StringComparer.Ordinal);

    public HtmlReport(string title)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        Title = title;
    }

    /// <summary>The page title (the browser tab and the heading).</summary>
    public string Title { get; }

    /// <summary>The ids of the figures added so far, in order.</summary>
    public IReadOnlyList<string> FigureIds => figureIds;

    /// <summary>Starts a section with its own heading; what is added next goes under it.</summary>
    public HtmlReport AddSection(string heading, string? text = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(heading);
        sections.Add(new Section(heading));
        if (text != null) AddText(text);
        return this;
    }

    /// <summary>Adds text; blank lines separate paragraphs.</summary>
    public HtmlReport AddText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var html = new StringBuilder();
        foreach (string paragraph in text.ReplaceLineEndings("\n").Split("\n\n"))
        {
            if (string.IsNullOrWhiteSpace(paragraph)) continue;
            html.Append("<p>").Append(Encode(paragraph.Trim())).Append("</p>\n");
        }
        Current.Blocks.Add(_ => html.ToString());
        return this;
    }

    /// <summary>Adds a two-column table of named facts (model kind, dataset, final loss, ...).</summary>
    public HtmlReport AddFacts(string heading, IEnumerable<(string Key, string Value)> facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var html = new StringBuilder();
        html.Append("<table class=\"facts\">\n<tbody>\n");
        foreach (var (key, value) in facts)
            html.Append("<tr><th scope=\"row\">").Append(Encode(key)).Append("</th><td>").Append(Encode(value)).Append("</td></tr>\n");
        html.Append("</tbody>\n</table>\n");
        string body = html.ToString();
        Current.Blocks.Add(level => Heading(level, heading) + body);
        return this;
    }

    /// <summary>
    /// Adds a table with a header row (a per-epoch metrics table, for instance). Cells that read
    /// as numbers are right-aligned so that columns of figures line up.
    /// </summary>
    public HtmlReport AddTable(string heading, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        var html = new StringBuilder();
        html.Append("<table class=\"data\">\n<thead>\n<tr>");
        foreach (string h in headers) html.Append("<th scope=\"col\">").Append(Encode(h)).Append("</th>");
        html.Append("</tr>\n</thead>\n<tbody>\n");
        int rowNumber = 0;
        foreach (var row in rows)
        {
            ArgumentNullException.ThrowIfNull(row);
            rowNumber++;
            if (row.Count != headers.Count)
                throw new ArgumentException($"row {rowNumber} of table '{heading}' has {row.Count} cells, but the table has {headers.Count} columns", nameof(rows));
            html.Append("<tr>");
            foreach (string cell in row)
            {
                bool number = double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
                html.Append(number ? "<td class=\"num\">" : "<td>").Append(Encode(cell)).Append("</td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
        string body = html.ToString();
        Current.Blocks.Add(level => Heading(level, heading) + body);
        return this;
    }

    /// <summary>Adds a PNG figure.</summary>
    /// <param name="id">The figure's anchor, such as <c>fig-loss</c>: a letter, then letters, digits, '-' or '_'; unique in the report.</param>
    public HtmlReport AddFigure(string id, string caption, byte[] png)
    {
        ArgumentNullException.ThrowIfNull(png);
        if (png.Length < PngSignature.Length || !png.AsSpan(0, PngSignature.Length).SequenceEqual(PngSignature))
            throw new ArgumentException($"figure '{id}': the bytes are not a PNG image (no PNG signature)", nameof(png));
        return AddImage(id, caption, "image/png", png);
    }

    /// <summary>
    /// Adds an SVG figure. It is embedded as an image rather than inline markup so that its ids,
    /// styles and any script stay sealed off from the page and from the other figures.
    /// </summary>
    public HtmlReport AddFigure(string id, string caption, string svg)
    {
        ArgumentNullException.ThrowIfNull(svg);
        CheckSvg(id, svg);
        return AddImage(id, caption, "image/svg+xml", Encoding.UTF8.GetBytes(svg));
    }

    /// <summary>Adds a figure from a .png or .svg file (a run folder's loss curve, for instance).</summary>
    public HtmlReport AddFigureFile(string id, string caption, string path)
    {
        var bytes = InputFile.Read(path, stream =>
        {
            var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return buffer.ToArray();
        });
        if (path.EndsWith(".svg", StringComparison.OrdinalIgnoreCase))
        {
            string svg = Encoding.UTF8.GetString(bytes);
            try
            {
                return AddFigure(id, caption, svg);
            }
            catch (ArgumentException e)
            {
                throw new BottleneckException($"{path}: cannot use the file as a figure ({e.Message})", e);
            }
        }
        if (!bytes.AsSpan().StartsWith(PngSignature))
            throw new BottleneckException($"{path}: cannot use the file as a figure: it is neither a PNG image nor an .svg file");
        return AddFigure(id, caption, bytes);
    }

    /// <summary>The complete page.</summary>
    public string Render()
    {
        var html = new StringBuilder(1 << 16);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n");
        html.Append("<meta name=\"generator\" content=\"Bottleneck\" />\n");
        // "unchecked" until the script runs: a page opened without scripts does not claim success.
        html.Append("<meta name=\"").Append(FiguresLoadedMeta).Append("\" content=\"unchecked\" data-failed=\"\" />\n");
        html.Append("<title>").Append(Encode(Title)).Append("</title>\n");
        html.Append("<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n<main>\n");
        html.Append("<h1>").Append(Encode(Title)).Append("</h1>\n");
        html.Append("<p id=\"figures-status\" class=\"warning\" hidden=\"hidden\"></p>\n");
        foreach (var section in sections)
        {
            if (section.Heading == null && section.Blocks.Count == 0) continue;
            html.Append("<section>\n");
            if (section.Heading != null) html.Append("<h2>").Append(Encode(section.Heading)).Append("</h2>\n");
            // Blocks take the level below their section's heading, or the top level without one.
            int level = section.Heading == null ? 2 : 3;
            foreach (var block in section.Blocks) html.Append(block(level));
            html.Append("</section>\n");
        }
        html.Append("</main>\n<footer>Written by Bottleneck.</footer>\n");
        html.Append("<script>\n").Append(LoadCheckScript).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Writes the page atomically: a reader never sees half a report.</summary>
    public void Save(string path)
    {
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(Render());
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// Encodes text for HTML element content and attribute values. Control characters other than
    /// tab and line breaks are not allowed in HTML (nor in XML), so they become U+FFFD.
    /// </summary>
    internal static string Encode(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var s = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            switch (c)
            {
                case '&': s.Append("&amp;"); break;
                case '<': s.Append("&lt;"); break;
                case '>': s.Append("&gt;"); break;
                case '"': s.Append("&quot;"); break;
                case '\'': s.Append("&#39;"); break;
                case '\t' or '\n' or '\r': s.Append(c); break;
                case < ' ' or '\u007F' or '\uFFFE' or '\uFFFF': s.Append('\uFFFD'); break;
                default: s.Append(c); break;
            }
        }
        return s.ToString();
    }

    private Section Current => sections[^1];

    private HtmlReport AddImage(string id, string caption, string mediaType, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(caption);
        if (!IsValidId(id))
            throw new ArgumentException($"figure id '{id}' must start with a letter and hold only letters, digits, '-' and '_'", nameof(id));
        if (!usedIds.Add(id))
            throw new ArgumentException($"figure id '{id}' is used twice; ids must be unique in a report", nameof(id));
        figureIds.Add(id);
        int number = figureIds.Count;
        string data = Convert.ToBase64String(bytes);
        string alt = Encode(caption.Length > 0 ? caption : id);
        string body =
            $"<figure id=\"{id}\" data-figure=\"{id}\">\n" +
            $"<img src=\"data:{mediaType};base64,{data}\" alt=\"{alt}\" />\n" +
            $"<figcaption><a href=\"#{id}\">Figure {number}</a>. {Encode(caption)}</figcaption>\n" +
            "</figure>\n";
        Current.Blocks.Add(_ => body);
        return this;
    }

    private static bool IsValidId(string id) =>
        id.Length > 0 && char.IsAsciiLetter(id[0]) && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Heading(int level, string? text) =>
        string.IsNullOrEmpty(text) ? "" : $"<h{level}>{Encode(text)}</h{level}>\n";

    /// <summary>
    /// Refuses SVG a browser would not draw as an image: not well-formed XML, or a root element
    /// that is not an svg element in the SVG namespace (without the namespace, an SVG loaded as an
    /// image shows nothing at all).
    /// </summary>
    private static void CheckSvg(string id, string svg)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
        try
        {
            using var reader = XmlReader.Create(new StringReader(svg), settings);
            reader.MoveToContent();
            if (reader.LocalName != "svg" || reader.NamespaceURI != "http://www.w3.org/2000/svg")
                throw new ArgumentException($"figure '{id}': the root element is <{reader.Name}> in namespace '{reader.NamespaceURI}', not <svg xmlns=\"http://www.w3.org/2000/svg\">", nameof(svg));
            while (reader.Read())
            {
            }
        }
        catch (XmlException e)
        {
            throw new ArgumentException($"figure '{id}': the SVG is not well-formed XML ({e.Message})", nameof(svg), e);
        }
    }

    private sealed class Section(string? heading)
    {
        public string? Heading { get; } = heading;

        // Rendered late, because a block's heading level depends on whether it sits in a section.
        public List<Func<int, string>> Blocks { get; } = [];
    }

    private const string Css = """
        :root { color-scheme: light; }
        body { margin: 0; background: #fff; color: #1f2328; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        main { max-width: 980px; margin: 0 auto; padding: 24px 32px 8px; }
        h1 { font-size: 1.7em; margin: 0.4em 0 0.6em; padding-bottom: 0.3em; border-bottom: 2px solid #d0d7de; }
        h2 { font-size: 1.3em; margin: 1.6em 0 0.5em; padding-bottom: 0.2em; border-bottom: 1px solid #d8dee4; }
        h3 { font-size: 1.08em; margin: 1.3em 0 0.4em; }
        p { margin: 0.5em 0; }
        table { border-collapse: collapse; margin: 0.5em 0 1em; font-variant-numeric: tabular-nums; }
        th, td { border: 1px solid #d0d7de; padding: 4px 10px; text-align: left; vertical-align: top; }
        thead th { background: #f3f5f7; }
        table.facts th { background: #f6f8fa; font-weight: 600; white-space: nowrap; }
        td.num { text-align: right; font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
        tbody tr:nth-child(even) td { background: #fafbfc; }
        figure { margin: 1.2em 0; }
        figure img { display: block; max-width: 100%; min-width: min(100%, 480px); height: auto; border: 1px solid #e1e4e8; image-rendering: pixelated; }
        figcaption { color: #57606a; font-size: 0.92em; margin-top: 0.4em; }
        figcaption a { color: inherit; font-weight: 600; text-decoration: none; }
        .warning { background: #fff4e5; border: 1px solid #f0b35a; padding: 6px 10px; }
        footer { max-width: 980px; margin: 0 auto; padding: 16px 32px 32px; color: #8c959f; font-size: 0.85em; }
        @media print {
          body { font-size: 11pt; }
          main { max-width: none; padding: 0; }
          h2, h3 { break-after: avoid; }
          figure, table { break-inside: avoid; }
          tbody tr:nth-child(even) td { background: none; }
        }

        """;

    // Written without '<' and '&' and wrapped in a commented CDATA section, so that the page
    // stays well-formed XML as well as HTML.
    private const string LoadCheckScript = """
        //<![CDATA[
        window.addEventListener("load", function () {
          var figures = document.querySelectorAll("figure[data-figure]");
          var failed = [];
          figures.forEach(function (figure) {
            var img = figure.querySelector("img");
            // A data URI that does not decode leaves a complete image with no pixels.
            var ok = img !== null;
            if (ok) ok = img.complete;
            if (ok) ok = img.naturalWidth > 0;
            if (ok) ok = img.naturalHeight > 0;
            if (!ok) failed.push(figure.id);
          });
          var meta = document.querySelector('meta[name="figures-loaded"]');
          meta.setAttribute("content", (figures.length - failed.length) + "/" + figures.length);
          meta.setAttribute("data-failed", failed.join(" "));
          if (failed.length > 0) {
            var status = document.getElementById("figures-status");
            status.textContent = failed.length + " of " + figures.length + " figures could not be shown: " + failed.join(", ");
            status.hidden = false;
          }
        });
        //]]>

        """;
}
