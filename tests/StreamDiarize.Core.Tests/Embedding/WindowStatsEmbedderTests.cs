// The window embedder's shape: 38 dims, windows every 0.25 s that hold enough speech, centred, unit length.
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
    public void Without_the_std_half_an_embedding_has_19_dims()
    {
        var embedder = new WindowStatsEmbedder(new WindowStatsEmbedderOptions { IncludeStd = false });
        var audio = SyntheticAudio.ToneBurstsInNoise(3, (0.5, 2.5));
        int frames = embedder.FrameCount(audio.Length);
        Assert.Equal(19, embedder.Embed(audio, Mask(frames, 0, frames)).Dims);
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
