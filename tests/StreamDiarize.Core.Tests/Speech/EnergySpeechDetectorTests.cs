// The band-energy detector on signals whose speech is known: bursts found, short gaps filled, short islands dropped,
// unvoiced bursts gated out; and the in-place post-processing on hand-made masks.
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Speech;

namespace StreamDiarize.Core.Tests.Speech;

public class EnergySpeechDetectorTests
{
    private static readonly EnergySpeechDetector Detector = new();

    private static void AssertNear((double Start, double End) expected, (double StartSeconds, double EndSeconds) actual, double tolerance = 0.06)
    {
        Assert.InRange(actual.StartSeconds, expected.Start - tolerance, expected.Start + tolerance);
        Assert.InRange(actual.EndSeconds, expected.End - tolerance, expected.End + tolerance);
    }

    [Fact]
    public void The_mask_has_one_frame_per_10_ms_hop_over_whole_25_ms_frames()
    {
        var mask = Detector.Detect(new float[16000]);
        Assert.Equal(0.01, mask.HopSeconds, 12);
        Assert.Equal(1 + (16000 - 400) / 160, mask.Frames);
        Assert.Equal(0, Detector.Detect(new float[399]).Frames);
    }

    [Fact]
    public void Digital_silence_has_no_speech()
    {
        Assert.Equal(0, Detector.Detect(new float[5 * 16000]).SpeechFrameCount);
    }

    [Fact]
    public void Tone_bursts_in_noise_are_found_where_they_are()
    {
        var audio = SyntheticAudio.ToneBurstsInNoise(10, (2, 4), (6.5, 8));
        var regions = Detector.Detect(audio).Regions();
        Assert.Equal(2, regions.Count);
        AssertNear((2, 4), regions[0]);
        AssertNear((6.5, 8), regions[1]);
    }

    [Fact]
    public void A_gap_shorter_than_1_5_seconds_is_filled_and_a_longer_one_is_kept()
    {
        var audio = SyntheticAudio.ToneBurstsInNoise(12, (1, 2.5), (3.5, 4.5), (6.5, 7.5), (9.5, 10.5));
        var regions = Detector.Detect(audio).Regions();
        Assert.Equal(3, regions.Count);
        AssertNear((1, 4.5), regions[0]);
        AssertNear((6.5, 7.5), regions[1]);
        AssertNear((9.5, 10.5), regions[2]);
    }

    [Fact]
    public void A_filled_gap_is_marked_as_a_pause_and_nothing_else_is()
    {
        var audio = SyntheticAudio.ToneBurstsInNoise(12, (1, 2.5), (3.5, 4.5), (6.5, 7.5));
        var mask = Detector.Detect(audio);
        var pauses = Assert.IsType<bool[]>(mask.IsPause);
        var paused = Enumerable.Range(0, mask.Frames).Where(i => pauses[i]).ToList();
        Assert.All(paused, i => Assert.True(mask.IsSpeech[i]));
        // One run over the filled 1 s gap, give or take the smoothing at its edges.
        Assert.Equal(paused.Count, paused[^1] - paused[0] + 1);
        Assert.InRange(paused[0] * 0.01, 2.4, 2.6);
        Assert.InRange((paused[^1] + 1) * 0.01, 3.4, 3.6);
    }

    [Fact]
    public void A_pause_length_at_the_gap_fill_length_marks_no_pause()
    {
        var audio = SyntheticAudio.ToneBurstsInNoise(12, (1, 2.5), (3.5, 4.5));
        var mask = new EnergySpeechDetector(new EnergySpeechDetectorOptions { PauseSeconds = 1.5 }).Detect(audio);
        Assert.DoesNotContain(true, mask.IsPause!);
    }

    [Fact]
    public void An_island_shorter_than_0_4_seconds_is_dropped()
    {
        var audio = SyntheticAudio.ToneBurstsInNoise(10, (1, 3), (6, 6.2));
        var regions = Detector.Detect(audio).Regions();
        Assert.Single(regions);
        AssertNear((1, 3), regions[0]);

        var keepIslands = new EnergySpeechDetector(new EnergySpeechDetectorOptions { MinIslandSeconds = 0 });
        Assert.Equal(2, keepIslands.Detect(audio).Regions().Count);
    }

    [Fact]
    public void Energy_below_300_Hz_does_not_count_as_speech()
    {
        // A loud 100 Hz hum burst (like a headset bump) next to a real 1 kHz burst: only the latter is speech.
        var audio = SyntheticAudio.ToneBurstsInNoise(10, (6, 8));
        for (int i = 1 * 16000; i < 3 * 16000; i++)
        {
            audio[i] += (float)(0.5 * Math.Sin(2 * Math.PI * 100 * i / 16000));
        }
        var regions = Detector.Detect(audio).Regions();
        Assert.Single(regions);
        AssertNear((6, 8), regions[0]);
    }

