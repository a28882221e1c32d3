// The featurizer stage's contract: samples in, fixed-hop analysis frames out, the same whatever the chunking.
using StreamDiarize.Core.Features;

namespace StreamDiarize.Core.Streaming;

/// <summary>Turns 16 kHz samples into analysis frames (features plus whatever the diarizer needs per frame).</summary>
public interface IFrameAnalyzer
{
    int Dims { get; }

    double HopSeconds { get; }

    /// <summary>Feeds samples; frames whose samples are all in are delivered to <paramref name="sink"/>.</summary>
    void Push(ReadOnlySpan<float> samples, IFrameSink sink);

    /// <summary>End of stream: delivers the trailing frames.</summary>
    void Flush(IFrameSink sink);
}
