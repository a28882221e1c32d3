// What a live session shows for the newest, not yet committed audio: the current speaker and a provisional turn.
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Streaming;

/// <summary>
/// Reads the speech detector's provisional decisions and announces <see cref="SpeakerChangeEvent"/> (a pause shorter
/// than gap filling does not end a turn) and provisional <see cref="SegmentEvent"/>s, at most one per 0.25 s of
/// growth. The speaker shown is the newest window's; final turns may later say otherwise.
/// </summary>
public sealed class LiveView(FrameHistory frames, SpeakerRoster roster, TurnEmitter turns, int gapFrames, double hopSeconds)
{
    private int? _currentSpeaker;
    private long _silenceStart = -1;
    private SpeakerSegment? _lastProvisional;

    public void Update(List<DiarizationEvent> events)
    {
        var speech = frames.Speech;
        long from = speech.Committed;
        long to = speech.ProvisionalEnd;
        long firstSpeech = -1;
        long lastSpeech = -1;
        for (long t = from; t < to; t++)
        {
            if (speech.IsSpeech(t))
            {
                if (firstSpeech < 0)
                {
                    firstSpeech = t;
                }
                lastSpeech = t;
            }
        }
        int? now = _currentSpeaker;
        if (lastSpeech >= 0 && lastSpeech >= to - 2 && roster.Count > 0)
        {
            now = roster.LatestOrFirst;
            _silenceStart = -1;
        }
        else if (_currentSpeaker is not null)
        {
            if (_silenceStart < 0)
            {
                _silenceStart = Math.Max(lastSpeech + 1, from);
            }
            if (to - _silenceStart >= gapFrames)
            {
                now = null;
            }
        }
        if (now != _currentSpeaker)
        {
            long at = now is null ? _silenceStart : (firstSpeech >= 0 ? firstSpeech : from);
            events.Add(new SpeakerChangeEvent(at * hopSeconds, Name(_currentSpeaker), Name(now)));
            _currentSpeaker = now;
        }
        if (firstSpeech >= 0 && roster.Count > 0)
        {
            long start = turns.OpenPieceReaching(from) ?? firstSpeech;
            var segment = new SpeakerSegment(start * hopSeconds, (lastSpeech + 1) * hopSeconds, SpeakerRoster.Name(roster.LatestOrFirst));
            if (_lastProvisional is not { } last || last.Speaker != segment.Speaker || segment.EndSeconds - last.EndSeconds >= 0.25 || segment.StartSeconds != last.StartSeconds)
            {
                events.Add(new SegmentEvent(segment, false));
                _lastProvisional = segment;
            }
        }
    }

    /// <summary>End of stream: the current speaker, if any, stops at <paramref name="nowSeconds"/>.</summary>
    public void End(List<DiarizationEvent> events, double nowSeconds)
    {
        if (_currentSpeaker is not null)
        {
            events.Add(new SpeakerChangeEvent(nowSeconds, Name(_currentSpeaker), null));
            _currentSpeaker = null;
        }
    }

    private static string? Name(int? speaker) => speaker is int s ? SpeakerRoster.Name(s) : null;
}
