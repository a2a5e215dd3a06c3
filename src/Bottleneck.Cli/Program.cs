using System.CommandLine;
using Bottleneck.Cli;
using Bottleneck.Cli.Commands;

var root = new RootCommand("Bottleneck: train, evaluate and apply autoencoders on the CPU.");
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EncodeCommand.Create());
root.Subcommands.Add(DecodeCommand.Create());
root.Subcommands.Add(ReconstructCommand.Create());
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(InterpolateCommand.Create());
root.Subcommands.Add(DenoiseCommand.Create());
root.Subcommands.Add(AnomalyCommand.Create());
root.Subcommands.Add(EmbedCommand.Create());
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
CompressCommand.AddTo(root);
return CommandRunner.Run(root, args);
