// Decides whether a test that needs espeak-ng and flite runs: skipped locally without them, failed on CI (CI=true) without them.
using StreamDiarize.Synth.Voices;

namespace StreamDiarize.Synth.Tests;

internal static class TtsRequirement
{
    private static readonly Lazy<VoiceBank> Detected = new(() => VoiceBank.Detect());

    /// <summary>The voices installed here, without any requirement.</summary>
    public static VoiceBank Bank => Detected.Value;

    /// <summary>The installed voice bank, after skipping (locally) or failing (CI) when fewer than <paramref name="voices"/> exist.</summary>
    public static VoiceBank Require(int voices)
    {
        var bank = Detected.Value;
        if (bank.Available.Count >= voices)
        {
            return bank;
        }
        var why = $"needs {voices} TTS voices, found {bank.Available.Count}: {string.Join("; ", bank.Problems)} (apt-get install espeak-ng flite)";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("CI must have the TTS engines installed: " + why);
        }
        Skip.If(true, why);
        return bank;
    }
}
