// A 1 kHz tone must land where the definitions say: FFT bin 32 of 512 at 16 kHz, and the mel band centred nearest 1 kHz.
using StreamDiarize.Core.Features;

namespace StreamDiarize.Core.Tests.Features;

public class PureToneTests
{
    private static readonly FeaturizerOptions Plain = new()
    {
        NormalizeSignalPeak = false,
        DitherAmount = 0,
        PreEmphasis = 0,
        NormalizePerFeature = FeatureNormalization.None,
    };

    private static float[] Tone(double hz, double seconds, int rate = 16000)
    {
        var y = new float[(int)(seconds * rate)];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = (float)(0.5 * Math.Sin(2 * Math.PI * hz * i / rate));
        }
        return y;
    }

    private static int ArgMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++)
        {
            if (v[i] > v[best])
            {
                best = i;
            }
        }
        return best;
    }

    [Fact]
    public void A_1000_Hz_tone_peaks_in_spectrogram_bin_32_of_a_512_point_fft()
    {
        var m = new SttFeaturizer(Plain with { FeatureType = FeatureType.Spectrogram }).Compute(Tone(1000, 0.5));
        Assert.Equal(257, m.Dims);
        Assert.Equal(1 + 8000 / 160, m.Frames);
        Assert.Equal((int)Math.Round(1000 * 512 / 16000.0), ArgMax(m.Row(m.Frames / 2)));
    }

    [Fact]
    public void A_1000_Hz_tone_peaks_in_the_mel_band_whose_slaney_centre_is_nearest_1000_Hz()
    {
        var m = new SttFeaturizer(Plain).Compute(Tone(1000, 0.5));

        // Slaney mel scale written out here, independently of FeatureBank: band b is centred on edge b+1 of 82.
        static double ToMel(double hz) => hz < 1000 ? hz * 3 / 200 : 15 + Math.Log(hz / 1000) * 27 / Math.Log(6.4);
        static double ToHz(double mel) => mel < 15 ? mel * 200 / 3 : 1000 * Math.Exp((mel - 15) * Math.Log(6.4) / 27);
        int nearest = 0;
        double bestDistance = double.MaxValue;
        for (int b = 0; b < 80; b++)
        {
            double centre = ToHz(ToMel(8000) * (b + 1) / 81);
            if (Math.Abs(centre - 1000) < bestDistance)
            {
                bestDistance = Math.Abs(centre - 1000);
                nearest = b;
            }
        }

        Assert.Equal(nearest, ArgMax(m.Row(m.Frames / 2)));
    }

    [Fact]
    public void Silence_gives_the_log_floor_and_one_frame_more_than_whole_hops()
    {
        var options = Plain with { LogFloor = 1e-10 };
        var m = new SttFeaturizer(options).Compute(new float[1000]);
        Assert.Equal(1 + 1000 / 160, m.Frames);
        foreach (float v in m.Data)
        {
            Assert.Equal(Math.Log(1e-10), v, 1e-4);
        }
    }

    [Fact]
    public void Frame_timing_follows_the_hop()
    {
        var m = new SttFeaturizer(Plain with { FrameMs = 50, StrideMs = 30 }).Compute(Tone(440, 1.0));
        Assert.Equal(0.03, m.HopSeconds, 12);
        Assert.Equal(0.05, m.FrameSeconds, 12);
        Assert.Equal(1 + 16000 / 480, m.Frames);
        Assert.Equal(0.3, m.FrameCentreSeconds(10), 12);
        Assert.Equal(0.3, m.FrameStartSeconds(10), 12);
    }
}
