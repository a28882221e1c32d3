// The research front end's framing: frames from sample 0 with no padding, under a periodic Hamming window.
using StreamDiarize.Core.Features;

namespace StreamDiarize.Core.Tests.Features;

public class UncentredHammingFramingTests
{
    private static readonly FeaturizerOptions Options = new()
    {
        FeatureType = FeatureType.Spectrogram,
        Window = WindowType.Hamming,
        CenterFrames = false,
        PreEmphasis = 0,
        DitherAmount = 0,
        NormalizeSignalPeak = false,
        NormalizePerFeature = FeatureNormalization.None,
    };

    [Fact]
    public void Uncentred_frames_are_the_whole_400_sample_frames_every_160_samples()
    {
        Assert.Equal(1 + (16000 - 400) / 160, Options.FrameCount(16000));
        Assert.Equal(1, Options.FrameCount(400));
        Assert.Equal(0, Options.FrameCount(399));
        Assert.Equal(0.0125, Options.FirstFrameCentreSeconds, 12);
        Assert.Equal(Options.FrameCount(16000), new SttFeaturizer(Options).Compute(new float[16000]).Frames);
    }

    [Fact]
    public void Frame_t_is_the_power_spectrum_of_samples_160t_to_160t_plus_400_under_a_periodic_hamming()
    {
        var random = new Random(9);
        var x = new float[4000];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)(random.NextDouble() - 0.5);
        }
        var features = new SttFeaturizer(Options).Compute(x);

        foreach (int t in new[] { 0, 7, features.Frames - 1 })
        {
            foreach (int k in new[] { 0, 13, 100, 256 })
            {
                // Direct DFT of the zero-padded 512-point frame.
                double re = 0, im = 0;
                for (int n = 0; n < 400; n++)
                {
                    double w = 0.54 - 0.46 * Math.Cos(2 * Math.PI * n / 400);
                    double v = x[160 * t + n] * w;
                    re += v * Math.Cos(2 * Math.PI * k * n / 512);
                    im -= v * Math.Sin(2 * Math.PI * k * n / 512);
                }
                double expected = re * re + im * im;
                Assert.Equal(expected, features[t, k], Math.Max(1e-4, expected * 1e-5));
            }
        }
    }
}
