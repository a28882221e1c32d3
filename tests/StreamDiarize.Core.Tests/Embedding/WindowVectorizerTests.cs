// The shared window rules and statistics: hand-made frames give the hand-computed means, deviations and pitch, and
// the offline embedder and the live rings read the same numbers through them.
using StreamDiarize.Core.Embedding;

namespace StreamDiarize.Core.Tests.Embedding;

public class WindowVectorizerTests
{
    /// <summary>Frames as arrays: two coefficients each, a speech flag, voicing and a pitch lag.</summary>
    private readonly struct Frames(float[][] rows, bool[] speech, double[] voicing, double[] lags) : IWindowFrames
    {
        public bool IsSpeech(long frame) => speech[frame];

        public double Voicing(long frame) => voicing[frame];

        public double PitchLag(long frame) => lags[frame];

        public ReadOnlySpan<float> Coefficients(long frame) => rows[frame];
    }

    private static Frames Sample() => new(
        [[1, 10], [3, 10], [5, 40], [100, 100], [7, 0]],
        [true, true, true, false, true],
        [0.9, 0.2, 0.9, 0.9, 0.9],
        [100, 0, 80, 100, 100]);

    [Fact]
    public void Moments_are_the_mean_and_population_deviation_of_the_speech_frames_only()
    {
        var mean = new double[2];
        var deviation = new double[2];
        int used = WindowVectorizer.Moments(Sample(), 0, 5, 0, 1, mean, deviation);

        Assert.Equal(4, used);
        Assert.Equal(4, mean[0], 12);
        Assert.Equal(15, mean[1], 12);
        Assert.Equal(Math.Sqrt((9 + 1 + 1 + 9) / 4.0), deviation[0], 12);
        Assert.Equal(Math.Sqrt((25 + 25 + 625 + 225) / 4.0), deviation[1], 12);
    }

    [Fact]
    public void A_voicing_threshold_keeps_only_the_voiced_speech_frames()
    {
        var mean = new double[2];
        int used = WindowVectorizer.Moments(Sample(), 0, 5, 0.5, 1, mean, []);

        Assert.Equal(3, used);
        Assert.Equal((1 + 5 + 7) / 3.0, mean[0], 12);
    }

    [Fact]
    public void Too_few_usable_frames_are_reported_by_the_count()
    {
        var mean = new double[2];
        Assert.Equal(2, WindowVectorizer.Moments(Sample(), 0, 2, 0, 3, mean, []));
        Assert.Equal(0, WindowVectorizer.Moments(Sample(), 3, 4, 0, 1, mean, []));
    }

    [Fact]
    public void Pitch_is_log_f0_over_voiced_speech_frames_with_a_lag_and_nan_when_too_few()
    {
        var vectorizer = new WindowVectorizer(new WindowStatsEmbedderOptions { PitchMinVoicedFrames = 2 });
        var pitch = new double[2];
        vectorizer.Pitch(Sample(), 0, 5, pitch);

        // Frames 0, 2 and 4: lags 100, 80 and 100 at 16 kHz (frame 1 is unvoiced, frame 3 is not speech).
        double[] f0 = [Math.Log(160), Math.Log(200), Math.Log(160)];
        double mean = f0.Average();
        Assert.Equal(mean, pitch[0], 12);
        Assert.Equal(Math.Sqrt(f0.Select(x => (x - mean) * (x - mean)).Average()), pitch[1], 9);

        vectorizer.Pitch(Sample(), 0, 2, pitch);
        Assert.True(double.IsNaN(pitch[0]) && double.IsNaN(pitch[1]));
    }

    [Fact]
    public void Placement_follows_the_options()
    {
        var vectorizer = new WindowVectorizer(new WindowStatsEmbedderOptions());

        // 1.5 s windows every 0.25 s on 10 ms frames, kept with at least 30 % speech.
        Assert.Equal(150, vectorizer.WindowFrames);
        Assert.Equal(25, vectorizer.HopFrames);
        Assert.Equal(100, vectorizer.Centre(25));
        Assert.False(vectorizer.Keeps(0));
        Assert.False(vectorizer.Keeps(44));
        Assert.True(vectorizer.Keeps(45));
        Assert.Equal(24000, vectorizer.SampleCount(0, 100_000));
        Assert.Equal(1000, vectorizer.SampleCount(10, 2600));
    }
}
