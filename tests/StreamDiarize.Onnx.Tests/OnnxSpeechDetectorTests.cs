// The neural VAD as the diarizer's speech stage: chunk decisions land on the right 10 ms frames, the offline detector
// is the live one run over the whole clip, and live it commits what offline decides when it can see far enough.
using StreamDiarize.Core.Speech;
using StreamDiarize.Onnx;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Onnx.Tests;

public sealed class OnnxSpeechDetectorTests
{
    [Fact]
    public void Chunk_probabilities_become_a_frame_mask_from_the_first_chunk_the_model_calls_speech()
    {
        var dir = RepoPaths.NewTempDir();
        var model = TestModels.Write(dir, "vad.onnx", TestModels.CountingVad());
        // The test VAD gives sigmoid(4 * mean(chunk) + 0.1 * chunks so far): on a constant -0.5 signal it first
        // reaches 0.5 at chunk 20, i.e. at sample 20 * 512 = 10240, frame 64 at a 160-sample hop.
        var samples = Enumerable.Repeat(-0.5f, 16000 * 2).ToArray();
        using var detector = new OnnxSpeechDetector(model);

        var mask = detector.Detect(samples);

        Assert.Equal((samples.Length + 511) / 512, detector.Chunks);
        Assert.DoesNotContain(true, mask.IsSpeech[..60]);
        // (The mask rules place each region by frame centres, as the energy detector does: the last frame falls outside.)
        Assert.DoesNotContain(false, mask.IsSpeech[70..^1]);
        Assert.Equal(0.01, mask.HopSeconds, 9);
    }

    [Fact]
    public void A_model_that_is_not_a_vad_is_refused_naming_it()
    {
        var dir = RepoPaths.NewTempDir();
        var model = TestModels.Write(dir, "embedder.onnx", TestModels.SquareMeanEmbedder());
        var ex = Assert.Throws<OnnxModelException>(() => new OnnxSpeechDetector(model));
        Assert.Contains("embedder.onnx", ex.Message);
    }

    /// <summary>
    /// Blocks of 2 to 60 model chunks, alternately silent (0) and at -3 (which the test VAD calls non-speech for its
    /// first 120 chunks) or 0.3, so the mask has gaps and islands of every length around the rules' limits.
    /// </summary>
    private static float[] Blocks(int chunks, int seed)
    {
        var random = new Random(seed);
        var samples = new float[chunks * 512 + 200];
        bool loud = false;
        for (int c = 0; c < chunks;)
        {
            int run = Math.Min(random.Next(2, 61), chunks - c);
            samples.AsSpan(c * 512, run * 512).Fill(loud ? 0.3f : -3f);
            c += run;
            loud = !loud;
        }
        return samples;
    }

    [Fact]
    public void The_offline_mask_is_the_chunk_decisions_under_the_energy_detectors_region_rules()
    {
        var dir = RepoPaths.NewTempDir();
        var model = TestModels.Write(dir, "vad.onnx", TestModels.CountingVad());
        var samples = Blocks(110, 7);
        using var detector = new OnnxSpeechDetector(model);
        var options = new OnnxSpeechDetectorOptions();

        var mask = detector.Detect(samples).IsSpeech;

        // The reference: each model chunk's decision on the frames that start in it, then the region rules.
        using var vad = new OnnxVad(model);
        int hop = options.Mask.HopSamples;
        var expected = new bool[1 + (samples.Length - options.Mask.FrameSamples) / hop];
        var chunk = new float[512];
        for (int start = 0; start < samples.Length; start += 512)
        {
            int length = Math.Min(512, samples.Length - start);
            chunk.AsSpan().Clear();
            samples.AsSpan(start, length).CopyTo(chunk);
            bool speech = vad.ProcessChunk(chunk) >= options.Threshold;
            for (int f = (start + hop - 1) / hop; f < expected.Length && f * hop < start + 512; f++)
            {
                expected[f] = speech;
            }
        }
        EnergySpeechDetector.PostProcess(expected, [], options.Mask with { VoicingGate = false });
        Assert.Equal(expected, mask);
        Assert.Contains(true, mask);
        Assert.Contains(false, mask);
    }

    [Fact]
    public void Live_frame_by_frame_with_enough_lookahead_commits_the_offline_mask()
    {
        var dir = RepoPaths.NewTempDir();
        var model = TestModels.Write(dir, "vad.onnx", TestModels.CountingVad());
        var samples = Blocks(110, 8);
        var options = new OnnxSpeechDetectorOptions();
        using var offline = new OnnxSpeechDetector(model);
        var expected = offline.Detect(samples).IsSpeech;

        // Three seconds of lookahead, twice the gap filling: every decision is final when it is committed.
        using var live = OnnxStreamingSpeechDetector.ForSession(model, options, latencySeconds: 3);
        var committed = new bool[expected.Length];
        long seen = 0;
        int hop = options.Mask.HopSamples;
        for (int f = 0; f < expected.Length; f++)
        {
            live.Push(0, 0, samples.AsSpan(f * hop, hop));
            for (; seen < live.Committed; seen++)
            {
                committed[seen] = live.IsSpeech(seen);
            }
        }
        Assert.True(live.Committed > expected.Length - 320);
        live.AddTrailingSamples(samples.AsSpan(expected.Length * hop));
        live.Finish();
        for (; seen < expected.Length; seen++)
        {
            committed[seen] = live.IsSpeech(seen);
        }

        Assert.True(live.ReadsSamples);
        Assert.Equal(expected, committed);
    }
}
