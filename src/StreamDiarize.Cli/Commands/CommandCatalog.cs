// The list of subcommands, in the order `--help` shows them.
using System.CommandLine;

namespace StreamDiarize.Cli.Commands;

internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return VersionCommand.Create();
        yield return FileCommand.Create();
        yield return ScoreCommand.Create();
        yield return SynthCommand.Create();
        yield return ServeCommand.Create();
        yield return StreamCommand.Create();
        yield return WatchCommand.Create();
        yield return MicCommand.Create();
        yield return EnrollCommand.Create();
    }
}
