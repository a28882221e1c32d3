// What `file`, `stream` and `mic` share for their results: --format, --quiet, the version stamp, and the advice on the speaker count.
using System.CommandLine;
using System.Reflection;
using StreamDiarize.Core.Options;
using StreamDiarize.Streaming.Sinks.Formats;

namespace StreamDiarize.Cli.Commands;

internal static class TurnOutput
{
    /// <summary>The program's version, as `version` prints it and JSON files carry it.</summary>
    public static string Version { get; } =
        typeof(TurnOutput).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static Option<string> FormatOption() => new("--format", "-f")
    {
        Description = $"Turn files to write: one or several of {string.Join(",", TurnFormats.Names)} (audacity: <id>.labels.txt).",
        DefaultValueFactory = _ => TurnFormats.Default,
    };

    public static Option<bool> QuietOption() => new("--quiet", "-q")
    {
        Description = "No progress display on stderr (it is also off when stderr is not a terminal).",
    };

    /// <summary>The formats of <paramref name="spec"/>; throws <see cref="OptionsValidationException"/> naming the choices.</summary>
    public static IReadOnlyList<TurnFormat> ParseFormats(string? spec) => TurnFormats.Parse(spec ?? TurnFormats.Default);

    /// <summary>Writes every chosen format and returns the paths joined for one line of output.</summary>
    public static string Write(string directory, TurnDocument document, IReadOnlyList<TurnFormat> formats) =>
        string.Join(", ", TurnFormats.WriteFiles(directory, document, formats));

    /// <summary>
    /// Said once when the count was estimated: the count is a guess, and how to give it. Printed to stderr so that
    /// stdout stays the results.
    /// </summary>
    public static void AdviseOnSpeakerCount(TextWriter error) =>
        error.WriteLine("note: the speaker count is estimated from the audio; if you know it, give --num-speakers N (or bound it with --min-speakers / --max-speakers)");
}
