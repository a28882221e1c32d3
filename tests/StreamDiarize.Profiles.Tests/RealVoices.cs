// Real voices for the known-speaker tests: a real-dev conversation cut into an enrollment part and a later test part.
using StreamDiarize.Audio;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Segments;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Profiles.Tests;

/// <summary>
/// One conversation of ../shared/data/real-dev: each speaker's earliest turns that overlap no one (about 30 s) are its
/// enrollment, and the audio after the last of them is the part to diarize, with its reference shifted to start at 0.
/// </summary>
public sealed class RealVoices
{
    public RealVoices(string id, double enrollSeconds = 30)
    {
        Id = id;
        Clip = AudioLoader.LoadWav(RepoPaths.RealDev(id + ".wav"));
        var reference = Rttm.ReadFile(RepoPaths.RealDev(id + ".rttm"))[id];
        double cutoff = 0;
        foreach (var speaker in reference.Select(r => r.Speaker).Distinct())
        {
            var turns = new List<SpeakerSegment>();
            double total = 0;
            foreach (var t in reference.Where(r => r.Speaker == speaker).OrderBy(r => r.StartSeconds))
            {
                if (total >= enrollSeconds)
                {
                    break;
                }
                if (!reference.Any(o => o.Speaker != speaker && o.StartSeconds < t.EndSeconds && o.EndSeconds > t.StartSeconds))
                {
                    turns.Add(t);
                    total += t.DurationSeconds;
                    cutoff = Math.Max(cutoff, t.EndSeconds);
                }
            }
            EnrollmentTurns[speaker] = turns;
        }
        Cutoff = cutoff;
        int cut = (int)Math.Round(cutoff * Clip.SampleRateHz);
        Rest = new AudioClip(id + "-rest", Clip.Samples[cut..], Clip.SampleRateHz);
        RestReference = reference.Where(r => r.EndSeconds > cutoff)
            .Select(r => r with { StartSeconds = Math.Max(0, r.StartSeconds - cutoff), EndSeconds = r.EndSeconds - cutoff }).ToList();
        Gaps = Complement(reference, cutoff);
    }

    public string Id { get; }

    public AudioClip Clip { get; }

    public Dictionary<string, List<SpeakerSegment>> EnrollmentTurns { get; } = new(StringComparer.Ordinal);

    public double Cutoff { get; }

    /// <summary>The conversation after the enrollment part.</summary>
    public AudioClip Rest { get; }

    public List<SpeakerSegment> RestReference { get; }

    /// <summary>Stretches of the enrollment part where no one speaks (room noise only).</summary>
    private List<(double Start, double End)> Gaps { get; }

    /// <summary>
    /// A clip of <paramref name="speaker"/> alone, as a person would record one: its enrollment turns, each followed by a
    /// pause of the conversation's own room noise (so the speech detector has a floor to measure against).
    /// </summary>
    public AudioClip EnrollmentClip(string speaker)
    {
        var samples = new List<float>();
        int g = 0;
        foreach (var t in EnrollmentTurns[speaker])
        {
            var (gs, ge) = Gaps[g++ % Gaps.Count];
            samples.AddRange(Slice(gs, ge));
            samples.AddRange(Slice(t.StartSeconds, t.EndSeconds));
        }
        var (s, e) = Gaps[g % Gaps.Count];
        samples.AddRange(Slice(s, e));
        return new AudioClip($"{Id}-{speaker}", [.. samples], Clip.SampleRateHz);
    }

    /// <summary>Seconds of <paramref name="reference"/> speaker's time covered by turns of <paramref name="label"/> in <paramref name="turns"/>.</summary>
    public static double Overlap(IEnumerable<SpeakerSegment> turns, string label, IEnumerable<SpeakerSegment> reference, string speaker) =>
        turns.Where(t => t.Speaker == label).Sum(t => reference.Where(r => r.Speaker == speaker)
            .Sum(r => Math.Max(0, Math.Min(t.EndSeconds, r.EndSeconds) - Math.Max(t.StartSeconds, r.StartSeconds))));

    private float[] Slice(double start, double end)
    {
        int a = Math.Clamp((int)Math.Round(start * Clip.SampleRateHz), 0, Clip.Samples.Length);
        int b = Math.Clamp((int)Math.Round(end * Clip.SampleRateHz), a, Clip.Samples.Length);
        return Clip.Samples[a..b];
    }

    /// <summary>Gaps of at least 0.4 s between reference turns before <paramref name="until"/>, trimmed by 0.1 s on each side.</summary>
    private static List<(double, double)> Complement(IReadOnlyList<SpeakerSegment> reference, double until)
    {
        var gaps = new List<(double, double)>();
        double end = 0;
        foreach (var t in reference.OrderBy(r => r.StartSeconds))
        {
            if (t.StartSeconds - end >= 0.4 && t.StartSeconds <= until)
            {
                gaps.Add((end + 0.1, t.StartSeconds - 0.1));
            }
            end = Math.Max(end, t.EndSeconds);
        }
        return gaps;
    }
}
