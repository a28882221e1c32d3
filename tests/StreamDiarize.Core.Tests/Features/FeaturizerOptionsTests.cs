// Options: seed defaults, derived sizes, and validation that reports every problem in one exception.
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Options;

namespace StreamDiarize.Core.Tests.Features;

public class FeaturizerOptionsTests
{
    [Fact]
    public void Defaults_follow_the_seed_and_derive_400_sample_frames_160_sample_hops_and_a_512_point_fft()
    {
        var o = new FeaturizerOptions();
        Assert.Equal(16000, o.SampleRateHz);
        Assert.Equal(400, o.FrameSamples);
        Assert.Equal(160, o.HopSamples);
        Assert.Equal(512, o.FftSize);
        Assert.Equal(FeatureType.LogMelSpectrogram, o.FeatureType);
        Assert.Equal(80, o.Dims);
        Assert.Equal(80, o.MfccCount);
        Assert.True(o.NormalizeSignalPeak);
        Assert.Equal(FeatureNormalization.WholeFile, o.NormalizePerFeature);
        Assert.Empty(o.GetValidationErrors());
    }

    [Fact]
    public void The_seeds_50_30_setting_uses_a_1024_point_fft_and_the_spectrogram_has_513_bins()
    {
        var o = new FeaturizerOptions { FrameMs = 50, StrideMs = 30, FeatureType = FeatureType.Spectrogram };
        Assert.Equal(800, o.FrameSamples);
        Assert.Equal(480, o.HopSamples);
        Assert.Equal(1024, o.FftSize);
        Assert.Equal(513, o.Dims);
    }

    [Fact]
    public void Validate_lists_every_error_at_once_each_with_its_allowed_range()
    {
        var bad = new FeaturizerOptions
        {
            SampleRateHz = 0,
            FrameMs = -5,
            StrideMs = 0,
            Nfft = 300,
            NumFeatureBins = 0,
            NumMfcc = 5,
            LogFloor = 0,
            DitherAmount = -1,
            PreEmphasis = 1.5,
            NormalizePerFeature = (FeatureNormalization)42,
            FeatureType = (FeatureType)7,
            NormalizationEpsilon = double.NaN,
            RunningNormalizationSeconds = 0,
        };

        var ex = Assert.Throws<OptionsValidationException>(() => bad.Validate());

        string[] named =
        [
            "SampleRateHz", "FrameMs", "StrideMs", "Nfft", "NumFeatureBins", "NumMfcc", "LogFloor", "DitherAmount",
            "PreEmphasis", "NormalizePerFeature", "FeatureType", "NormalizationEpsilon", "RunningNormalizationSeconds",
        ];
        Assert.Equal(named.Length, ex.Errors.Count);
        foreach (var name in named)
        {
            Assert.Contains(ex.Errors, e => e.StartsWith(name + " ", StringComparison.Ordinal) && e.Contains("invalid: ", StringComparison.Ordinal));
            Assert.Contains(name, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_fft_shorter_than_the_frame_is_rejected_with_the_smallest_size_that_fits()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new FeaturizerOptions { Nfft = 256 }.Validate());
        var error = Assert.Single(ex.Errors);
        Assert.Contains("at least 400", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Streaming_rejects_whole_signal_steps_and_AsCausal_swaps_them_for_their_causal_forms()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new StreamingFeaturizer(new FeaturizerOptions()));
        Assert.Equal(2, ex.Errors.Count);
        Assert.Contains(ex.Errors, e => e.Contains("NormalizeSignalPeak", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("WholeFile", StringComparison.Ordinal));

        var causal = new FeaturizerOptions().AsCausal();
        Assert.True(causal.IsCausal);
        Assert.Equal(FeatureNormalization.Running, causal.NormalizePerFeature);
        _ = new StreamingFeaturizer(causal);
    }

    [Fact]
    public void Audio_recorded_below_the_features_rate_gets_mel_filters_that_end_below_its_nyquist_frequency()
    {
        // Round 15: 8 kHz audio resampled to 16 kHz has nothing above 4 kHz; filters there cost the count.
        var options = new FeaturizerOptions { FeatureType = FeatureType.Mfcc, NumMfcc = 20 };
        Assert.Equal(3900, options.ForSourceRate(8000).MelMaxHz);
        Assert.Equal(0.975 * 11025 / 2, options.ForSourceRate(11025).MelMaxHz!.Value, 6);
        Assert.Same(options, options.ForSourceRate(16000));
        Assert.Same(options, options.ForSourceRate(48000));
        Assert.Same(options, options.ForSourceRate(null));

        var full = FeatureBank.For(options);
        var narrow = FeatureBank.For(options.ForSourceRate(8000));
        Assert.Equal(8000, full.MelMaxHz);
        Assert.Equal(3900, narrow.MelMaxHz);
        // The last filter's last nonzero bin lies at or below 3,900 Hz (512-point FFT at 16 kHz: 31.25 Hz a bin).
        int top = narrow.NumMels - 1;
        double lastHz = (narrow.MelStartBin(top) + narrow.MelWeights(top).Length - 1) * 16000.0 / narrow.FftSize;
        Assert.InRange(lastHz, 3500, 3900);
        double fullLastHz = (full.MelStartBin(top) + full.MelWeights(top).Length - 1) * 16000.0 / full.FftSize;
        Assert.True(fullLastHz > 7000, $"the full bank ends at {fullLastHz} Hz");

        var ex = Assert.Throws<OptionsValidationException>(() => (options with { MelMaxHz = 9000 }).Validate());
        Assert.Contains("MelMaxHz 9000 is invalid", ex.Message);
    }
}
