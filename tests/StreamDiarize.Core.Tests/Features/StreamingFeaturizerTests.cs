// Streaming equals offline on real AMI audio for any chunking, and the per-frame path allocates nothing.
using StreamDiarize.Core.Features;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Core.Tests.Features;

public class StreamingFeaturizerTests
{
    private static readonly Lazy<float[]> AmiSegment = new(() =>
    {
        var (samples, rate) = Float32Wav.Read(RepoPaths.Ami("dev00.wav"));
        Assert.Equal(16000, rate);
        // 8 s from 5 s in: speech, not the file's leading silence.
        return samples.AsSpan(5 * rate, 8 * rate).ToArray();
    });

    public static TheoryData<string, int> Variants()
    {
        var data = new TheoryData<string, int>();
        foreach (var v in new[] { "logmel-plain", "mfcc-running-dither-preemphasis", "spectrogram-50-30", "logmel-hop-longer-than-fft" })
        {
            foreach (int seed in new[] { 1, 2, 3 })
            {
                data.Add(v, seed);
            }
        }
        return data;
    }

    private static FeaturizerOptions Options(string variant) => variant switch
    {
        "logmel-plain" => new FeaturizerOptions { NormalizeSignalPeak = false, DitherAmount = 0, PreEmphasis = 0, NormalizePerFeature = FeatureNormalization.None },
        "mfcc-running-dither-preemphasis" => new FeaturizerOptions { FeatureType = FeatureType.Mfcc, NumMfcc = 20, RunningNormalizationSeconds = 1 }.AsCausal(),
        "spectrogram-50-30" => new FeaturizerOptions { FrameMs = 50, StrideMs = 30, FeatureType = FeatureType.Spectrogram }.AsCausal(),
        "logmel-hop-longer-than-fft" => new FeaturizerOptions { FrameMs = 10, StrideMs = 25 }.AsCausal(),
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Random_chunks_of_1_to_2000_samples_give_the_offline_frames(string variant, int seed)
    {
        var options = Options(variant);
        float[] audio = AmiSegment.Value;
        var offline = new SttFeaturizer(options).Compute(audio);

        var streaming = new StreamingFeaturizer(options);
        var collected = new CollectingSink(streaming.Dims);
        var rng = new Random(seed);
        int pos = 0;
        int pushed = 0;
        while (pos < audio.Length)
        {
            int n = Math.Min(rng.Next(1, 2001), audio.Length - pos);
            pushed += streaming.Push(audio.AsSpan(pos, n), collected);
            pos += n;
        }
        pushed += streaming.Flush(collected);

        Assert.Equal(offline.Frames, pushed);
        Assert.Equal(offline.Frames, collected.Rows.Count);
        for (int t = 0; t < offline.Frames; t++)
        {
            var expected = offline.Row(t);
            float[] actual = collected.Rows[t];
            for (int d = 0; d < expected.Length; d++)
            {
                Assert.True(Math.Abs(actual[d] - expected[d]) <= 1e-5 * Math.Max(1, Math.Abs(expected[d])),
                    $"frame {t} dim {d}: streaming {actual[d]}, offline {expected[d]}.");
            }
        }
    }

    [Fact]
    public void Frames_arrive_as_soon_as_their_samples_are_in_and_flush_adds_the_centred_tail()
    {
        var options = new FeaturizerOptions().AsCausal(); // 400-sample frames in 512-point FFTs, 160-sample hop
        var streaming = new StreamingFeaturizer(options);
        long lastIndex = -1;
        int count = 0;
        void OnFrame(long index, ReadOnlySpan<float> features)
        {
            Assert.Equal(lastIndex + 1, index);
            Assert.Equal(80, features.Length);
            lastIndex = index;
            count++;
        }

        // Frame t needs padded samples up to t*160 + 512, of which the first 256 are the left padding.
        Assert.Equal(0, streaming.Push(new float[255], OnFrame));
        Assert.Equal(1, streaming.Push(new float[1], OnFrame));
        Assert.Equal(1, streaming.Push(new float[160], OnFrame));
        Assert.Equal(1 + 416 / 160 - 2, streaming.Flush(OnFrame));
        Assert.Equal(1 + 416 / 160, count);
        Assert.Throws<InvalidOperationException>(() => streaming.Push(new float[1], OnFrame));

        streaming.Reset();
        Assert.Equal(0, streaming.FramesEmitted);
        lastIndex = -1;
        Assert.Equal(1, streaming.Flush(OnFrame)); // an empty stream still has its one centred frame
    }

    [Theory]
    [InlineData(25, 10)]
    [InlineData(50, 30)]
    public void Pushing_frames_allocates_nothing_after_warm_up(int frameMs, int strideMs)
    {
        var options = new FeaturizerOptions { FrameMs = frameMs, StrideMs = strideMs, FeatureType = FeatureType.Mfcc }.AsCausal();
        var streaming = new StreamingFeaturizer(options);
        var sink = new CountingSink();
        float[] audio = AmiSegment.Value;
        streaming.Push(audio.AsSpan(0, 16000), sink);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int pos = 16000; pos + 333 <= audio.Length; pos += 333)
        {
            streaming.Push(audio.AsSpan(pos, 333), sink);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(sink.Frames > 200, $"only {sink.Frames} frames were pushed");
        Assert.Equal(0, allocated);
    }

    private sealed class CollectingSink(int dims) : IFrameSink
    {
        public List<float[]> Rows { get; } = [];

        public void OnFrame(long frameIndex, ReadOnlySpan<float> features)
        {
            Assert.Equal(Rows.Count, frameIndex);
            Assert.Equal(dims, features.Length);
            Rows.Add(features.ToArray());
        }
    }

    private sealed class CountingSink : IFrameSink
    {
        public long Frames { get; private set; }

        public void OnFrame(long frameIndex, ReadOnlySpan<float> features) => Frames++;
    }
}
