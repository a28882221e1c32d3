// The voicing cue on signals of known periodicity: high on tones and harmonic complexes, low on noise, and free of allocation.
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Speech;

namespace StreamDiarize.Core.Tests.Speech;

public class VoicingEstimatorTests
{
    private static float[] Tone(int samples, double hz, double amplitude = 0.3)
    {
        var y = new float[samples];
        for (int i = 0; i < samples; i++)
        {
            y[i] = (float)(amplitude * Math.Sin(2 * Math.PI * hz * i / SyntheticAudio.RateHz));
        }
        return y;
    }

    private static float[] WhiteNoise(int samples, int seed = 3)
    {
        var random = new Random(seed);
        var y = new float[samples];
        for (int i = 0; i < samples; i++)
        {
            y[i] = (float)(0.3 * (2 * random.NextDouble() - 1));
        }
        return y;
    }

    private static double Mean(double[] v)
    {
        double sum = 0;
        foreach (double x in v)
        {
            sum += x;
        }
        return sum / v.Length;
    }

    [Fact]
    public void The_defaults_are_a_40_ms_frame_centred_on_the_25_ms_frame()
    {
        var estimator = new VoicingEstimator();
        Assert.Equal(640, estimator.FrameSamples);
        Assert.Equal(-120, estimator.OffsetSamples);
        Assert.Equal(new VoicingOptions(), estimator.Options);
    }

    [Fact]
    public void A_pure_200_Hz_tone_is_highly_voiced()
    {
        var estimator = new VoicingEstimator();
        Assert.InRange(estimator.Compute(Tone(640, 200)), 0.9, 1.1);
    }

    [Fact]
    public void White_noise_is_mostly_unvoiced()
    {
        var estimator = new VoicingEstimator();
        var noise = WhiteNoise(2 * SyntheticAudio.RateHz);
        // Single frames of noise can peak by chance at a long lag, where the taper correction amplifies it; the typical frame is low.
        var voicing = estimator.ComputeAll(noise, 150);
        Assert.InRange(Mean(voicing), 0, 0.4);
        Assert.InRange(estimator.Compute(noise.AsSpan(8000, 640)), 0, 0.4);
    }

    [Fact]
    public void A_harmonic_complex_is_voiced_and_band_noise_of_equal_energy_is_not()
    {
        var estimator = new VoicingEstimator();
        var voiced = estimator.ComputeAll(SyntheticAudio.HarmonicComplex(SyntheticAudio.RateHz, 150, 0.1), 90);
        var unvoiced = estimator.ComputeAll(SyntheticAudio.BandNoise(SyntheticAudio.RateHz, 0.1), 90);
        Assert.InRange(Mean(voiced[5..]), 0.9, 1.1);
        Assert.InRange(Mean(unvoiced[5..]), 0, 0.4);
    }

    [Fact]
    public void Digital_silence_has_zero_voicing()
    {
        Assert.Equal(0, new VoicingEstimator().Compute(new float[640]));
    }

    [Fact]
    public void Compute_allocates_nothing_per_frame()
    {
        var estimator = new VoicingEstimator();
        var frame = Tone(640, 130);
        estimator.Compute(frame);
        long before = GC.GetAllocatedBytesForCurrentThread();
        double sum = 0;
        for (int i = 0; i < 200; i++)
        {
            sum += estimator.Compute(frame);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(sum > 0);
    }

    [Fact]
    public void The_peak_lag_of_a_150_Hz_harmonic_complex_is_its_period_not_a_multiple_of_it()
    {
        var estimator = new VoicingEstimator();
        var lags = new int[90];
        estimator.ComputeAll(SyntheticAudio.HarmonicComplex(SyntheticAudio.RateHz, 150, 0.1), 90, [], lags);
        // 16000 / 150 = 106.7 samples; two periods (213) would fit the lag range as well.
        foreach (int lag in lags[5..85])
        {
            Assert.InRange(lag, 106, 107);
        }
    }

    [Fact]
    public void The_peak_lag_of_a_100_Hz_tone_is_160_samples()
    {
        new VoicingEstimator().Compute(Tone(640, 100), out int lag);
        Assert.Equal(160, lag);
    }

    [Fact]
    public void The_lag_does_not_change_the_voicing_value()
    {
        var estimator = new VoicingEstimator();
        var frame = SyntheticAudio.HarmonicComplex(SyntheticAudio.RateHz, 120, 0.1).AsSpan(3200, 640);
        Assert.Equal(estimator.Compute(frame), estimator.Compute(frame, out _));
    }

    [Fact]
    public void Compute_with_the_lag_allocates_nothing_per_frame()
    {
        var estimator = new VoicingEstimator();
        var frame = Tone(640, 130);
        estimator.Compute(frame, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        long lags = 0;
        for (int i = 0; i < 200; i++)
        {
            estimator.Compute(frame, out int lag);
            lags += lag;
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(lags > 0);
    }

    [Fact]
    public void Compute_all_reads_frame_i_from_160_i_minus_120_with_zeros_outside_the_signal()
    {
        var estimator = new VoicingEstimator();
        var noise = WhiteNoise(4000, seed: 5);
        var all = estimator.ComputeAll(noise, 30);
        Assert.Equal(30, all.Length);
        Assert.Equal(estimator.Compute(noise.AsSpan(160 * 10 - 120, 640)), all[10]);

        var first = new float[640];
        noise.AsSpan(0, 520).CopyTo(first.AsSpan(120));
        Assert.Equal(estimator.Compute(first), all[0]);

        var last = new float[640];
        int start = 160 * 25 - 120;
        noise.AsSpan(start).CopyTo(last);
        Assert.Equal(estimator.Compute(last), all[25]);
        Assert.Equal(0, all[29]);
    }

    [Fact]
    public void A_frame_of_the_wrong_length_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new VoicingEstimator().Compute(new float[400]));
    }

    [Fact]
    public void Invalid_options_are_all_reported_at_once()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new VoicingEstimator(new VoicingOptions { FrameSamples = 200, MaxLag = 255, TaperEpsilon = 0 }));
        Assert.Equal(2, ex.Errors.Count);
        Assert.Contains(ex.Errors, e => e.StartsWith("MinLag 40 and MaxLag 255", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("TaperEpsilon 0", StringComparison.Ordinal));
    }
}
