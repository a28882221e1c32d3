// A recording with its microphone muted now and then: stretches of digital silence inserted, and its reference moved to
// match (research/round4/muted.py does the same to WAV files).
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.TestSupport;

public static class MutedAudio
{
    /// <summary><paramref name="gap"/> s of zeros after every <paramref name="every"/> s of the clip, and the reference moved to match.</summary>
    public static (AudioClip Clip, List<SpeakerSegment> Reference) Muted(AudioClip clip, IReadOnlyList<SpeakerSegment> reference, double every, double gap)
    {
        int rate = clip.SampleRateHz, n = (int)(every * rate), z = (int)(gap * rate);
        var samples = new List<float>(clip.Samples.Length + clip.Samples.Length / n * z);
        for (int i = 0; i < clip.Samples.Length; i += n)
        {
            samples.AddRange(clip.Samples.AsSpan(i, Math.Min(n, clip.Samples.Length - i)).ToArray());
            if (i + n < clip.Samples.Length)
            {
                samples.AddRange(new float[z]);
            }
        }
        double Shift(double t) => t + Math.Floor(t / every) * gap;
        var moved = new List<SpeakerSegment>();
        foreach (var s in reference)
        {
            // A turn across a mute becomes two turns, one each side of it.
            for (double start = s.StartSeconds; start < s.EndSeconds;)
            {
                double cut = Math.Min(s.EndSeconds, (Math.Floor(start / every) + 1) * every);
                moved.Add(s with { StartSeconds = Shift(start), EndSeconds = Shift(start) + (cut - start) });
                start = cut;
            }
        }
        return (clip with { Samples = samples.ToArray() }, moved);
    }

    /// <summary>Whether a turn lies wholly inside one of the mutes of <see cref="Muted"/>.</summary>
    public static bool InMute(SpeakerSegment s, double every, double gap)
    {
        double period = every + gap, k = Math.Floor(s.StartSeconds / period);
        return s.StartSeconds >= k * period + every && s.EndSeconds <= (k + 1) * period;
    }
}
