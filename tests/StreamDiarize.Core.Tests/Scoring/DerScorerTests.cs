// DER and JER on small hand-made diarizations whose errors are worked out in the comments.
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Tests.Scoring;

public class DerScorerTests
{
    private const int Digits = 9;

    private static SpeakerSegment S(double start, double end, string speaker) => new(start, end, speaker);

    private static DerResult Score(SpeakerSegment[] reference, SpeakerSegment[] hypothesis, double collar = 0, bool skipOverlap = false) =>
        DerScorer.Score("f", reference, hypothesis, new DerOptions { CollarSeconds = collar, SkipOverlap = skipOverlap });

    [Fact]
    public void Score_is_zero_for_a_perfect_hypothesis()
    {
        var result = Score([S(0, 10, "A"), S(10, 20, "B")], [S(0, 10, "A"), S(10, 20, "B")]);

        Assert.Equal(20, result.ScoredSeconds, Digits);
        Assert.Equal(0, result.Der, Digits);
        Assert.Equal(0, result.Jer, Digits);
    }

    [Fact]
    public void Score_is_one_when_everything_is_missed()
    {
        var result = Score([S(0, 10, "A"), S(10, 20, "B")], []);

        Assert.Equal(20, result.MissSeconds, Digits);
        Assert.Equal(1, result.Der, Digits);
        Assert.Equal(1, result.Jer, Digits);
    }

    [Fact]
    public void Score_counts_hypothesis_speech_beyond_the_reference_as_false_alarm()
    {
        // Reference 10 s; hypothesis runs 5 s longer: FA 5 s, DER 5/10; JER 1 - 10/15.
        var result = Score([S(0, 10, "A")], [S(0, 15, "X")]);

        Assert.Equal(5, result.FalseAlarmSeconds, Digits);
        Assert.Equal(0.5, result.Der, Digits);
        Assert.Equal(1 - (10.0 / 15), result.Jer, Digits);
    }

    [Fact]
    public void Score_counts_an_extra_hypothesis_speaker_as_false_alarm()
    {
        // Y talks 5 s over A's 10 s: one extra speaker for 5 s.
        var result = Score([S(0, 10, "A")], [S(0, 10, "X"), S(2, 7, "Y")]);

        Assert.Equal(5, result.FalseAlarmSeconds, Digits);
        Assert.Equal(0, result.ConfusionSeconds, Digits);
        Assert.Equal(0.5, result.Der, Digits);
        Assert.Equal("X", result.Mapping["A"]);
    }

    [Fact]
    public void Score_is_zero_when_labels_are_swapped_thanks_to_the_mapping()
    {
        var result = Score([S(0, 5, "A"), S(5, 10, "B")], [S(0, 5, "B"), S(5, 10, "A")]);

        Assert.Equal(0, result.Der, Digits);
        Assert.Equal("B", result.Mapping["A"]);
        Assert.Equal("A", result.Mapping["B"]);
    }

    [Fact]
    public void Two_reference_speakers_in_one_hypothesis_speaker_confuse_the_shorter_one()
    {
        // X maps to A (6 s overlap beats 4 s); B's 4 s are confusion. JER: A 1 - 6/10, B unmapped 1.
        var result = Score([S(0, 6, "A"), S(6, 10, "B")], [S(0, 10, "X")]);

        Assert.Equal(4, result.ConfusionSeconds, Digits);
        Assert.Equal(0, result.MissSeconds, Digits);
        Assert.Equal(0.4, result.Der, Digits);
        Assert.Equal((0.4 + 1.0) / 2, result.Jer, Digits);
    }

    [Fact]
    public void Overlapped_reference_speech_is_scored_unless_skipped()
    {
        // [5,10) has A and B but only X: 5 s missed of 10 + 5 = 15 s scored.
        SpeakerSegment[] reference = [S(0, 10, "A"), S(5, 10, "B")];
        SpeakerSegment[] hypothesis = [S(0, 10, "X")];

        var scored = Score(reference, hypothesis);
        var skipped = Score(reference, hypothesis, skipOverlap: true);

        Assert.Equal(15, scored.ScoredSeconds, Digits);
        Assert.Equal(5, scored.MissSeconds, Digits);
        Assert.Equal(1.0 / 3, scored.Der, Digits);
        Assert.Equal(5, skipped.ScoredSeconds, Digits);
        Assert.Equal(0, skipped.Der, Digits);
    }

    [Fact]
    public void Collars_remove_time_on_each_side_of_every_reference_boundary()
    {
        // Ref [0,10], collar 0.25 per side: no-score [-0.25,0.25] and [9.75,10.25], so 9.5 s scored.
        // Hyp [1,10] misses [0.25,1] = 0.75 s: DER 0.75/9.5. JER 1 - 8.75/9.5.
        var result = Score([S(0, 10, "A")], [S(1, 10, "X")], collar: 0.25);

        Assert.Equal(9.5, result.ScoredSeconds, Digits);
        Assert.Equal(0.75, result.MissSeconds, Digits);
        Assert.Equal(0.75 / 9.5, result.Der, Digits);
        Assert.Equal(1 - (8.75 / 9.5), result.Jer, Digits);
    }

