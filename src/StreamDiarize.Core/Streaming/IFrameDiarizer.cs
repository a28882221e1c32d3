// The diarization stage's contract: analysis frames in, live events out. Pure and synchronous, so chunking cannot change it.
using StreamDiarize.Core.Events;

namespace StreamDiarize.Core.Streaming;

/// <summary>
/// Consumes frames in order and appends the events they cause to <c>events</c>. It does no I/O and keeps
/// its own time from frame indices, so the same frames give the same events however the audio arrived.
/// </summary>
public interface IFrameDiarizer
{
    void OnFrame(long frameIndex, ReadOnlySpan<float> frame, List<DiarizationEvent> events);

    /// <summary>End of stream: finalise every segment and append the closing events.</summary>
    void Complete(List<DiarizationEvent> events);

    /// <summary>
    /// Whether <see cref="OnFrame"/> may wait on work shared with other sessions (a micro-batched model). The pipeline
    /// then calls it from a thread of its own instead of a thread-pool thread.
    /// </summary>
    bool MayWait => false;
}

/// <summary>
/// A diarizer that can say which recent frames were speech it models (not a bridged pause, not silence): what a
/// stage that models a speaker from the frames of its turns should count, as enrollment does.
/// </summary>
public interface IUsableSpeech
{
    /// <summary>Whether frame <paramref name="frame"/> (committed, within the last few seconds) was speech that is not a pause.</summary>
    bool IsUsableSpeech(long frame);
}