    [Fact]
    public void Percentiles_interpolate_linearly_as_numpy_does()
    {
        double[] sorted = [1, 2, 3, 4, 10];
        Assert.Equal(1, EnergySpeechDetector.Percentile(sorted, 0), 12);
        Assert.Equal(10, EnergySpeechDetector.Percentile(sorted, 100), 12);
        Assert.Equal(3, EnergySpeechDetector.Percentile(sorted, 50), 12);
        Assert.Equal(1.4, EnergySpeechDetector.Percentile(sorted, 10), 12);
        Assert.Equal(9.76, EnergySpeechDetector.Percentile(sorted, 99), 12);
    }

    [Fact]
    public void The_moving_average_is_centred_and_averages_only_the_frames_that_exist_at_the_edges()
    {
        var smooth = EnergySpeechDetector.MovingAverage([3, 0, 0, 0, 6], 3);
        Assert.Equal([1.5, 1, 0, 2, 3], smooth);
    }

    [Fact]
    public void The_moving_average_leaves_digital_silence_out_of_its_neighbours_and_as_it_is()
    {
        var smooth = EnergySpeechDetector.MovingAverage([3, -100, 6, 0, 0], 3, -90);
        Assert.Equal([3, -100, 3, 2, 0], smooth);
    }

    /// <summary>
    /// Band energy (dB) and voicing of 10-ms frames: six times 3 s of a voiced background 40 dB under the voices (a hum,
    /// far babble) and 2 s of a voice, 20 s of digital silence (a muted microphone), then the same six times again.
    /// </summary>
    public static (double[] Energy, double[] Voicing, bool[] Voice, bool[] Muted) MutedRoom()
    {
        var energy = new List<double>();
        var voicing = new List<double>();
        var voice = new List<bool>();
        var muted = new List<bool>();
        void Add(int frames, double db, double v, bool isVoice, bool isMuted)
        {
            for (int i = 0; i < frames; i++)
            {
                energy.Add(db);
                voicing.Add(v);
                voice.Add(isVoice);
                muted.Add(isMuted);
            }
        }
        for (int half = 0; half < 2; half++)
        {
            for (int k = 0; k < 6; k++)
            {
                Add(300, 20, 0.9, false, false);
                Add(200, 60, 0.9, true, false);
            }
            if (half == 0)
            {
                Add(2000, -100, 0, false, true);
            }
        }
        Add(300, 20, 0.9, false, false);
        return (energy.ToArray(), voicing.ToArray(), voice.ToArray(), muted.ToArray());
    }

    /// <summary>Whether frame <paramref name="i"/> lies at least <paramref name="margin"/> frames from any change of <paramref name="voice"/> (the smoothing blurs its edges).</summary>
    public static bool AwayFromEdges(bool[] voice, int i, int margin) =>
        Enumerable.Range(Math.Max(0, i - margin), Math.Min(voice.Length, i + margin + 1) - Math.Max(0, i - margin)).All(j => voice[j] == voice[i]);

    [Fact]
    public void A_muted_stretch_does_not_lower_the_thresholds_onto_the_room()
    {
        // Round 21: counted as they were, 20 s of zeros in 80 s put the floor at -100 dB and the seed threshold under the
        // room's sound, so the whole background became speech. They now count as the quietest other sound.
        var (energy, voicing, voice, muted) = MutedRoom();
        var mask = EnergySpeechDetector.Decide(energy, voicing, new EnergySpeechDetectorOptions());
        for (int i = 0; i < mask.Length; i++)
        {
            Assert.True(mask[i] == voice[i] || !AwayFromEdges(voice, i, 5), $"frame {i}: speech {mask[i]}, a voice {voice[i]}, muted {muted[i]}");
        }
    }

