// Client strings in messages and logs: quoted, cut to a readable length, control characters shown as '?',
// so a 1 MiB session id cannot fill a status message, a log line or a client's metadata limit.
namespace StreamDiarize.Server.Services;

public static class ClientText
{
    /// <summary>Characters of a client string echoed at most.</summary>
    public const int MaxEchoChars = 64;

    /// <summary>'text', or 'first 64 characters…' (N characters) when longer.</summary>
    public static string Quote(string? text)
    {
        text ??= "";
        var head = text.Length <= MaxEchoChars ? text : text[..MaxEchoChars];
        var clean = string.Create(head.Length, head, static (span, s) =>
        {
            for (int i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) || char.IsSurrogate(s[i]) ? '?' : s[i];
            }
        });
        return text.Length <= MaxEchoChars ? $"'{clean}'" : $"'{clean}…' ({text.Length} characters)";
    }
}
