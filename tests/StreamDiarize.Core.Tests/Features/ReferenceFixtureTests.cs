// Compares SttFeaturizer with numpy/scipy references (fixtures/make_fixtures.py) for 25/10 and 50/30 ms framing.
using System.Text.Json;
using StreamDiarize.Core.Features;

namespace StreamDiarize.Core.Tests.Features;

public class ReferenceFixtureTests
{
    private static readonly Lazy<JsonDocument> Fixture = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Features", "fixtures", "stt_features.json"))));

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var c in new[] { "plain_25_10", "plain_50_30", "processed_25_10", "processed_50_30" })
        {
            foreach (var f in new[] { "spectrogram", "log_mel", "mfcc" })
            {
                data.Add(c, f);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Features_match_the_numpy_reference(string caseName, string feature)
    {
        var root = Fixture.Value.RootElement;
        float[] signal = root.GetProperty("signal").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        var c = root.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == caseName);
        bool processed = c.GetProperty("whole_file_normalization").GetBoolean();
        var options = new FeaturizerOptions
        {
            SampleRateHz = root.GetProperty("sample_rate_hz").GetInt32(),
            FrameMs = c.GetProperty("frame_ms").GetInt32(),
            StrideMs = c.GetProperty("stride_ms").GetInt32(),
            NumFeatureBins = c.GetProperty("num_mels").GetInt32(),
            NumMfcc = c.GetProperty("num_mfcc").GetInt32(),
            FeatureType = feature switch
            {
                "spectrogram" => FeatureType.Spectrogram,
                "mfcc" => FeatureType.Mfcc,
                _ => FeatureType.LogMelSpectrogram,
            },
            PreEmphasis = c.GetProperty("pre_emphasis").GetDouble(),
            NormalizeSignalPeak = c.GetProperty("normalize_signal_peak").GetBoolean(),
            NormalizePerFeature = processed ? FeatureNormalization.WholeFile : FeatureNormalization.None,
            LogFloor = c.GetProperty("log_floor").GetDouble(),
            NormalizationEpsilon = c.GetProperty("normalization_epsilon").GetDouble(),
            DitherAmount = 0,
        };
        Assert.Equal(c.GetProperty("nfft").GetInt32(), options.FftSize);

        var m = new SttFeaturizer(options).Compute(signal);

        Assert.Equal(c.GetProperty("frames_total").GetInt32(), m.Frames);
        int[] frames = c.GetProperty("frame_indices").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var expectedRows = c.GetProperty(feature).EnumerateArray().ToArray();
        for (int r = 0; r < frames.Length; r++)
        {
            double[] expected = expectedRows[r].EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var actual = m.Row(frames[r]);
            Assert.Equal(expected.Length, actual.Length);
            // Power spans many decades: compare relative to the value, with a floor relative to the frame's peak.
            double scale = feature == "spectrogram" && !processed ? expected.Max(Math.Abs) : 1.0;
            for (int d = 0; d < expected.Length; d++)
            {
                double tolerance = 1e-4 * Math.Abs(expected[d]) + 1e-4 * (feature == "spectrogram" && !processed ? 1e-5 * scale : 1.0);
                Assert.True(Math.Abs(actual[d] - expected[d]) <= tolerance,
                    $"{caseName} {feature} frame {frames[r]} dim {d}: got {actual[d]}, expected {expected[d]}.");
            }
        }
    }
}
