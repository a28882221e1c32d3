// The neural VAD as the diarizer's speech stage: chunk decisions land on the right 10 ms frames, and `file --vad` uses it.
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
}
