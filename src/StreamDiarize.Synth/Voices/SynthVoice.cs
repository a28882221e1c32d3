// One TTS voice that plays one meeting speaker: which engine, which voice, and how it is pitched and paced.
namespace StreamDiarize.Synth.Voices;

/// <summary>The text-to-speech programs the bank can drive.</summary>
public enum TtsEngine
{
    /// <summary>espeak-ng: formant synthesis, fast, with pitch (-p) and speed (-s) control.</summary>
    EspeakNg,

    /// <summary>flite: diphone and cluster-unit voices recorded from real people (kal16, awb, rms, slt).</summary>
    Flite,
}

/// <param name="Engine">The program that renders the voice.</param>
/// <param name="Voice">The engine's voice name: an espeak-ng voice+variant (en-us+f2) or a flite voice (slt).</param>
/// <param name="Pitch">espeak-ng base pitch 0..99; null for flite.</param>
/// <param name="WordsPerMinute">espeak-ng speed; null for flite.</param>
/// <param name="Description">Who the voice sounds like, for logs and reports.</param>
public sealed record SynthVoice(TtsEngine Engine, string Voice, int? Pitch, int? WordsPerMinute, string Description)
{
    /// <summary>A short unique name, e.g. "espeak-ng:en-us+f2 p70 s170" or "flite:slt".</summary>
    public string Name => Engine == TtsEngine.EspeakNg
        ? $"espeak-ng:{Voice} p{Pitch} s{WordsPerMinute}"
        : $"flite:{Voice}";

    public override string ToString() => $"{Name} ({Description})";
}
