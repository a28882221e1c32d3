// The error raised when the installed TTS engines cannot give a meeting enough distinct voices.
namespace StreamDiarize.Synth.Voices;

/// <summary>Too few voices: names the missing engines and the Debian packages that provide them.</summary>
public sealed class TtsUnavailableException : Exception
{
    public TtsUnavailableException() : this("no text-to-speech engine found: apt-get install espeak-ng flite") { }

    public TtsUnavailableException(string message) : base(message) { }

    public TtsUnavailableException(string message, Exception inner) : base(message, inner) { }
}
