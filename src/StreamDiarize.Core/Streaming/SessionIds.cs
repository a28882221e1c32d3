// The rule for a live session's id, written once: the gRPC config, the daemon's microphone session and the CLI check it.
using System.Text.RegularExpressions;

namespace StreamDiarize.Core.Streaming;

public static partial class SessionIds
{
    /// <summary>The rule as people read it, for error messages.</summary>
    public const string Rule = "1 to 64 letters, digits, '.', '-' or '_'";

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex Pattern();
}
