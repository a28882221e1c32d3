// Builds the default live session: the default analyzer and the online diarizer, from one set of settings.
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Pipeline;

namespace StreamDiarize.Core.Streaming;

public sealed class DefaultSessionFactory : ISessionComponentsFactory
{
    private readonly DefaultDiarizerOptions _stages;
    private readonly OnlineDiarizerOptions _online;

    public DefaultSessionFactory(DefaultDiarizerOptions? stages = null, OnlineDiarizerOptions? online = null)
    {
        _stages = (stages ?? new DefaultDiarizerOptions()).Validate();
        _online = (online ?? new OnlineDiarizerOptions()).Validate();
    }

    public SessionComponents Create(SessionOptions options)
    {
        OptionsValidationException.ThrowIfAny(options.GetValidationErrors());
        if (options.Embedder != "features")
        {
            throw new OptionsValidationException([$"embedder '{options.Embedder}' is not available in this factory: use 'features'"]);
        }
        IFrameDiarizer diarizer = _stages.Representation == SpeakerRepresentation.Segments
            ? new SegmentOnlineDiarizer(_stages, _online, options)
            : new OnlineDiarizer(_stages, _online, options);
        return new SessionComponents(new DefaultFrameAnalyzer(_stages), diarizer);
    }
}