    [Fact]
    public void Digital_silence_bridged_into_speech_is_a_pause_however_short_unless_switched_off()
    {
        // 0.15 s of zeros inside a voice (a gated or synthetic voice between words): speech, as the references bridge it,
        // but a pause, so that no voice model reads the power floor's features (round 21). A gap of room sound that
        // short is plain speech (PauseSeconds).
        double[] energy = [.. Enumerable.Repeat(20.0, 300), .. Enumerable.Repeat(60.0, 200), .. Enumerable.Repeat(-100.0, 15),
            .. Enumerable.Repeat(60.0, 200), .. Enumerable.Repeat(20.0, 15), .. Enumerable.Repeat(60.0, 200), .. Enumerable.Repeat(20.0, 300)];
        var voicing = energy.Select(e => e > 50 ? 0.9 : 0.0).ToArray();
        var on = EnergySpeechDetector.Decide(energy, voicing, new EnergySpeechDetectorOptions(), out var pauses);
        var off = EnergySpeechDetector.Decide(energy, voicing, new EnergySpeechDetectorOptions { DigitalSilencePauses = false }, out var offPauses);

        Assert.Equal(on, off);
        Assert.All(Enumerable.Range(500, 15), i => Assert.True(on[i] && pauses[i], $"frame {i}"));
        Assert.All(Enumerable.Range(715, 15), i => Assert.True(on[i] && !pauses[i], $"frame {i}"));
        Assert.DoesNotContain(true, offPauses);
        Assert.Equal(Enumerable.Range(0, energy.Length).Where(i => energy[i] <= -90), Enumerable.Range(0, energy.Length).Where(i => pauses[i]));
    }

    [Theory]
    // floor, range: (high, low) above the floor. A wide range (a quiet room) is placed by the fractions alone; a narrow
    // one (a noisy room) is capped 18 / 20 dB below the peak, never under 6 / 3 dB above the floor.
    [InlineData(50, 30, 20)]
    [InlineData(45, 27, 18)]
    [InlineData(40, 22, 16)]
    [InlineData(30, 12, 10)]
    [InlineData(22, 6, 3)]
    [InlineData(15, 6, 3)]
    public void The_thresholds_are_fractions_of_the_range_capped_below_the_peak(double range, double high, double low)
    {
        var o = new EnergySpeechDetectorOptions();
        Assert.Equal((18, 20), (o.HighCapBelowPeakDb, o.LowCapBelowPeakDb));
        var (h, l) = o.Thresholds(-40, range, -40 + range);
        Assert.Equal(high, h + 40, 6);
        Assert.Equal(low, l + 40, 6);
    }

    [Fact]
    public void Without_the_caps_the_narrow_range_keeps_its_fractions_as_the_live_warm_up_does()
    {
        var o = new EnergySpeechDetectorOptions();
        var (h, l) = o.Thresholds(-40, 30, -10, capBelowPeak: false);
        Assert.Equal((18.0, 12.0), (Math.Round(h + 40, 6), Math.Round(l + 40, 6)));
        var off = o with { HighCapBelowPeakDb = 0, LowCapBelowPeakDb = 0 };
        Assert.Equal(off.Thresholds(-40, 30, -10), (h, l));
    }

