// Runs `streamdiarize` in-process through the real parser (CliApp, as Program does), capturing what it prints.
using StreamDiarize.Cli;

namespace StreamDiarize.Cli.Tests.Commands;

internal static class CliRunner
{
    public static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = CliApp.RunAsync(args, output, error).GetAwaiter().GetResult();
        return (exitCode, output.ToString(), error.ToString());
    }
}
