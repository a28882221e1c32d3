// The one error every audio decoder raises: it names the input and says what is wrong with it.
namespace StreamDiarize.Audio;

/// <summary>An input that is not audio we can read: not a WAV, truncated, empty, or an unsupported format.</summary>
public sealed class AudioFormatException : Exception
{
    public AudioFormatException(string source, string problem, Exception? inner = null)
        : base($"{source}: {problem}", inner)
    {
        Source = source;
        Problem = problem;
    }

    public AudioFormatException() : this("audio", "unreadable") { }

    public AudioFormatException(string message) : this("audio", message) { }

    public AudioFormatException(string message, Exception inner) : this("audio", message, inner) { }

    /// <summary>The file path, or "stdin".</summary>
    public new string Source { get; }

    public string Problem { get; }
}
