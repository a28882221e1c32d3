// The offline default against one changed setting on the same clip, scored alike: the shape of the tests that show what
// a setting does on real audio.
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Tests.Pipeline;

internal static class OfflineComparison
{
    /// <summary>One offline run and its DER (%, collar 0.25, overlap scored).</summary>
    public sealed record Scored(DiarizationResult Result, double Der);

    /// <summary>DER in % at collar 0.25 of <paramref name="hypothesis"/> against <paramref name="reference"/>.</summary>
    public static double DerPercent(string id, IReadOnlyList<SpeakerSegment> reference, IReadOnlyList<SpeakerSegment> hypothesis) =>
        100 * DerScorer.Score(id, reference, hypothesis, new DerOptions { CollarSeconds = 0.25 }).Der;

    /// <summary><paramref name="clip"/> diarized with the defaults and with <paramref name="other"/> segment settings, each scored.</summary>
    public static (Scored Default, Scored Other) Against(string id, AudioClip clip, IReadOnlyList<SpeakerSegment> reference, SegmentClusteringOptions other)
    {
        Scored Score(DiarizationResult result) => new(result, DerPercent(id, reference, result.Segments));
        return (Score(new DefaultDiarizer().Diarize(clip)), Score(new DefaultDiarizer(new DefaultDiarizerOptions { Segments = other }).Diarize(clip)));
    }
}
