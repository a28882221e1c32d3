// The default diarizer end to end on synthetic audio, its frame labelling rule, and its option validation.
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speech;
using StreamDiarize.Core.Tests.Speech;

namespace StreamDiarize.Core.Tests.Pipeline;

public class DefaultDiarizerTests
{
    [Fact]
    public void Tone_bursts_in_noise_become_turns_over_the_bursts_and_the_first_is_S0()
    {
        var clip = new AudioClip("tones", SyntheticAudio.ToneBurstsInNoise(12, (1, 4), (7, 10)), 16000);

        var result = new DefaultDiarizer().Diarize(clip);

        Assert.Equal("tones", result.FileId);
        Assert.Equal(12, result.DurationSeconds, 9);
        Assert.Equal("S0", result.Segments[0].Speaker);
        // Speakers aside, the turns tile the two bursts (the clusterer may split a burst's edges from its middle), each
        // with the silence its turn pads give it before and after (round 25).
        var speech = FrameGrouper.JoinTouching([.. result.Segments.Select(s => s with { Speaker = "any" })]);
        var pads = new DefaultDiarizerOptions().Segments;
        double before = pads.TurnStartPadSeconds, after = pads.TurnEndPadSeconds;
        Assert.Equal(2, speech.Count);
        Assert.InRange(speech[0].StartSeconds, 0.94 - before, 1.06 - before);
        Assert.InRange(speech[0].EndSeconds, 3.94 + after, 4.06 + after);
        Assert.InRange(speech[1].StartSeconds, 6.94 - before, 7.06 - before);
        Assert.InRange(speech[1].EndSeconds, 9.94 + after, 10.06 + after);
    }

    [Fact]
    public void A_pause_between_two_speakers_becomes_silence_and_one_inside_a_turn_takes_the_speaker()
    {
        int[] labels = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, -1];
        bool[] pauses = [false, true, true, false, true, true, false, true, true, false, false, false];

        DefaultDiarizer.DropPausesBetweenSpeakers(labels, pauses);

        Assert.Equal([0, 0, 0, 0, -1, -1, 1, 1, 1, 1, 0, -1], labels);
    }

    [Fact]
    public void A_hint_of_at_most_one_speaker_names_every_turn_S0()
    {
        var clip = new AudioClip("tones", SyntheticAudio.ToneBurstsInNoise(12, (1, 4), (7, 10)), 16000);

        var result = new DefaultDiarizer().Diarize(clip, new SpeakerHints { MaxSpeakers = 1 });

        Assert.Equal(1, result.SpeakerCount);
        Assert.Equal(2, result.Segments.Count);
        Assert.All(result.Segments, s => Assert.Equal("S0", s.Speaker));
    }

    [Fact]
    public void With_an_exact_hint_of_two_bursts_of_different_pitch_are_S0_then_S1()
    {
        var clip = new AudioClip("tones", SyntheticAudio.ToneBurstsInNoise(12, [(1, 4, 500.0), (7, 10, 2500.0)]), 16000);

        var result = new DefaultDiarizer().Diarize(clip, new SpeakerHints { ExactSpeakers = 2 });

        Assert.Equal(2, result.SpeakerCount);
        Assert.Equal(2, result.Segments.Count);
        Assert.Equal("S0", result.Segments[0].Speaker);
        Assert.Equal("S1", result.Segments[1].Speaker);
    }

    [Fact]
    public void Silence_gives_no_turns()
    {
        var result = new DefaultDiarizer().Diarize(new AudioClip("quiet", new float[3 * 16000], 16000));
        Assert.Empty(result.Segments);
        Assert.Equal(0, result.SpeakerCount);
    }

    [Fact]
    public void Each_speech_frame_takes_the_nearest_window_centre_and_the_earlier_on_a_tie()
    {
        bool[] speech = [true, true, true, false, true, true, true, true];
        int[] centres = [1, 5];
        int[] windowLabels = [7, 9];

        var labels = DefaultDiarizer.LabelFrames(speech, centres, windowLabels);

        // Frame 3 is equidistant but non-speech; frame 2 is nearer 1; frame 4 is nearer 5.
        Assert.Equal([7, 7, 7, -1, 9, 9, 9, 9], labels);
        Assert.Equal([7, 7, 7, 9], DefaultDiarizer.LabelFrames([true, true, true, true], [1, 3], windowLabels));
    }

    [Fact]
    public void With_no_windows_all_speech_is_one_speaker()
    {
        Assert.Equal([0, -1, 0], DefaultDiarizer.LabelFrames([true, false, true], [], []));
    }

    [Fact]
    public void Options_report_errors_of_every_stage_and_a_framing_mismatch_together()
    {
        var options = new DefaultDiarizerOptions
        {
            Speech = new EnergySpeechDetectorOptions { HopMs = 20, GapFillSeconds = -1 },
            Clustering = new() { DistanceThreshold = -1 },
        };
        var ex = Assert.Throws<OptionsValidationException>(() => new DefaultDiarizer(options));
        Assert.Contains(ex.Errors, e => e.StartsWith("Speech.GapFillSeconds", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("Clustering.DistanceThreshold", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("Embedding.Features framing", StringComparison.Ordinal));
    }

    [Fact]
    public void A_hint_beyond_the_clusterers_limit_is_refused_before_any_work()
    {
        var clip = new AudioClip("x", new float[16000], 16000);
        Assert.Throws<OptionsValidationException>(() => new DefaultDiarizer().Diarize(clip, new SpeakerHints { MaxSpeakers = 50 }));
    }
}
