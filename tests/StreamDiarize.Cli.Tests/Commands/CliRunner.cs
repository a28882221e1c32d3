// Runs `streamdiarize` in-process through the real parser, capturing what it prints.
using System.CommandLine;
using StreamDiarize.Cli.Commands;

namespace StreamDiarize.Cli.Tests.Commands;

internal static class CliRunner
{
    public static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        var root = new RootCommand();
        foreach (var command in CommandCatalog.All())
        {
            root.Subcommands.Add(command);
        }
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
