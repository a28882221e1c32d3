// Entry point of `streamdiarize`: one root command, one subcommand per job. Each subcommand lives in Commands/.
using System.CommandLine;
using StreamDiarize.Cli.Commands;

var root = new RootCommand("StreamDiarize: real-time speaker diarization on a CPU.");
foreach (var command in CommandCatalog.All())
{
    root.Subcommands.Add(command);
}
// No built-in Ctrl-C handling: `mic` handles SIGINT itself (stop capture, flush, write); other commands just end.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
