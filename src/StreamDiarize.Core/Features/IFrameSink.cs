// Where a streaming featurizer delivers frames: a span per frame, valid only during the call, so nothing is allocated.
namespace StreamDiarize.Core.Features;

/// <summary>Receives feature vectors in frame order. <paramref name="features"/> is reused after the call returns: copy what you keep.</summary>
public interface IFrameSink
{
    void OnFrame(long frameIndex, ReadOnlySpan<float> features);
}

/// <summary>The delegate form of <see cref="IFrameSink.OnFrame"/>.</summary>
public delegate void FrameCallback(long frameIndex, ReadOnlySpan<float> features);