    [Fact]
    public void Hypothesis_speech_inside_a_collar_is_not_false_alarm()
    {
        // Hyp overruns the end by 0.2 s, inside the 0.25 s collar at 10.
        var result = Score([S(0, 10, "A")], [S(0, 10.2, "X")], collar: 0.25);

        Assert.Equal(0, result.FalseAlarmSeconds, Digits);
        Assert.Equal(0, result.Der, Digits);
    }

    [Fact]
    public void Overlapping_segments_of_one_speaker_are_merged_and_empty_ones_ignored()
    {
        // A is [0,8] once merged: 8 s scored, not 5 + 5.
        var result = Score([S(0, 5, "A"), S(3, 8, "A"), S(9, 9, "B")], [S(0, 8, "X"), S(2, 2, "Y")]);

        Assert.Equal(8, result.ScoredSeconds, Digits);
        Assert.Equal(0, result.Der, Digits);
        Assert.Equal(["A"], result.SpeakerJer.Keys);
    }

    [Fact]
    public void Empty_reference_and_hypothesis_score_zero()
    {
        var result = Score([], []);

        Assert.Equal(0, result.ScoredSeconds);
        Assert.Equal(0, result.Der);
        Assert.Equal(0, result.Jer);
    }

    [Fact]
    public void Empty_reference_with_speech_in_the_hypothesis_scores_one_hundred_percent()
    {
        var result = Score([], [S(1, 3, "X")]);

        Assert.Equal(2, result.FalseAlarmSeconds, Digits);
        Assert.Equal(1, result.Der);
        Assert.Equal(1, result.Jer);
    }

    [Fact]
    public void Mapping_region_decides_between_the_longest_speaker_overall_and_in_scored_time()
    {
        // A: three 0.4 s turns (1.2 s, but 0.2 s each once 0.1 s collars cut both ends: 0.6 s scored).
        // B: one 1 s turn (0.8 s scored). X covers [0,4].
        // Scored time 0.6 + 0.8 = 1.4 s. FA: X in the gaps [0.5,0.9], [1.5,1.9], [2.5,2.9] = 1.2 s.
        // Evaluated mapping X->A (1.2 > 1.0): B's 0.8 s confused. Scored mapping X->B (0.8 > 0.6): A's 0.6 s confused.
        SpeakerSegment[] reference = [S(0, 0.4, "A"), S(1, 1.4, "A"), S(2, 2.4, "A"), S(3, 4, "B")];
        SpeakerSegment[] hypothesis = [S(0, 4, "X")];

        var evaluated = DerScorer.Score("f", reference, hypothesis, new DerOptions { CollarSeconds = 0.1 });
        var scored = DerScorer.Score("f", reference, hypothesis, new DerOptions { CollarSeconds = 0.1, MappingRegion = SpeakerMappingRegion.Scored });

        Assert.Equal(1.4, evaluated.ScoredSeconds, Digits);
        Assert.Equal(1.2, evaluated.FalseAlarmSeconds, Digits);
        Assert.Equal("X", evaluated.Mapping["A"]);
        Assert.Equal(0.8, evaluated.ConfusionSeconds, Digits);
        Assert.Equal("X", scored.Mapping["B"]);
        Assert.Equal(0.6, scored.ConfusionSeconds, Digits);
        Assert.Equal((1.2 + 0.6) / 1.4, scored.Der, Digits);
    }

    [Fact]
    public void Score_rejects_a_segment_that_ends_before_it_starts()
    {
        Assert.Throws<ArgumentException>(() => Score([S(2, 1, "A")], []));
        Assert.Throws<ArgumentOutOfRangeException>(() => Score([S(0, 1, "A")], [], collar: -0.1));
    }

    [Fact]
    public void Total_weights_der_by_scored_time_and_averages_jer_over_reference_speakers()
    {
        // File 1: 10 s, perfect, 1 speaker. File 2: 30 s, all missed, 2 speakers.
        var one = Score([S(0, 10, "A")], [S(0, 10, "X")]);
        var two = Score([S(0, 10, "A"), S(10, 30, "B")], []);

        var total = DerTotal.Of([one, two]);

        Assert.Equal(2, total.FileCount);
        Assert.Equal(40, total.ScoredSeconds, Digits);
        Assert.Equal(30.0 / 40, total.Der, Digits);
        Assert.Equal(3, total.ReferenceSpeakerCount);
        Assert.Equal(2.0 / 3, total.Jer, Digits);
    }
}
