// The window embedder's shape: 38 dims (40 with pitch), windows every 0.25 s that hold enough speech, centred, unit length.
using StreamDiarize.Core.Embedding;
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Tests.Speech;

namespace StreamDiarize.Core.Tests.Embedding;

public class WindowStatsEmbedderTests
{
    private static readonly WindowStatsEmbedder Embedder = new();

    private static float[] Noise(double seconds)
    {
        var random = new Random(3);
        var y = new float[(int)(seconds * 16000)];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = (float)(0.1 * (2 * random.NextDouble() - 1));
        }
        return y;
    }

    private static bool[] Mask(int frames, int speechFrom, int speechTo)
    {
        var mask = new bool[frames];
        for (int i = speechFrom; i < speechTo; i++)
        {
            mask[i] = true;
        }
        return mask;
    }

    [Fact]
    public void All_speech_gives_38_dim_unit_length_windows_every_25_frames_centred_75_frames_in()
    {
        var audio = Noise(5);
        int frames = Embedder.FrameCount(audio.Length);
        Assert.Equal(498, frames);

        var e = Embedder.Embed(audio, Mask(frames, 0, frames));

        // Starts 0, 25, ... up to frames - 150: 14 windows.
        Assert.Equal(14, e.Count);
        Assert.Equal(38, e.Dims);
        Assert.Equal(75, e.CentreFrames[0]);
        Assert.Equal(75 + 13 * 25, e.CentreFrames[^1]);
        Assert.Equal(0.75, e.CentreSeconds(0), 12);
        for (int w = 0; w < e.Count; w++)
        {
            double norm = 0;
            foreach (double x in e.Row(w))
            {
                norm += x * x;
            }
            Assert.Equal(1, Math.Sqrt(norm), 6);
        }
    }

    [Fact]
    public void Only_windows_with_at_least_30_percent_speech_are_embedded()
    {
        var audio = Noise(5);
        int frames = Embedder.FrameCount(audio.Length);

        // Speech in frames 0-99: a window starting at s holds 100 - s speech frames, at least 45 for s = 0, 25, 50.
        var e = Embedder.Embed(audio, Mask(frames, 0, 100));

        Assert.Equal([75, 100, 125], e.CentreFrames);
    }

    [Fact]
    public void Too_little_speech_gives_no_windows()
    {
        var audio = Noise(5);
        int frames = Embedder.FrameCount(audio.Length);
        Assert.Equal(0, Embedder.Embed(audio, Mask(frames, 0, 9)).Count);
        Assert.Equal(0, Embedder.Embed(audio, Mask(frames, 0, 40)).Count);
    }

    [Fact]
    public void With_pitch_two_dims_follow_the_38_and_separate_a_low_voice_from_a_high_one()
    {
        var embedder = new WindowStatsEmbedder(new WindowStatsEmbedderOptions { PitchWeight = 2 });
        var mfcc = embedder.Features(Noise(5));
        int frames = mfcc.Frames;
        var voicing = new double[frames];
        var lags = new int[frames];
        for (int t = 0; t < frames; t++)
        {
            voicing[t] = 0.9;
            // 100 Hz in the first half, 200 Hz in the second.
            lags[t] = t < frames / 2 ? 160 : 80;
        }

        var e = embedder.Embed(mfcc, Mask(frames, 0, frames), voicing, lags);

        Assert.Equal(40, e.Dims);
        Assert.True(e.Row(0)[38] < 0);
        Assert.True(e.Row(e.Count - 1)[38] > 0);
    }

    /// <summary>Voicing 0.1 before <paramref name="from"/> and 0.9 from it on; lags near 100 samples (160 Hz).</summary>
    private static (double[] Voicing, int[] Lags) VoicedFrom(int frames, int from)
    {
        var voicing = new double[frames];
        var lags = new int[frames];
        for (int t = 0; t < frames; t++)
        {
            voicing[t] = t >= from ? 0.9 : 0.1;
            lags[t] = 100 + t % 7;
        }
        return (voicing, lags);
    }

    [Fact]
    public void Windows_with_too_few_voiced_frames_get_the_average_pitch_which_is_zero()
    {
        // Statistics over every speech frame, so that windows without voiced frames are embedded at all.
        var embedder = new WindowStatsEmbedder(new WindowStatsEmbedderOptions { PitchWeight = 2, StatisticsVoicingThreshold = 0 });
        var mfcc = embedder.Features(Noise(5));
        int frames = mfcc.Frames;
        // Only the last second is voiced, so the first windows hold no voiced frame.
        var (voicing, lags) = VoicedFrom(frames, frames - 100);

        var e = embedder.Embed(mfcc, Mask(frames, 0, frames), voicing, lags);

        Assert.Equal(0, e.Row(0)[38]);
        Assert.Equal(0, e.Row(0)[39]);
        Assert.NotEqual(0, e.Row(e.Count - 1)[38]);
    }

    [Fact]
    public void With_the_voicing_cue_only_voiced_frames_feed_the_statistics_and_unvoiced_windows_are_dropped()
    {
        var embedder = new WindowStatsEmbedder(new WindowStatsEmbedderOptions { PitchWeight = 2, StatisticsVoicingThreshold = 0.6 });
        var mfcc = embedder.Features(Noise(5));
        int frames = mfcc.Frames;
        var (voicing, lags) = VoicedFrom(frames, frames - 100);
        var speech = Mask(frames, 0, frames);

        var e = embedder.Embed(mfcc, speech, voicing, lags);
        var all = new WindowStatsEmbedder(new WindowStatsEmbedderOptions { PitchWeight = 2, StatisticsVoicingThreshold = 0 })
            .Embed(mfcc, speech, voicing, lags);

        // Only windows holding at least MinStatisticsFrames (10) voiced frames remain: those reaching the last second.
        Assert.InRange(e.Count, 1, all.Count - 1);
        Assert.All(e.CentreFrames, c => Assert.True(c - 75 + 150 > frames - 100 + 9, $"window centred on {c} has too few voiced frames"));
        Assert.NotNull(e.Statistics);
        Assert.Equal(e.Data, e.Statistics!.NormaliseAll());
    }

    [Fact]
    public void The_splitting_statistics_skip_unvoiced_windows_and_windows_holding_a_pause_but_the_session_embeddings_do_not()
    {
        var embedder = new WindowStatsEmbedder(new WindowStatsEmbedderOptions { PitchWeight = 2 });
        var mfcc = embedder.Features(Noise(5));
        int frames = mfcc.Frames;
        // Voiced from 1 s on, with a bridged pause at 3.0-3.3 s.
        var (voicing, lags) = VoicedFrom(frames, 100);
        var pauses = new bool[frames];
        pauses.AsSpan(300, 30).Fill(true);
        var speech = Mask(frames, 0, frames);

        var plain = embedder.Embed(mfcc, speech, voicing, lags);
        var e = embedder.Embed(mfcc, speech, voicing, lags, pauses);

        // The session's embeddings use every speech frame and ignore pauses: the same windows, the same values.
        Assert.Equal(plain.Data, e.Data);
        Assert.Equal(plain.CentreFrames, e.CentreFrames);
        var statistics = e.Statistics!;
        for (int w = 0; w < e.Count; w++)
        {
            int start = e.CentreFrames[w] - 75;
            int end = start + 150;
            int voiced = Math.Max(0, end - Math.Max(start, 100));
            bool holdsPause = start < 330 && end > 300;
            Assert.Equal(voiced >= 10 && !holdsPause, statistics.HasRow(w));
        }
        Assert.Contains(Enumerable.Range(0, e.Count), statistics.HasRow);
    }

    [Fact]
    public void Pitch_statistics_need_a_voicing_value_and_a_lag_for_every_frame()
    {
        var embedder = new WindowStatsEmbedder(new WindowStatsEmbedderOptions { PitchWeight = 2 });
        var mfcc = embedder.Features(Noise(2));
        var speech = Mask(mfcc.Frames, 0, mfcc.Frames);
        Assert.Throws<ArgumentException>(() => embedder.Embed(mfcc, speech, new double[mfcc.Frames - 1], new int[mfcc.Frames]));
        Assert.Equal(38, embedder.Embed(mfcc, speech, [], []).Dims);
    }

    [Fact]
    public void Without_the_std_half_an_embedding_has_19_dims()
    {
        var embedder = new WindowStatsEmbedder(new WindowStatsEmbedderOptions { IncludeStd = false });
        var audio = SyntheticAudio.ToneBurstsInNoise(3, (0.5, 2.5));
        int frames = embedder.FrameCount(audio.Length);
        Assert.Equal(19, embedder.Embed(audio, Mask(frames, 0, frames)).Dims);
    }

    [Fact]
    public void Invalid_pitch_options_are_all_reported_at_once()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new WindowStatsEmbedder(new WindowStatsEmbedderOptions
        {
            PitchWeight = -1,
            PitchVoicingThreshold = 0,
            PitchMinVoicedFrames = 1,
        }));
        Assert.Equal(3, ex.Errors.Count);
    }

    [Fact]
    public void The_embedder_refuses_a_front_end_that_is_not_mfcc()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new WindowStatsEmbedder(new WindowStatsEmbedderOptions
        {
            Features = WindowStatsEmbedderOptions.ResearchMfcc with { FeatureType = Core.Features.FeatureType.LogMelSpectrogram },
            MinSpeechFraction = 0,
        }));
        Assert.Equal(2, ex.Errors.Count);
    }
}
