// Cuts the leading and trailing silence off a TTS utterance and sets its level, so its first and last samples are speech.
namespace StreamDiarize.Synth;

internal static class UtteranceTrimmer
{
    /// <summary>Speech starts where a sample first exceeds this fraction of the peak (-34 dB): above resampler ringing and dither.</summary>
    private const float RelativeThreshold = 0.02f;

    /// <summary>Below this peak the utterance is treated as silence (an engine that wrote nothing audible).</summary>
    private const float MinPeak = 1e-3f;

    /// <summary>The trimmed samples scaled to <paramref name="targetRms"/>, or null if nothing rises above the threshold.</summary>
    public static float[]? TrimAndLevel(ReadOnlySpan<float> samples, float targetRms)
    {
        float peak = 0;
        foreach (var s in samples)
        {
            peak = Math.Max(peak, Math.Abs(s));
        }
        if (peak < MinPeak)
        {
            return null;
        }
        float threshold = peak * RelativeThreshold;
        int first = 0;
        while (Math.Abs(samples[first]) <= threshold)
        {
            first++;
        }
        int last = samples.Length - 1;
        while (Math.Abs(samples[last]) <= threshold)
        {
            last--;
        }
        var trimmed = samples[first..(last + 1)].ToArray();
        double energy = 0;
        foreach (var s in trimmed)
        {
            energy += (double)s * s;
        }
        // Every voice at the same RMS: the speakers are balanced and the SNR is defined against one level.
        float gain = (float)(targetRms / Math.Sqrt(energy / trimmed.Length));
        for (int i = 0; i < trimmed.Length; i++)
        {
            trimmed[i] *= gain;
        }
        return trimmed;
    }
}
