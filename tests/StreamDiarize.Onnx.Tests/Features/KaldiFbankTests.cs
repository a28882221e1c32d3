// KaldiFbank against an independent numpy implementation of Kaldi's compute-fbank (fixtures/make_fbank_fixture.py).
using System.Globalization;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Options;

namespace StreamDiarize.Onnx.Tests.Features;

public class KaldiFbankTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    internal static float[] FixtureInput() =>
        File.ReadAllLines(Fixture("fbank_input.txt")).Where(l => l.Length > 0).Select(l => float.Parse(l, CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    public void Features_match_the_numpy_reference_within_a_thousandth_in_the_log_domain()
    {
        var samples = FixtureInput();
        var expected = File.ReadAllLines(Fixture("fbank_expected.txt"))
            .Where(l => l.Length > 0)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();

        var fbank = new KaldiFbank();
        var features = fbank.Compute(samples);

        Assert.Equal(20, expected.Length);
        Assert.Equal(20 * 80, features.Length);
        double worst = 0;
        for (int t = 0; t < 20; t++)
        {
            for (int b = 0; b < 80; b++)
            {
                worst = Math.Max(worst, Math.Abs(features[(t * 80) + b] - expected[t][b]));
            }
        }
        Assert.True(worst < 1e-3, $"largest difference {worst}");
    }

    [Theory]
    [InlineData(399, 0)]
    [InlineData(400, 1)]
    [InlineData(559, 1)]
    [InlineData(560, 2)]
    [InlineData(16000, 98)]
    public void Frame_count_follows_snip_edges(int samples, int frames)
    {
        Assert.Equal(frames, new KaldiFbank().FrameCount(samples));
        Assert.Equal(frames * 80, new KaldiFbank().Compute(new float[samples]).Length);
    }

    [Fact]
    public void Silence_gives_the_log_floor_in_every_bin()
    {
        var features = new KaldiFbank().Compute(new float[1600]);
        Assert.All(features, v => Assert.Equal(MathF.Log(1.19209290e-07f), v, 5));
    }

    [Fact]
    public void Normalized_samples_shift_every_bin_by_the_log_of_the_int16_scale_squared()
    {
        var samples = FixtureInput();
        var scaled = new KaldiFbank().Compute(samples);
        var asIs = new KaldiFbank(new KaldiFbankOptions { NormalizeSamples = true }).Compute(samples);
        double shift = Math.Log(32768.0 * 32768.0);
        for (int i = 0; i < scaled.Length; i++)
        {
            Assert.Equal(shift, scaled[i] - asIs[i], 2);
        }
    }

    [Fact]
    public void Featurizing_allocates_nothing_once_warm()
    {
        var fbank = new KaldiFbank();
        var samples = FixtureInput();
        var output = new float[fbank.FrameCount(samples.Length) * 80];
        fbank.Compute(samples, output);

        long before = GC.GetAllocatedBytesForCurrentThread();
        fbank.Compute(samples, output);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Dither_with_a_seed_repeats_and_differs_from_no_dither()
    {
        var samples = FixtureInput();
        var options = new KaldiFbankOptions { Dither = 1f, DitherSeed = 3 };
        var a = new KaldiFbank(options).Compute(samples);
        var b = new KaldiFbank(options).Compute(samples);
        Assert.Equal(a, b);
        Assert.NotEqual(a, new KaldiFbank().Compute(samples));
    }

    [Fact]
    public void Invalid_options_report_every_error_at_once()
    {
        var ex = Assert.Throws<OptionsValidationException>(() =>
            new KaldiFbank(new KaldiFbankOptions { MelBins = 0, FrameShiftMs = -1, PreemphasisCoefficient = 2, Dither = -1 }));
        Assert.Equal(4, ex.Errors.Count);
        Assert.Contains("MelBins 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("FrameShiftMs -1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("PreemphasisCoefficient 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Dither -1", ex.Message, StringComparison.Ordinal);
    }
}
