using System.CommandLine;
using Bottleneck.Cli;
using Bottleneck.Cli.Commands;

var root = new RootCommand("Bottleneck: train, evaluate and apply autoencoders on the CPU.");
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
CompressCommand.AddTo(root);
return CommandRunner.Run(root, args);
