// The scorer on the twelve real AMI clips, against figures published with pyannote.metrics.
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Core.Tests.Scoring;

public class AmiScoringTests
{
    // Published totals are given to one decimal; allow 0.2 points.
    private const double Tolerance = 0.2;

    private static IReadOnlyList<SpeakerSegment> Reference(string id) => Rttm.ReadFile(RepoPaths.Ami(id + ".rttm"))[id];

    private static double TotalDerPercent(Func<IReadOnlyList<SpeakerSegment>, IReadOnlyList<SpeakerSegment>> hypothesisOf, DerOptions options) =>
        100 * DerTotal.Of(RepoPaths.AmiIds.Select(id =>
        {
            var reference = Reference(id);
            return DerScorer.Score(id, reference, hypothesisOf(reference), options);
        })).Der;

    private static IReadOnlyList<SpeakerSegment> OneSpeakerAllAudio(IReadOnlyList<SpeakerSegment> reference) => [new(0, 30, "X")];

    private static IReadOnlyList<SpeakerSegment> OneSpeakerOverSpeech(IReadOnlyList<SpeakerSegment> reference)
    {
        var merged = new List<SpeakerSegment>();
        foreach (var s in reference.OrderBy(s => s.StartSeconds))
        {
            if (merged.Count > 0 && s.StartSeconds <= merged[^1].EndSeconds)
            {
                merged[^1] = merged[^1] with { EndSeconds = Math.Max(merged[^1].EndSeconds, s.EndSeconds) };
            }
            else
            {
                merged.Add(new SpeakerSegment(s.StartSeconds, s.EndSeconds, "X"));
            }
        }
        return merged;
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.25)]
    public void Every_reference_scored_against_itself_has_no_error(double collar)
    {
        foreach (var id in RepoPaths.AmiIds)
        {
            var reference = Reference(id);
            var result = DerScorer.Score(id, reference, reference, new DerOptions { CollarSeconds = collar });

            Assert.True(result.ScoredSeconds > 0, id);
            Assert.Equal(0, result.Der, 12);
            Assert.Equal(0, result.Jer, 12);
        }
    }

    [Theory]
    [InlineData(0.25, 88.9)]
    [InlineData(0.0, 83.2)]
    public void One_speaker_over_all_audio_matches_the_published_total(double collar, double expectedPercent)
    {
        var der = TotalDerPercent(OneSpeakerAllAudio, new DerOptions { CollarSeconds = collar });

        Assert.InRange(der, expectedPercent - Tolerance, expectedPercent + Tolerance);
    }

    [Theory]
    [InlineData(0.25, 22.8)]
    [InlineData(0.0, 31.4)]
    public void One_speaker_over_reference_speech_matches_the_published_total(double collar, double expectedPercent)
    {
        var der = TotalDerPercent(OneSpeakerOverSpeech, new DerOptions { CollarSeconds = collar });

        Assert.InRange(der, expectedPercent - Tolerance, expectedPercent + Tolerance);
    }

    [Fact]
    public void Mapping_over_scored_time_only_misses_the_published_totals()
    {
        // Why the default maps over the evaluated time: mapping inside the collared region (pyannote's code path)
        // flips trn08's speaker choice and lands 0.4 points off both published figures.
        var options = new DerOptions { CollarSeconds = 0.25, MappingRegion = SpeakerMappingRegion.Scored };

        Assert.InRange(TotalDerPercent(OneSpeakerAllAudio, options), 88.4, 88.6);
        Assert.InRange(TotalDerPercent(OneSpeakerOverSpeech, options), 22.3, 22.5);
    }

    [Fact]
    public void Per_side_collar_of_half_the_width_does_not_reproduce_the_published_total()
    {
        // pyannote's collar is the total width; reading 0.25 as the total (0.125 per side) gives ~85.7 %, not 88.9 %.
        var der = TotalDerPercent(OneSpeakerAllAudio, new DerOptions { CollarSeconds = 0.125 });

        Assert.InRange(der, 85.5, 86.0);
    }
}
