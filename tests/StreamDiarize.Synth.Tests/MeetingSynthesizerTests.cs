// The synthetic meeting generator, run with the real TTS engines: audio length, exact and complete RTTM, determinism, overlap.
using StreamDiarize.Audio;
using StreamDiarize.Core.Segments;
using StreamDiarize.Synth.Voices;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Synth.Tests;

public sealed class MeetingSynthesizerTests
{
    private static readonly MeetingSynthOptions Short = new()
    {
        Speakers = 3,
        DurationSeconds = 20,
        Seed = 1,
        MaxTurnSeconds = 5,
    };

    // One synthesizer for the class, so its utterance cache spares the engines when tests reuse a seed.
    private static readonly Lazy<MeetingSynthesizer> Synthesizer = new(() => new MeetingSynthesizer(TtsRequirement.Bank));

    private static SynthesizedMeeting Make(MeetingSynthOptions options, string id = "short")
    {
        TtsRequirement.Require(options.Speakers);
        return Synthesizer.Value.Synthesize(options, id);
    }

    private static double Rms(float[] samples, IEnumerable<(int Start, int End)> spans)
    {
        double energy = 0;
        long count = 0;
        foreach (var (start, end) in spans)
        {
            for (int i = start; i < end; i++)
            {
                energy += (double)samples[i] * samples[i];
            }
            count += end - start;
        }
        return Math.Sqrt(energy / Math.Max(1, count));
    }

    [SkippableFact]
    public void The_written_wav_lasts_exactly_the_requested_duration_at_16_kHz()
    {
        var meeting = Make(Short);
        var dir = RepoPaths.NewTempDir();
        var (wav, rttm) = meeting.WriteTo(dir);

        var loaded = AudioLoader.LoadWav(wav);
        Assert.Equal(16000, loaded.SampleRateHz);
        Assert.Equal(20 * 16000, loaded.Samples.Length);
        Assert.Equal("short", loaded.Id);
        Assert.True(File.Exists(rttm));
    }

    [SkippableFact]
    public void Every_segment_lies_inside_the_audio_and_every_speaker_talks()
    {
        var meeting = Make(Short);

        Assert.NotEmpty(meeting.Segments);
        Assert.All(meeting.Segments, s =>
        {
            Assert.True(s.StartSeconds >= 0, $"{s} starts before the audio");
            Assert.True(s.EndSeconds <= meeting.Audio.DurationSeconds, $"{s} ends after the audio");
            Assert.True(s.DurationSeconds > 0, $"{s} is empty");
        });
        Assert.Equal(["spk0", "spk1", "spk2"], meeting.Segments.Select(s => s.Speaker).Distinct().Order());
        Assert.Equal(3, meeting.Voices.Select(v => v.Name).Distinct().Count());
    }

    [SkippableFact]
    public void Speech_sits_inside_the_segments_and_the_gaps_are_silent_without_noise()
    {
        var meeting = Make(Short);
        var samples = meeting.Audio.Samples;
        int rate = meeting.Audio.SampleRateHz;
        var inside = meeting.Segments.Select(s => ((int)Math.Round(s.StartSeconds * rate), (int)Math.Round(s.EndSeconds * rate))).ToList();
        var outside = new List<(int, int)>();
        int cursor = 0;
        foreach (var (start, end) in inside.OrderBy(s => s.Item1))
        {
            if (start > cursor)
            {
                outside.Add((cursor, start));
            }
            cursor = Math.Max(cursor, end);
        }
        outside.Add((cursor, samples.Length));

        double speech = Rms(samples, inside);
        double gaps = Rms(samples, outside);
        Assert.True(speech > 0.02, $"speech RMS {speech} is too low");
        Assert.True(gaps < speech / 1000, $"gap RMS {gaps} against speech RMS {speech}: speech leaks outside the RTTM");
        // The boundaries are exact: the first and last sample of each segment are speech, not padding.
        Assert.All(inside, span =>
        {
            Assert.NotEqual(0f, samples[span.Item1]);
            Assert.NotEqual(0f, samples[span.Item2 - 1]);
        });
    }

