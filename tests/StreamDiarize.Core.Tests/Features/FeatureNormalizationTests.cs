// Per-band normalisation: whole-file statistics offline, and the documented causal running form for streams.
using StreamDiarize.Core.Features;

namespace StreamDiarize.Core.Tests.Features;

public class FeatureNormalizationTests
{
    private static readonly FeaturizerOptions Raw = new()
    {
        NormalizeSignalPeak = false,
        DitherAmount = 0,
        PreEmphasis = 0,
        NormalizePerFeature = FeatureNormalization.None,
        NumFeatureBins = 40,
    };

    private static float[] Signal()
    {
        var rng = new Random(7);
        var y = new float[16000];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = (float)(0.3 * Math.Sin(2 * Math.PI * (300 + i / 20.0) * i / 16000) + 0.05 * (rng.NextDouble() - 0.5));
        }
        return y;
    }

    [Fact]
    public void Running_normalisation_uses_cumulative_mean_and_population_std_within_its_window()
    {
        float[] y = Signal();
        var raw = new SttFeaturizer(Raw).Compute(y);
        // 0.5 s at a 10 ms hop = 50 frames of cumulative statistics before the EMA takes over.
        var running = new SttFeaturizer(Raw with { NormalizePerFeature = FeatureNormalization.Running, RunningNormalizationSeconds = 0.5 }).Compute(y);

        foreach (int t in new[] { 0, 1, 10, 49 })
        {
            for (int d = 0; d < raw.Dims; d++)
            {
                double mean = 0;
                for (int s = 0; s <= t; s++)
                {
                    mean += raw[s, d];
                }
                mean /= t + 1;
                double variance = 0;
                for (int s = 0; s <= t; s++)
                {
                    variance += (raw[s, d] - mean) * (raw[s, d] - mean);
                }
                double expected = (raw[t, d] - mean) / (Math.Sqrt(variance / (t + 1)) + Raw.NormalizationEpsilon);
                Assert.Equal(expected, running[t, d], 1e-3);
            }
        }
    }

    [Fact]
    public void Whole_file_normalisation_leaves_every_band_with_zero_mean_and_unit_std()
    {
        var m = new SttFeaturizer(Raw with { NormalizePerFeature = FeatureNormalization.WholeFile }).Compute(Signal());
        for (int d = 0; d < m.Dims; d++)
        {
            double mean = 0, squares = 0;
            for (int t = 0; t < m.Frames; t++)
            {
                mean += m[t, d];
            }
            mean /= m.Frames;
            for (int t = 0; t < m.Frames; t++)
            {
                squares += (m[t, d] - mean) * (m[t, d] - mean);
            }
            Assert.Equal(0, mean, 1e-4);
            Assert.Equal(1, Math.Sqrt(squares / m.Frames), 1e-4);
        }
    }

    [Fact]
    public void Dither_is_seeded_so_the_same_seed_repeats_and_another_seed_differs()
    {
        float[] y = Signal();
        var options = Raw with { DitherAmount = 1e-3 };
        var a = new SttFeaturizer(options).Compute(y);
        var b = new SttFeaturizer(options).Compute(y);
        var c = new SttFeaturizer(options with { DitherSeed = options.DitherSeed + 1 }).Compute(y);
        Assert.Equal(a.Data, b.Data);
        Assert.NotEqual(a.Data, c.Data);
    }

    [Fact]
    public void Featurizers_with_equal_framing_share_one_feature_bank()
    {
        var a = FeatureBank.For(new FeaturizerOptions());
        var b = FeatureBank.For(new FeaturizerOptions().AsCausal() with { DitherAmount = 0 });
        var c = FeatureBank.For(new FeaturizerOptions { NumFeatureBins = 40 });
        Assert.Same(a, b);
        Assert.NotSame(a, c);
    }
}
