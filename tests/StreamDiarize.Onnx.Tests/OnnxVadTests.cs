// The Silero-v5-shaped VAD on a test model whose output reveals the carried state and the 64-sample context.
namespace StreamDiarize.Onnx.Tests;

public sealed class OnnxVadTests : IDisposable
{
    private readonly ModelFixture _models = new();

    public void Dispose() => _models.Dispose();

    private static float Expected(float[] input576, int chunksSinceReset) =>
        1f / (1f + MathF.Exp(-((TestModels.VadK * input576.Average()) + (TestModels.VadC * chunksSinceReset))));

    [Fact]
    public void State_and_context_carry_from_chunk_to_chunk_and_reset_forgets_them()
    {
        var path = _models.Write("vad.onnx", TestModels.CountingVad());
        using var vad = new OnnxVad(path, registry: _models.Registry);
        var audio = ModelFixture.Window(512 * 3, 9).Select(v => v + 0.05f).ToArray();
        Assert.Equal(64, vad.ContextSamples);

        var probabilities = new float[3];
        Assert.Equal(3, vad.ProcessChunks(audio, probabilities));

        var context = new float[64];
        for (int i = 0; i < 3; i++)
        {
            var input = context.Concat(audio.Skip(i * 512).Take(512)).ToArray();
            Assert.Equal(Expected(input, i), probabilities[i], 5);
            context = input[^64..];
        }

        vad.Reset();
        float first = vad.ProcessChunk(audio.AsSpan(0, 512));
        Assert.Equal(probabilities[0], first, 6);
    }

    [Fact]
    public void A_model_with_the_wrong_state_shape_fails_naming_expected_and_found()
    {
        var path = _models.Write("vad64.onnx", TestModels.CountingVad(stateWidth: 64));
        var ex = Assert.Throws<OnnxModelException>(() => new OnnxVad(path, registry: _models.Registry));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("'state' expected [2, 1, 128] float, found [2, 1, 64] float", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_embedding_model_is_not_taken_for_a_VAD()
    {
        var path = _models.Write("emb.onnx", TestModels.SquareMeanEmbedder());
        var ex = Assert.Throws<OnnxModelException>(() => new OnnxVad(path, registry: _models.Registry));
        Assert.Contains("no input 'input'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unexpected input 'feats'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chunk_of_the_wrong_length_is_rejected()
    {
        var path = _models.Write("vad.onnx", TestModels.CountingVad());
        using var vad = new OnnxVad(path, registry: _models.Registry);
        Assert.Throws<ArgumentException>(() => vad.ProcessChunk(new float[500]));
    }
}