    [SkippableFact]
    public void The_same_seed_gives_a_byte_identical_rttm_and_another_seed_does_not()
    {
        var first = Make(Short);
        var again = Make(Short);
        var other = Make(Short with { Seed = 2 });

        Assert.Equal(first.ToRttm(), again.ToRttm());
        Assert.Equal(first.Audio.Samples, again.Audio.Samples);
        Assert.NotEqual(first.ToRttm(), other.ToRttm());
    }

    [SkippableFact]
    public void The_rttm_file_has_one_invariant_line_per_segment_named_by_the_output_file()
    {
        var meeting = Make(Short, "meeting-a");
        var (_, rttm) = meeting.WriteTo(RepoPaths.NewTempDir());

        var lines = File.ReadAllLines(rttm);
        Assert.Equal(meeting.Segments.Count, lines.Length);
        var first = lines[0].Split(' ');
        Assert.Equal(["SPEAKER", "meeting-a", "1"], first[..3]);
        Assert.Equal(meeting.Segments[0].StartSeconds.ToString("F3", System.Globalization.CultureInfo.InvariantCulture), first[3]);
        Assert.Equal(["<NA>", "<NA>", meeting.Segments[0].Speaker, "<NA>", "<NA>"], first[5..]);
    }

    [SkippableFact]
    public void The_overlap_option_makes_two_speakers_talk_at_once_and_both_are_in_the_rttm()
    {
        var meeting = Make(Short with { OverlapProbability = 1, MinGapSeconds = 0, MaxGapSeconds = 0.5 });

        var overlaps = Overlapping(meeting.Segments).ToList();
        Assert.NotEmpty(overlaps);
        Assert.All(overlaps, pair => Assert.NotEqual(pair.A.Speaker, pair.B.Speaker));
        Assert.Empty(Overlapping(Make(Short).Segments));
    }

    [SkippableFact]
    public void Noise_fills_the_gaps_at_the_requested_snr()
    {
        var meeting = Make(Short with { SnrDb = 10, Noise = NoiseKind.White });
        var samples = meeting.Audio.Samples;
        int rate = meeting.Audio.SampleRateHz;
        // Before the first turn there is only noise: its RMS is the speech level 10 dB down.
        int lead = (int)Math.Round(meeting.Segments[0].StartSeconds * rate);
        double noise = Rms(samples, [(0, lead)]);
        Assert.InRange(noise, MeetingSynthesizer.SpeechRms / Math.Pow(10, 10 / 20.0) * 0.8, MeetingSynthesizer.SpeechRms / Math.Pow(10, 10 / 20.0) * 1.2);
    }

    [Fact]
    public void Too_few_installed_voices_is_an_error_that_names_the_packages_to_install()
    {
        var bank = VoiceBank.Detect(new TtsTools("/nonexistent/espeak-ng", "/nonexistent/flite"));

        Assert.Empty(bank.Available);
        var ex = Assert.Throws<TtsUnavailableException>(() => new MeetingSynthesizer(bank).Synthesize(Short, "x"));
        Assert.Contains("espeak-ng is not installed", ex.Message);
        Assert.Contains("flite is not installed", ex.Message);
        Assert.Contains("apt-get install espeak-ng flite", ex.Message);
    }

    [SkippableFact]
    public void Without_flite_the_bank_falls_back_to_espeak_voices_alone()
    {
        TtsRequirement.Require(8);
        var bank = VoiceBank.Detect(new TtsTools(Flite: "/nonexistent/flite"));

        Assert.Equal(8, bank.Available.Count);
        Assert.All(bank.Available, v => Assert.Equal(TtsEngine.EspeakNg, v.Engine));
        Assert.Equal(8, bank.Cast(8).Select(v => v.Name).Distinct().Count());
        Assert.Contains(bank.Problems, p => p.Contains("apt-get install flite", StringComparison.Ordinal));
    }

    private static IEnumerable<(SpeakerSegment A, SpeakerSegment B)> Overlapping(IReadOnlyList<SpeakerSegment> segments)
    {
        for (int i = 0; i < segments.Count; i++)
        {
            for (int j = i + 1; j < segments.Count; j++)
            {
                if (segments[i].StartSeconds < segments[j].EndSeconds && segments[j].StartSeconds < segments[i].EndSeconds)
                {
                    yield return (segments[i], segments[j]);
                }
            }
        }
    }
}
