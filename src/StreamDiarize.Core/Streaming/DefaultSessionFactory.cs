// Builds live sessions from one set of settings: the default analyzer and a live diarizer, with the embedder,
// speech detector and clusterer each session names, as the component registry makes them.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Pipeline;

namespace StreamDiarize.Core.Streaming;

/// <summary>
/// Registers the built-in kinds: embedder <c>features</c> (MFCC statistics), vad <c>energy</c>, clusterer
/// <c>agglomerative</c>. Add more through <see cref="Registry"/>; a session names them in its
/// <see cref="SessionOptions"/>.
/// </summary>
public sealed class DefaultSessionFactory : ISessionComponentsFactory, IComponentChoices
{
    public const string BuiltInEmbedder = "features";
    public const string BuiltInSpeechDetector = "energy";
    public const string BuiltInClusterer = "agglomerative";

    private readonly DefaultDiarizerOptions _stages;
    private readonly OnlineDiarizerOptions _online;

    public DefaultSessionFactory(DefaultDiarizerOptions? stages = null, OnlineDiarizerOptions? online = null)
    {
        _stages = (stages ?? new DefaultDiarizerOptions()).Validate();
        _online = (online ?? new OnlineDiarizerOptions()).Validate();
        Registry.Embedders.Add(BuiltInEmbedder, _ => null);
        Registry.SpeechDetectors.Add(BuiltInSpeechDetector, session => OnlineDiarizer.ForSession(_stages, _online, session));
        var agglomerative = new AgglomerativeClusterer(_stages.Clustering);
        Registry.Clusterers.Add(BuiltInClusterer, _ => agglomerative);
    }

    public ComponentRegistry Registry { get; } = new();

    public DefaultDiarizerOptions Stages => _stages;

    public OnlineDiarizerOptions Online => _online;

    public SessionComponents Create(SessionOptions options)
    {
        var components = CreateDiarizer(options);
        bool naming = options.KnownSpeakers.Count > 0;
        double seconds = Math.Max(options.VoiceHistorySeconds, naming ? Speakers.LiveSpeakerNamer.HistorySeconds : 0);
        if (seconds <= 0 || components.Analyzer is not DefaultFrameAnalyzer analyzer)
        {
            return components;
        }
        // Naming and enrolling from the session read the frames' MFCCs and the final turns, so they run after either
        // live diarizer; one history serves both, filled by the outermost stage.
        var history = new Speakers.VoiceFrameHistory(seconds, analyzer.HopSeconds, analyzer.Layout, _stages.Segments, _stages.Speech.SampleRateHz);
        var diarizer = naming ? new Speakers.LiveSpeakerNamer(components.Diarizer, history, _stages.Segments, options.KnownSpeakers) : components.Diarizer;
        return components with
        {
            Diarizer = new Speakers.VoiceHistoryRecorder(diarizer, history),
            Voices = options.VoiceHistorySeconds > 0 ? history : null,
        };
    }

    private SessionComponents CreateDiarizer(SessionOptions options)
    {
        OptionsValidationException.ThrowIfAny(options.GetValidationErrors());
        OptionsValidationException.ThrowIfAny(Registry.Problems(options));
        // The segment diarizer has its own streaming speech detector and clusterer and takes no injected ones yet,
        // so it serves only sessions that ask for the built-in three; any other choice (an ONNX embedder or VAD,
        // a registered clusterer) runs on the window diarizer, which takes them.
        // Audio recorded below the features' rate: mel filters that end below its Nyquist frequency, as offline.
        var stages = _stages.ForSourceRate(options.SourceSampleRateHz);
        if (stages.Representation == SpeakerRepresentation.Segments && UsesBuiltIns(options))
        {
            return new SessionComponents(new DefaultFrameAnalyzer(stages), new SegmentOnlineDiarizer(stages, _online, options));
        }
        var clusterer = Registry.Clusterers.Create(options.Clusterer, options);
        var embedder = Registry.Embedders.Create(options.Embedder, options);
        var speech = Registry.SpeechDetectors.Create(options.SpeechDetector, options);
        try
        {
            var diarizer = new OnlineDiarizer(stages, _online, options, embedder, speech, clusterer);
            return new SessionComponents(new DefaultFrameAnalyzer(stages, includeSamples: diarizer.Layout.HopSamples > 0), diarizer);
        }
        catch
        {
            (speech as IDisposable)?.Dispose();
            throw;
        }
    }

    private static bool UsesBuiltIns(SessionOptions options) =>
        options.Embedder.Trim() == BuiltInEmbedder
        && options.SpeechDetector.Trim() == BuiltInSpeechDetector
        && options.Clusterer.Trim() == BuiltInClusterer;
}
