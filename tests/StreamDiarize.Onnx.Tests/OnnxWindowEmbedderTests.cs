// The ONNX model behind Core's window-embedder seam: the embeddings are the model's, unit length; the offline
// diarizer and live sessions really use them; and a live session gives the same result however the audio was chunked.
using StreamDiarize.Audio;
using StreamDiarize.Core.Embedding;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Streaming;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Onnx.Tests;

public sealed class OnnxWindowEmbedderTests : IDisposable
{
    private readonly ModelFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private OnnxWindowEmbedder Open() =>
        OnnxWindowEmbedder.Open(_fixture.Write("emb.onnx", TestModels.SquareMeanEmbedder()), registry: _fixture.Registry);

    [Fact]
    public void Each_window_gets_the_models_own_embedding_scaled_to_unit_length()
    {
        using var windows = Open();
        var samples = ModelFixture.Window(16000 * 3, seed: 3);
        SampleRange[] ranges = [new(0, 24000), new(4000, 24000), new(24000, 24000)];
        var output = new float[ranges.Length * windows.Dimension];

        windows.EmbedWindows(samples, ranges, output);

        for (int i = 0; i < ranges.Length; i++)
        {
            var expected = windows.Embedder.Embed(samples.AsSpan(ranges[i].Start, ranges[i].Length));
            double norm = Math.Sqrt(expected.Sum(x => (double)x * x));
            var row = output.AsSpan(i * windows.Dimension, windows.Dimension);
            for (int k = 0; k < windows.Dimension; k++)
            {
                Assert.Equal(expected[k] / norm, row[k], 5);
            }
        }
        Assert.False(windows.ZScoreAcrossWindows);
    }

    [Fact]
    public void With_micro_batching_a_single_window_waits_for_the_scheduler_and_gets_the_same_embedding()
    {
        var path = _fixture.Write("emb.onnx", TestModels.SquareMeanEmbedder());
        using var direct = OnnxWindowEmbedder.Open(path, registry: _fixture.Registry);
        using var batched = OnnxWindowEmbedder.Open(path, new OnnxSettings { MicroBatch = true }, _fixture.Registry);
        var samples = ModelFixture.Window(24000, seed: 5);
        SampleRange[] one = [new(0, 24000)];
        var a = new float[direct.Dimension];
        var b = new float[batched.Dimension];

        direct.EmbedWindows(samples, one, a);
        batched.EmbedWindows(samples, one, b);

        Assert.Equal(1, batched.Scheduler!.RequestsServed);
        Assert.Equal(a, b);
    }

    [Fact]
    public void The_offline_diarizer_with_the_model_runs_it_and_finds_speakers_on_an_ami_clip()
    {
        using var windows = Open();
        var clip = AudioLoader.LoadWav(RepoPaths.Ami("trn05.wav"));

        var result = new DefaultDiarizer(windowEmbedder: windows).Diarize(clip);

        Assert.True(windows.Embedder.RunCount > 0);
        Assert.InRange(result.SpeakerCount, 1, 20);
        Assert.NotEmpty(result.Segments);
    }

    [Fact]
    public void The_offline_diarizer_with_the_model_labels_frames_again_over_its_clusters_mfcc_gaussians()
    {
        using var windows = Open();
        var clip = AudioLoader.LoadWav(RepoPaths.RealDev("dev_2spk_3min.wav"));
        var plain = new DefaultDiarizerOptions { Segments = new Core.Clustering.SegmentClusteringOptions { ResegmentPenalty = 0 } };

        var two = new SpeakerHints { ExactSpeakers = 2 };

        var with = new DefaultDiarizer(windowEmbedder: windows).Diarize(clip, two);
        var without = new DefaultDiarizer(plain, windowEmbedder: windows).Diarize(clip, two);

        // The model's two clusters, then the resegmentation of the segment representation: the turns move, the asked-for
        // count stays (the pass never goes below it).
        Assert.Equal((2, 2), (with.SpeakerCount, without.SpeakerCount));
        Assert.NotEqual(without.Segments, with.Segments);
    }

    [Fact]
    public async Task A_live_session_with_the_model_gives_the_same_final_turns_however_the_audio_is_chunked()
    {
        var path = _fixture.Write("emb.onnx", TestModels.SquareMeanEmbedder());
        using var factory = new OnnxSessionFactory(registry: _fixture.Registry);
        var session = new SessionOptions { Embedder = "onnx:" + path };
        var clip = AudioLoader.LoadWav(RepoPaths.Ami("trn05.wav"));

        var reference = await StreamingRunner.RunAsync(clip, factory, session, 160, 160);
        long runs = factory.Model(path).Embedder.RunCount;
        Assert.True(runs > 0, "the model never ran");
        Assert.NotEmpty(reference.Segments);
        foreach (int seed in new[] { 1, 2 })
        {
            var run = await StreamingRunner.RunAsync(clip, factory, session, 160, 8000, seed);
            Assert.Equal(reference.Segments, run.Segments);
        }
    }

    [Fact]
    public void A_session_naming_a_missing_model_fails_with_the_path_and_the_problem()
    {
        using var factory = new OnnxSessionFactory(registry: _fixture.Registry);
        var missing = Path.Combine(_fixture.Dir, "nope.onnx");

        var ex = Assert.Throws<OnnxModelException>(() => factory.Create(new SessionOptions { Embedder = "onnx:" + missing }));

        Assert.Contains(missing, ex.Message);
        Assert.Contains("not found", ex.Message);
    }

    [Fact]
    public void A_features_session_from_the_onnx_factory_is_the_default_one()
    {
        using var factory = new OnnxSessionFactory(registry: _fixture.Registry);

        var components = factory.Create(new SessionOptions());

        Assert.IsType(new DefaultSessionFactory().Create(new SessionOptions()).Diarizer.GetType(), components.Diarizer);
        Assert.Equal(new DefaultFrameAnalyzer(new DefaultDiarizerOptions()).Dims, components.Analyzer.Dims);
        Assert.Empty(factory.Models);
    }
}
