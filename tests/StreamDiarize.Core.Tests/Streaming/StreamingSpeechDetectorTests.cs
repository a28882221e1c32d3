// The streaming speech detector marks bridged pauses as the offline detector does: a filled gap of at least
// PauseSeconds is a pause, a shorter one (a breath) is plain speech.
using StreamDiarize.Core.Speech;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Core.Tests.Streaming;

public sealed class StreamingSpeechDetectorTests
{
    /// <summary>3 s of background, then speech with a 0.5 s gap and a 0.15 s gap, then background (10 ms frames).</summary>
    private static StreamingSpeechDetector Run(EnergySpeechDetectorOptions options)
    {
        var detector = new StreamingSpeechDetector(options, lookaheadSeconds: 1);
        void Push(int frames, bool speech)
        {
            for (int i = 0; i < frames; i++)
            {
                detector.Push(speech ? 60 : 0, speech ? 0.9 : 0);
            }
        }
        Push(300, false);
        Push(200, true);
        Push(50, false);
        Push(200, true);
        Push(15, false);
        Push(200, true);
        Push(300, false);
        detector.Finish();
        return detector;
    }

    [Fact]
    public void A_bridged_gap_of_half_a_second_is_a_pause_and_a_breath_is_speech()
    {
        var detector = Run(new EnergySpeechDetectorOptions());

        Assert.True(detector.IsSpeech(525) && detector.IsPause(525));
        Assert.True(detector.IsSpeech(757) && !detector.IsPause(757));
        Assert.True(detector.IsSpeech(400) && !detector.IsPause(400));
        Assert.False(detector.IsSpeech(100) || detector.IsPause(100));
    }

    /// <summary>3 s of background, 2 s of speech, a gap of <paramref name="gapFrames"/>, 2 s of speech, 3 s of background.</summary>
    private static StreamingSpeechDetector RunGap(int gapFrames, bool tentative = true)
    {
        var detector = new StreamingSpeechDetector(new EnergySpeechDetectorOptions(), lookaheadSeconds: 1, tentativePauses: tentative);
        foreach (var (frames, speech) in new[] { (300, false), (200, true), (gapFrames, false), (200, true), (300, false) })
        {
            for (int i = 0; i < frames; i++)
            {
                detector.Push(speech ? 60 : 0, speech ? 0.9 : 0);
            }
        }
        detector.Finish();
        return detector;
    }

    [Fact]
    public void A_gap_longer_than_the_lookahead_but_shorter_than_the_gap_filling_is_bridged_as_offline()
    {
        // 1.2 s: its first frames are committed 1 s after them, before the speech after the gap is seen. They are a
        // tentative pause then, and the whole gap ends up a pause, as the offline detector (gap filling 1.5 s) has it.
        var detector = RunGap(120);

        for (int t = 505; t < 615; t++)
        {
            Assert.True(detector.IsSpeech(t) && detector.IsPause(t), $"frame {t}");
        }
    }

    [Fact]
    public void Without_tentative_pauses_the_first_frames_of_such_a_gap_are_silence()
    {
        // The window live diarizer labels pause frames as speech, so it keeps the detector that does not guess.
        var detector = RunGap(120, tentative: false);

        Assert.False(detector.IsSpeech(505));
        Assert.True(detector.IsSpeech(615) && detector.IsPause(615));
    }

    [Fact]
    public void A_gap_longer_than_the_gap_filling_is_silence_after_at_most_a_tentative_pause()
    {
        // 2.5 s: its first frames were committed as a tentative pause (the turn emitter holds them and drops them when
        // silence follows); never as plain speech, and from the gap filling on they are silence.
        var detector = RunGap(250);

        for (int t = 505; t < 745; t++)
        {
            Assert.True(!detector.IsSpeech(t) || detector.IsPause(t), $"frame {t}");
        }
        for (int t = 660; t < 745; t++)
        {
            Assert.False(detector.IsSpeech(t), $"frame {t}");
        }
        Assert.True(detector.IsSpeech(760) && !detector.IsPause(760));
    }

    [Fact]
    public void Pauses_at_or_above_the_gap_filling_are_not_marked()
    {
        var detector = Run(new EnergySpeechDetectorOptions { PauseSeconds = 1.5 });

        Assert.True(detector.IsSpeech(525));
        Assert.False(detector.IsPause(525));
    }

    /// <summary>
    /// 25 s of repeated cycles: <paramref name="loudFrames"/> at 22 dB (voicing 0.9), then <paramref name="quietFrames"/>
    /// at 0 dB (voicing 0.1). Speech in a reverberant room spans about this range above the floor its tails raise.
    /// </summary>
    private static StreamingSpeechDetector RunNarrowRange(int loudFrames, int quietFrames, double trustVoicedShare)
    {
        var detector = new StreamingSpeechDetector(new EnergySpeechDetectorOptions(), lookaheadSeconds: 1, minRangeDb: 40, tentativePauses: true,
            trustVoicedShare: trustVoicedShare, trustAfterSeconds: 10);
        for (int f = 0; f < 2500; f++)
        {
            bool loud = f % (loudFrames + quietFrames) < loudFrames;
            detector.Push(loud ? 22 : 0, loud ? 0.9 : 0.1);
        }
        detector.Finish();
        return detector;
    }

