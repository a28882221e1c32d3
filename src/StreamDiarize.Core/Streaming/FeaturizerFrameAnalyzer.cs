// Adapts the streaming featurizer to the pipeline's analyzer contract.
using StreamDiarize.Core.Features;

namespace StreamDiarize.Core.Streaming;

public sealed class FeaturizerFrameAnalyzer(StreamingFeaturizer featurizer) : IFrameAnalyzer
{
    public int Dims => featurizer.Dims;

    public double HopSeconds => featurizer.HopSeconds;

    public void Push(ReadOnlySpan<float> samples, IFrameSink sink) => featurizer.Push(samples, sink);

    public void Flush(IFrameSink sink) => featurizer.Flush(sink);
}
