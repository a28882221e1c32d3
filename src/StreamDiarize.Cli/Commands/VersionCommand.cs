// `streamdiarize version`: prints the build version.
using System.CommandLine;
using System.Reflection;

namespace StreamDiarize.Cli.Commands;

internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the StreamDiarize version.");
        command.SetAction(_ =>
        {
            var version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            Console.WriteLine($"streamdiarize {version}");
            return 0;
        });
        return command;
    }
}