    [Fact]
    public void In_noise_14_dB_below_a_quiet_tone_the_caps_find_the_tone_the_fractions_miss()
    {
        // A loud tone burst sets the peak (about 26 dB over the noise in the band); a tone 12 dB quieter sits 14 dB above
        // the noise: under the fractions' high threshold (0.6 of the range), over the capped one (18 dB below the peak).
        int sr = 16000;
        var rng = new Random(3);
        var x = new float[sr * 12];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)(0.01 * (2 * rng.NextDouble() - 1));
        }
        void Tone(double from, double to, double amplitude)
        {
            for (int i = (int)(from * sr); i < (int)(to * sr); i++)
            {
                x[i] += (float)(amplitude * Math.Sin(2 * Math.PI * 440 * i / sr));
            }
        }
        Tone(1, 3, 0.1);
        Tone(6, 9, 0.025);
        var capped = new EnergySpeechDetector(new EnergySpeechDetectorOptions { VoicingGate = false }).Detect(x);
        var fractions = new EnergySpeechDetector(new EnergySpeechDetectorOptions { VoicingGate = false, HighCapBelowPeakDb = 0, LowCapBelowPeakDb = 0 }).Detect(x);
        Assert.True(capped.IsSpeech[750], "the quiet tone is speech with the caps");
        Assert.False(fractions.IsSpeech[750], "the quiet tone is not speech without them");
        Assert.True(capped.IsSpeech[200] && fractions.IsSpeech[200]);
        Assert.False(capped.IsSpeech[450]);
    }

    [Fact]
    public void Invalid_options_are_all_reported_at_once()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new EnergySpeechDetector(new EnergySpeechDetectorOptions
        {
            SmoothingFrames = 10,
            StreamingSmoothingFrames = 0,
            BandLowHz = 4000,
            BandHighHz = 300,
            GapFillSeconds = -1,
            FftSize = 300,
            MinVoicedFraction = 2,
            Voicing = new VoicingOptions { MinLag = 0 },
        }));
        Assert.Equal(7, ex.Errors.Count);
        Assert.Contains(ex.Errors, e => e.StartsWith("Voicing.MinLag 0", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("SmoothingFrames 10", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("StreamingSmoothingFrames 0", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("GapFillSeconds -1", StringComparison.Ordinal));
    }

    [Fact]
    public void The_voicing_gate_drops_a_noise_burst_and_keeps_a_voiced_one_of_the_same_band_energy()
    {
        var audio = SyntheticAudio.ToneBurstsInNoise(10);
        SyntheticAudio.Add(audio, SyntheticAudio.HarmonicComplex(2 * SyntheticAudio.RateHz, 150, 0.1), 1);
        SyntheticAudio.Add(audio, SyntheticAudio.BandNoise(2 * SyntheticAudio.RateHz, 0.1), 6);

        var regions = Detector.Detect(audio).Regions();
        Assert.Single(regions);
        AssertNear((1, 3), regions[0]);

        var ungated = new EnergySpeechDetector(new EnergySpeechDetectorOptions { VoicingGate = false }).Detect(audio).Regions();
        Assert.Equal(2, ungated.Count);
        AssertNear((6, 8), ungated[1]);
    }

    [Fact]
    public void The_mask_carries_the_voicing_and_the_pitch_lag_of_its_speech_frames()
    {
        var audio = SyntheticAudio.ToneBurstsInNoise(10);
        SyntheticAudio.Add(audio, SyntheticAudio.HarmonicComplex(2 * SyntheticAudio.RateHz, 150, 0.1), 1);

        var mask = Detector.Detect(audio);

        var voicing = Assert.IsType<double[]>(mask.Voicing);
        var lags = Assert.IsType<int[]>(mask.PitchLags);
        // Frame 200 (2 s) is in the middle of the 150 Hz complex: period 106.7 samples.
        Assert.True(mask.IsSpeech[200]);
        Assert.True(voicing[200] > 0.9);
        Assert.InRange(lags[200], 106, 107);
        Assert.Null(new EnergySpeechDetector(new EnergySpeechDetectorOptions { VoicingGate = false }).Detect(audio).PitchLags);
    }

    [Fact]
    public void Post_processing_fills_gaps_drops_islands_moves_regions_to_frame_centres_and_gates_in_place()
    {
        var options = new EnergySpeechDetectorOptions();
        var mask = new bool[600];
        mask.AsSpan(10, 100).Fill(true);   // joined with the next run across a 1.4 s gap
        mask.AsSpan(250, 50).Fill(true);
        mask.AsSpan(460, 30).Fill(true);   // a 0.3 s island, 1.6 s after the last: dropped
        var voicing = new double[600];
        voicing.AsSpan(0, 300).Fill(0.9);

        EnergySpeechDetector.PostProcess(mask, voicing, options);
        Assert.Equal(Enumerable.Range(9, 290), Enumerable.Range(0, 600).Where(i => mask[i]));
    }

    [Fact]
    public void The_gate_clears_a_region_with_too_few_voiced_frames_and_keeps_one_with_enough()
    {
        var mask = new bool[100];
        mask.AsSpan(0, 40).Fill(true);
        mask.AsSpan(60, 40).Fill(true);
        var voicing = new double[100];
        voicing.AsSpan(0, 13).Fill(0.9);   // 13 of 40 = 0.325 < 0.35
        voicing.AsSpan(60, 14).Fill(0.9);  // 14 of 40 = 0.35, kept

        EnergySpeechDetector.ApplyVoicingGate(mask, voicing, 0.6, 0.35);
        Assert.Equal(Enumerable.Range(60, 40), Enumerable.Range(0, 100).Where(i => mask[i]));
    }

    [Fact]
    public void Post_processing_allocates_nothing()
    {
        var options = new EnergySpeechDetectorOptions();
        var mask = new bool[1000];
        var voicing = new double[1000];
        EnergySpeechDetector.PostProcess(mask, voicing, options);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 20; k++)
        {
            mask.AsSpan(100, 300).Fill(true);
            mask.AsSpan(700, 100).Fill(true);
            EnergySpeechDetector.PostProcess(mask, voicing, options);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void The_gate_needs_a_voicing_value_per_frame()
    {
        Assert.Throws<ArgumentException>(() => EnergySpeechDetector.PostProcess(new bool[10], new double[5], new EnergySpeechDetectorOptions()));
        EnergySpeechDetector.PostProcess(new bool[10], [], new EnergySpeechDetectorOptions { VoicingGate = false });
    }
}
