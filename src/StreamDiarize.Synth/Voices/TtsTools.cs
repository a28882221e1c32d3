// Where the TTS programs are: executable names looked up on PATH, or absolute paths (tests point them at nothing).
namespace StreamDiarize.Synth.Voices;

/// <param name="EspeakNg">The espeak-ng executable (Debian package espeak-ng).</param>
/// <param name="Flite">The flite executable (Debian package flite).</param>
public sealed record TtsTools(string EspeakNg = "espeak-ng", string Flite = "flite")
{
    public static TtsTools Default { get; } = new();

    /// <summary>The Debian package that provides <paramref name="engine"/>.</summary>
    public static string PackageOf(TtsEngine engine) => engine == TtsEngine.EspeakNg ? "espeak-ng" : "flite";

    public string ExecutableOf(TtsEngine engine) => engine == TtsEngine.EspeakNg ? EspeakNg : Flite;
}
