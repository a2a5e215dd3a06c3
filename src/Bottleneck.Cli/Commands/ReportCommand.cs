using System.CommandLine;
using Bottleneck.Reports;

namespace Bottleneck.Cli.Commands;

/// <summary>`bottleneck report RUN`: (re)writes a run folder's self-contained report.html.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "The run folder (what `bottleneck train --out` wrote)" };
        var command = new Command("report", "Write RUN/report.html: model, training, per-epoch losses and every picture in the run folder, in one self-contained page.\n\n" +
            "Example:\n  bottleneck report runs/tutorial")
        {
            run,
        };
        command.SetAction(parse =>
        {
            string path = RunReport.Write(parse.GetValue(run)!);
            Console.WriteLine($"Wrote {path}");
            return 0;
        });
        return command;
    }
}