    [Fact]
    public void Before_the_history_is_full_a_mostly_voiced_history_is_trusted_and_its_narrow_range_is_speech()
    {
        // Round 15: until its 60-s history is full the detector assumes speech spans at least 40 dB above the floor, so
        // speech 22 dB above it never reached the seed threshold (24 dB) in the first minute. 10 s of history, 83 %
        // voiced, is trusted: from then on its own range (22 dB) sets the thresholds, with the caps.
        var trusted = RunNarrowRange(loudFrames: 150, quietFrames: 30, trustVoicedShare: 0.4);
        var assumed = RunNarrowRange(loudFrames: 150, quietFrames: 30, trustVoicedShare: 0);

        Assert.True(trusted.IsSpeech(2000) && trusted.IsSpeech(2100), "a loud frame at 20 s is speech once the range is trusted");
        Assert.False(trusted.IsSpeech(500), "at 5 s the history is too short to be trusted");
        Assert.False(assumed.IsSpeech(2000) || assumed.IsSpeech(2100), "with the assumed range nothing is speech before 60 s");
    }

    [Fact]
    public void A_history_of_background_with_voiced_bumps_is_not_trusted()
    {
        // The AMI clips' background was at most 30 % voiced (hum, knocks): 27 % voiced (0.6-s bumps) keeps the assumed
        // range, so the bumps stay below the seed threshold (with a 10 % share they pass it).
        var detector = RunNarrowRange(loudFrames: 60, quietFrames: 160, trustVoicedShare: 0.4);

        for (int f = 1100; f < 2400; f += 220)
        {
            Assert.False(detector.IsSpeech(f + 30), $"the bump at frame {f + 30}");
        }
    }

    [Fact]
    public void Both_live_paths_keep_the_thresholds_uncapped_in_a_session_with_known_speakers()
    {
        // Round 14 (docs/SPEAKERS.md): with the caps an unenrolled voice's speech was named live; the segment path turned
        // them off with known speakers, and since round 16 the window path's detector (ForSession) does the same.
        var stages = new StreamDiarize.Core.Pipeline.DefaultDiarizerOptions();
        Assert.True(stages.Speech.HighCapBelowPeakDb > 0 && stages.Speech.LowCapBelowPeakDb > 0);
        var profile = new StreamDiarize.Core.Speakers.VoiceProfile("Linda", "features",
            new StreamDiarize.Core.Speakers.GaussianVoiceModel(new StreamDiarize.Core.Clustering.GaussianStats(19)), 30, 1, DateTimeOffset.UnixEpoch);
        var plain = new SessionOptions { LatencySeconds = 1 };
        var named = plain with { KnownSpeakers = [profile] };

        var windowsPlain = OnlineDiarizer.ForSession(stages, new OnlineDiarizerOptions(), plain).DetectorOptions;
        var windowsNamed = OnlineDiarizer.ForSession(stages, new OnlineDiarizerOptions(), named).DetectorOptions;

        // The window path also reads digital silence as any other frame (round 21, DigitalSilenceRules).
        Assert.True(stages.Speech.DigitalSilenceRules);
        Assert.Equal(stages.Speech with { DigitalSilenceRules = false }, windowsPlain);
        Assert.Equal(stages.Speech with { HighCapBelowPeakDb = 0, LowCapBelowPeakDb = 0, DigitalSilenceRules = false }, windowsNamed);
        Assert.Equal(windowsNamed with { DigitalSilenceRules = true }, StreamingSpeechDetector.OptionsForSession(stages.Speech, named));
    }

    [Fact]
    public void A_muted_stretch_does_not_lower_the_live_thresholds_onto_the_room()
    {
        // As offline (EnergySpeechDetectorTests): after 20 s of zeros the 60-s history is a third digital silence, which
        // put the floor at -100 dB and made the voiced background speech until the mute left the history (round 21).
        var (energy, voicing, voice, muted) = Speech.EnergySpeechDetectorTests.MutedRoom();
        var detector = new StreamingSpeechDetector(new EnergySpeechDetectorOptions(), lookaheadSeconds: 1);
        for (int i = 0; i < energy.Length; i++)
        {
            detector.Push(energy[i], voicing[i]);
        }
        detector.Finish();
        // Past the warm-up and the first minute of history, where the live detector assumes a range.
        for (int i = 3000; i < energy.Length; i++)
        {
            Assert.True(detector.IsSpeech(i) == voice[i] || !Speech.EnergySpeechDetectorTests.AwayFromEdges(voice, i, 10),
                $"frame {i}: speech {detector.IsSpeech(i)}, a voice {voice[i]}, muted {muted[i]}");
        }
    }

    [Fact]
    public void Digital_silence_bridged_into_live_speech_is_a_pause_however_short_unless_switched_off()
    {
        StreamingSpeechDetector Run(bool silenceIsPause)
        {
            var detector = new StreamingSpeechDetector(new EnergySpeechDetectorOptions { DigitalSilenceRules = silenceIsPause }, lookaheadSeconds: 1);
            foreach (var (frames, db) in new[] { (300, 20.0), (200, 60.0), (15, -100.0), (200, 60.0), (15, 20.0), (200, 60.0), (300, 20.0) })
            {
                for (int i = 0; i < frames; i++)
                {
                    detector.Push(db, db > 50 ? 0.9 : 0);
                }
            }
            detector.Finish();
            return detector;
        }
        var on = Run(true);
        var off = Run(false);
        Assert.All(Enumerable.Range(500, 15), i => Assert.True(on.IsSpeech(i) && on.IsPause(i) && off.IsSpeech(i) && !off.IsPause(i), $"frame {i}"));
        Assert.All(Enumerable.Range(715, 15), i => Assert.True(on.IsSpeech(i) && !on.IsPause(i), $"frame {i}"));
    }
}
