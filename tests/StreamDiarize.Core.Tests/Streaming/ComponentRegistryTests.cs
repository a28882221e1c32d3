// Components chosen by name through one registry: one parser, one error message, and a custom clusterer or speech
// detector plugged into a real session without touching the diarizer.
using StreamDiarize.Audio;
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Speech;
using StreamDiarize.Core.Streaming;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Core.Tests.Streaming;

public class ComponentRegistryTests
{
    [Theory]
    [InlineData("features", "features", null)]
    [InlineData("onnx:/m/a.onnx", "onnx", "/m/a.onnx")]
    [InlineData("onnx:C:\\m\\a.onnx", "onnx", "C:\\m\\a.onnx")]
    [InlineData(" energy ", "energy", null)]
    public void A_choice_is_a_kind_and_an_optional_argument(string text, string kind, string? argument)
    {
        Assert.Equal(new ComponentSpec(kind, argument), ComponentSpec.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData(":x")]
    public void A_choice_without_a_kind_does_not_parse(string text)
    {
        Assert.Null(ComponentSpec.Parse(text));
        Assert.Contains("vad '" + text + "' is invalid", Assert.Single(new SessionOptions { SpeechDetector = text }.GetValidationErrors()));
    }

    [Fact]
    public void Every_wrong_choice_gets_the_one_message_listing_the_kinds()
    {
        var factory = new DefaultSessionFactory();
        factory.Registry.SpeechDetectors.Add("onnx", "PATH", (_, _) => throw new InvalidOperationException("not made in this test"));

        Assert.Null(factory.Registry.SpeechDetectors.Problem("onnx:/models/vad.onnx"));
        foreach (var wrong in new[] { "magic", "onnx", "onnx:", "energy:loud" })
        {
            Assert.Equal($"vad '{wrong}' is invalid: use 'energy' or 'onnx:PATH'", factory.Registry.SpeechDetectors.Problem(wrong));
        }
        var ex = Assert.Throws<OptionsValidationException>(() => factory.Create(new SessionOptions { Embedder = "magic", Clusterer = "kmeans" }));
        Assert.Equal(["embedder 'magic' is invalid: use 'features'", "clusterer 'kmeans' is invalid: use 'agglomerative'"], ex.Errors);
    }

    [Fact]
    public void A_custom_clusterer_plugged_in_by_name_decides_the_speakers_of_a_real_session()
    {
        var clip = AudioLoader.LoadWav(RepoPaths.Ami("trn07.wav"));
        // Without recursive splitting, which would look for voices inside the one cluster. The baseline is the window
        // diarizer with its built-in clusterer, the path a custom clusterer takes (the segment diarizer takes none).
        var factory = new DefaultSessionFactory(
            new DefaultDiarizerOptions { Representation = SpeakerRepresentation.Windows },
            new OnlineDiarizerOptions { RecursiveSplitting = false });
        var one = new OneCluster();
        factory.Registry.Clusterers.Add("one", _ => one);

        var usual = LiveRun.Of(clip, factory.Create(new SessionOptions()));
        var custom = LiveRun.Of(clip, factory.Create(new SessionOptions { Clusterer = "one" }));

        Assert.Equal(2, usual.Segments.Select(s => s.Speaker).Distinct().Count());
        Assert.True(one.Calls > 0);
        // Every re-clustering folds all speakers into one, and so do the final turns.
        Assert.Single(custom.Segments.Select(s => s.Speaker).Distinct());
        // The same speech; pauses between two speakers are dropped only where there are two.
        Assert.True(custom.Segments.Sum(s => s.DurationSeconds) >= usual.Segments.Sum(s => s.DurationSeconds) - 1e-6);
    }

    [Fact]
    public void A_custom_speech_detector_plugged_in_by_name_decides_what_is_speech()
    {
        var clip = AudioLoader.LoadWav(RepoPaths.Ami("dev00.wav"));
        var factory = new DefaultSessionFactory();
        factory.Registry.SpeechDetectors.Add("everything", session => new EverythingIsSpeech((int)Math.Round(session.LatencySeconds / 0.01)));

        var run = LiveRun.Of(clip, factory.Create(new SessionOptions { SpeechDetector = "everything" }));

        // The energy detector finds silences in this meeting; this one finds none.
        Assert.InRange(run.Segments.Sum(s => s.DurationSeconds), clip.DurationSeconds - 0.1, clip.DurationSeconds + 0.1);
        Assert.Equal(0, run.Segments[0].StartSeconds);
    }

    [Fact]
    public void The_segment_diarizer_serves_the_built_in_stages_and_the_window_diarizer_any_other_choice()
    {
        var segments = new DefaultSessionFactory();
        segments.Registry.Clusterers.Add("one", _ => new OneCluster());
        segments.Registry.SpeechDetectors.Add("everything", session => new EverythingIsSpeech(100));
        var windows = new DefaultSessionFactory(new DefaultDiarizerOptions { Representation = SpeakerRepresentation.Windows });

        Assert.IsType<SegmentOnlineDiarizer>(segments.Create(new SessionOptions()).Diarizer);
        Assert.IsType<OnlineDiarizer>(segments.Create(new SessionOptions { Clusterer = "one" }).Diarizer);
        Assert.IsType<OnlineDiarizer>(segments.Create(new SessionOptions { SpeechDetector = "everything" }).Diarizer);
        Assert.IsType<OnlineDiarizer>(windows.Create(new SessionOptions()).Diarizer);
    }

    private sealed class OneCluster : IWeightedClusterer
    {
        public int Calls { get; private set; }

        public int[] ClusterWeighted(ReadOnlySpan<double> points, ReadOnlySpan<double> weights, int dims, int min, int max, RowSimilarity similarity = RowSimilarity.Cosine)
        {
            Calls++;
            return new int[weights.Length];
        }
    }

    private sealed class EverythingIsSpeech(int lookahead) : IStreamingSpeechDetector
    {
        private bool _finished;

        public bool ReadsSamples => false;

        public long Committed => _finished ? ProvisionalEnd : Math.Max(0, ProvisionalEnd - lookahead);

        public long ProvisionalEnd { get; private set; }

        public void Push(double energyDb, double voicing, ReadOnlySpan<float> hopSamples) => ProvisionalEnd++;

        public void Finish() => _finished = true;

        public bool IsSpeech(long frame) => true;

        public bool IsPause(long frame) => false;
    }
}
