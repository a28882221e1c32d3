// The command line as one unit: the root command, parse errors in plain words (no .NET type names), then the command's action.
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using StreamDiarize.Cli.Commands;

namespace StreamDiarize.Cli;

internal static partial class CliApp
{
    /// <summary>Exit code for a command line that does not parse (the same as for bad settings).</summary>
    public const int UsageError = 2;

    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("StreamDiarize: real-time speaker diarization on a CPU.");
        foreach (var command in CommandCatalog.All())
        {
            root.Subcommands.Add(command);
        }
        return root;
    }

    /// <summary>Parses and runs; a command line that does not parse gets one line per problem on stderr and exit code 2.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var parsed = CreateRoot().Parse(args);
        error ??= Console.Error;
        var problems = Problems(parsed);
        if (problems.Count > 0)
        {
            foreach (var p in problems)
            {
                error.WriteLine("error: " + p);
            }
            return Task.FromResult(UsageError);
        }
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null };
        if (output is not null)
        {
            configuration.Output = output;
        }
        configuration.Error = error;
        // No built-in Ctrl-C handling: `mic` handles SIGINT itself (stop capture, flush, write); other commands just end.
        return parsed.InvokeAsync(configuration);
    }

    /// <summary>What is wrong with the command line, in words a user acts on; empty when it parsed.</summary>
    internal static List<string> Problems(ParseResult parsed)
    {
        string command = CommandPath(parsed);
        var problems = parsed.Errors.Select(e => Explain(e.Message, command, OptionOf(e))).Distinct().ToList();
        // An unknown --flag where a command takes file names parses as a file name; say what it is.
        foreach (var argument in parsed.CommandResult.Children.OfType<ArgumentResult>())
        {
            foreach (var token in argument.Tokens)
            {
                if (token.Value.Length > 1 && token.Value[0] == '-' && !File.Exists(token.Value) && !double.TryParse(token.Value, out _))
                {
                    problems.Add($"{token.Value} is not an option of `{command}`: see `{command} --help` for its options");
                }
            }
        }
        return problems;
    }

    private static string CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (SymbolResult? r = parsed.CommandResult; r is CommandResult c; r = c.Parent)
        {
            names.Insert(0, c.Command is RootCommand ? "streamdiarize" : c.Command.Name);
        }
        return string.Join(' ', names);
    }

    /// <summary>The option a parse error is about, when it is about one's value.</summary>
    private static string? OptionOf(ParseError error)
    {
        for (SymbolResult? r = error.SymbolResult; r is not null; r = r.Parent)
        {
            if (r is OptionResult o)
            {
                return o.Option.Name;
            }
        }
        return null;
    }

    private static string Explain(string message, string command, string? optionName)
    {
        if (CannotParse().Match(message) is { Success: true } m)
        {
            string value = m.Groups["value"].Value, option = m.Groups["option"].Value, type = m.Groups["type"].Value;
            string wanted = type switch
            {
                _ when type.Contains("Int32", StringComparison.Ordinal) => $"a whole number, e.g. {option} 2",
                _ when type.Contains("Double", StringComparison.Ordinal) => $"a number, e.g. {option} 0.5",
                _ when type.Contains("Boolean", StringComparison.Ordinal) => $"true or false (or leave the value out: {option})",
                _ => $"a value `{command} --help` lists for {option}",
            };
            return $"{option} {value} is invalid: give {wanted}";
        }
        if (Unrecognized().Match(message) is { Success: true } u)
        {
            string token = u.Groups["token"].Value;
            return token.StartsWith('-')
                ? $"{token} is not an option of `{command}`: see `{command} --help` for its options"
                : $"unexpected '{token}': `{command}` takes no such argument; see `{command} --help`";
        }
        if (RequiredOption().Match(message) is { Success: true } r)
        {
            return $"{command} needs {r.Groups["option"].Value}: see `{command} --help`";
        }
        if (RequiredArgument().IsMatch(message))
        {
            return command == "streamdiarize"
                ? "give a command: file, serve, stream, watch, mic, enroll, score, synth or version (`streamdiarize --help` says what each does)"
                : $"`{command}` needs its argument (e.g. an audio file): see `{command} --help`";
        }
        if (NotAmong().Match(message) is { Success: true } a)
        {
            var choices = a.Groups["choices"].Value.Replace("'", "", StringComparison.Ordinal).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return $"{optionName ?? "a value"} {a.Groups["value"].Value} is invalid: use one of {string.Join(", ", choices)} (`{command} --help`)";
        }
        return message;
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'")]
    private static partial Regex CannotParse();

    [GeneratedRegex(@"^Unrecognized command or argument '(?<token>.*)'")]
    private static partial Regex Unrecognized();

    [GeneratedRegex(@"^Option '(?<option>[^']+)' is required")]
    private static partial Regex RequiredOption();

    [GeneratedRegex(@"^Required argument missing|^Required command was not provided")]
    private static partial Regex RequiredArgument();

    [GeneratedRegex(@"^Argument '(?<value>.*)' not recognized\. Must be one of:\s*(?<choices>.*)$", RegexOptions.Singleline)]
    private static partial Regex NotAmong();
}
