// Builds live sessions from one set of settings: the default analyzer and the online diarizer, with the embedder,
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
    private readonly DefaultDiarizerOptions _stages;
    private readonly OnlineDiarizerOptions _online;

    public DefaultSessionFactory(DefaultDiarizerOptions? stages = null, OnlineDiarizerOptions? online = null)
    {
        _stages = (stages ?? new DefaultDiarizerOptions()).Validate();
        _online = (online ?? new OnlineDiarizerOptions()).Validate();
        Registry.Embedders.Add("features", _ => null);
        Registry.SpeechDetectors.Add("energy", session => OnlineDiarizer.ForSession(_stages, _online, session));
        var agglomerative = new AgglomerativeClusterer(_stages.Clustering);
        Registry.Clusterers.Add("agglomerative", _ => agglomerative);
    }

    public ComponentRegistry Registry { get; } = new();

    public DefaultDiarizerOptions Stages => _stages;

    public OnlineDiarizerOptions Online => _online;

    public SessionComponents Create(SessionOptions options)
    {
        OptionsValidationException.ThrowIfAny(options.GetValidationErrors());
        OptionsValidationException.ThrowIfAny(Registry.Problems(options));
        var clusterer = Registry.Clusterers.Create(options.Clusterer, options);
        var embedder = Registry.Embedders.Create(options.Embedder, options);
        var speech = Registry.SpeechDetectors.Create(options.SpeechDetector, options);
        try
        {
            var diarizer = new OnlineDiarizer(_stages, _online, options, embedder, speech, clusterer);
            return new SessionComponents(new DefaultFrameAnalyzer(_stages, includeSamples: diarizer.Layout.HopSamples > 0), diarizer);
        }
        catch
        {
            (speech as IDisposable)?.Dispose();
            throw;
        }
    }
}
