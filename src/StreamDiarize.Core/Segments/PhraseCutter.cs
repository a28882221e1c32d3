// Cuts a stream of usable-frame flags into phrase segments: runs of speech between pauses, at most a fixed length.
namespace StreamDiarize.Core.Segments;

/// <summary>
/// Frame by frame, in order: a segment opens at the first usable frame (speech that is not a bridged pause), and closes
/// at the next unusable frame or when it reaches <c>maxFrames</c>, where the next one opens at once. Offline and live
/// cut with this one state machine, so both cluster the same segments. A value type with no allocation.
/// </summary>
public struct PhraseCutter(int maxFrames)
{
    private long _start = -1;

    /// <summary>First frame of the open segment, or -1 when none is open.</summary>
    public readonly long OpenStart => _start;

    /// <summary>Takes frame <paramref name="frame"/>; true when a segment [start, end) closed before it.</summary>
    public bool Push(long frame, bool usable, out long start, out long end)
    {
        start = end = 0;
        bool closed = false;
        if (_start >= 0 && (!usable || frame - _start >= maxFrames))
        {
            start = _start;
            end = frame;
            closed = true;
            _start = -1;
        }
        if (usable && _start < 0)
        {
            _start = frame;
        }
        return closed;
    }

    /// <summary>End of stream at frame <paramref name="endFrame"/>: true when an open segment closed.</summary>
    public bool Finish(long endFrame, out long start, out long end)
    {
        start = _start;
        end = endFrame;
        bool closed = _start >= 0 && endFrame > _start;
        _start = -1;
        return closed;
    }
}
