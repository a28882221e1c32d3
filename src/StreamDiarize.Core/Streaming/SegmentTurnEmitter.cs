// Turns from labelled frames, in order: final Segment events in pieces, live-view changes, speakers added and merged.
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Streaming;

/// <summary>
/// Takes final frames in order, each labelled with a speaker, as a bridged pause, or as silence. A pause takes the
/// speaker of the turn it sits in when the same speaker goes on after it, else it becomes silence (as offline,
/// <see cref="Pipeline.DefaultDiarizer.DropPausesBetweenSpeakers"/>). An ongoing turn is reported as final pieces at
/// least every <c>pieceSeconds</c>; the ledger joins them. Allocates only the events it emits.
/// </summary>
internal sealed class SegmentTurnEmitter(double hopSeconds, double pieceSeconds, double rememberSeconds = 0)
{
    private readonly long _pieceFrames = Math.Max(1, (long)Math.Round(pieceSeconds / hopSeconds));

    // The final speaker of each of the last rememberSeconds of frames (-1: silence or not final), kept through Relabel
    // and Merge, so a caller can ask whether a speaker holds final speech in a recent span. Allocated once.
    private readonly int[] _finalRing = new int[Math.Max(1, (int)Math.Ceiling(rememberSeconds / hopSeconds))];
    private long _finalWritten;
    private readonly HashSet<int> _speakersWithSpeech = [];
    private int _label = -1;
    private long _pieceStart = -1;
    private long _end = -1;
    private long _pauseStart = -1;
    private int? _current;
    private long _speechFrames;
    private int _segments;

    public bool HasSpeech(int speaker) => _speakersWithSpeech.Contains(speaker);

    /// <summary>
    /// Whether <paramref name="speaker"/> holds final speech in frames [start, end), Relabel and Merge applied. Frames
    /// older than the remembered span, or not final yet, count as held (not known to be free).
    /// </summary>
    public bool HoldsFinalSpeech(int speaker, long start, long end)
    {
        if (start < _finalWritten - _finalRing.Length || end > _finalWritten)
        {
            return true;
        }
        for (long f = start; f < end; f++)
        {
            if (_finalRing[f % _finalRing.Length] == speaker)
            {
                return true;
            }
        }
        return false;
    }

    private int[] _counts = new int[8];

    /// <summary>
    /// The speaker holding most final frames in [start, end) of the remembered span; <paramref name="fallback"/> when none
    /// does. Allocates only when a new speaker id outgrows its counters.
    /// </summary>
    public int MostFinal(long start, long end, int fallback)
    {
        Array.Clear(_counts);
        int best = fallback, most = 0;
        for (long f = RememberedFrom(start), last = Math.Min(end, _finalWritten); f < last; f++)
        {
            int l = _finalRing[f % _finalRing.Length];
            if (l < 0)
            {
                continue;
            }
            if (l >= _counts.Length)
            {
                Array.Resize(ref _counts, Math.Max(l + 1, 2 * _counts.Length));
            }
            if (++_counts[l] > most)
            {
                most = _counts[l];
                best = l;
            }
        }
        return best;
    }

    /// <summary>Frames in [start, end) of the remembered span whose final speaker is neither <paramref name="speaker"/> nor none.</summary>
    public long OthersFinalFrames(int speaker, long start, long end)
    {
        long n = 0;
        for (long f = RememberedFrom(start), last = Math.Min(end, _finalWritten); f < last; f++)
        {
            int l = _finalRing[f % _finalRing.Length];
            if (l >= 0 && l != speaker)
            {
                n++;
            }
        }
        return n;
    }

    /// <summary>The first frame from <paramref name="start"/> on that the remembered span still holds.</summary>
    private long RememberedFrom(long start) => Math.Max(Math.Max(start, 0), _finalWritten - _finalRing.Length);

    /// <summary>Frames [start, end) of the remembered span that are <paramref name="from"/>'s become <paramref name="to"/>'s.</summary>
    private void RenameFinal(long start, long end, int from, int to)
    {
        for (long f = RememberedFrom(start), last = Math.Min(end, _finalWritten); f < last; f++)
        {
            int slot = (int)(f % _finalRing.Length);
            if (_finalRing[slot] == from)
            {
                _finalRing[slot] = to;
            }
        }
    }

    public void AddSpeaker(int speaker, long frame, List<DiarizationEvent> events) =>
        events.Add(new SpeakerAddedEvent(frame * hopSeconds, Name(speaker)));

    /// <summary>Frames [start, end) are speech of <paramref name="speaker"/>.</summary>
    public void Label(long start, long end, int speaker, List<DiarizationEvent> events)
    {
        if (_pauseStart >= 0)
        {
            // The same speaker goes on: the pause is part of the turn. Another speaker: it was silence.
            if (speaker == _label)
            {
                _end = start;
            }
            else
            {
                CloseTurn(events);
            }
            _pauseStart = -1;
        }
        if (_label != speaker || _end != start)
        {
            CloseTurn(events);
            _label = speaker;
            _pieceStart = start;
            if (_current != speaker)
            {
                events.Add(new SpeakerChangeEvent(start * hopSeconds, _current is { } c ? Name(c) : null, Name(speaker)));
                _current = speaker;
            }
        }
        _end = end;
        if (_end - _pieceStart >= _pieceFrames)
        {
            EmitPiece(events);
        }
    }

    /// <summary>Frame <paramref name="frame"/> is a bridged pause (held until the next speech decides it) or silence.</summary>
    public void Gap(long frame, bool pause, List<DiarizationEvent> events)
    {
        if (pause && _label >= 0 && _end >= 0 && (_pauseStart >= 0 || _end == frame))
        {
            if (_pauseStart < 0)
            {
                _pauseStart = frame;
            }
            return;
        }
        // A held pause followed by silence was silence: the speaker stopped where the pause began.
        long stoppedAt = _pauseStart >= 0 ? _pauseStart : frame;
        _pauseStart = -1;
        CloseTurn(events);
        if (!pause && _current is { } c)
        {
            events.Add(new SpeakerChangeEvent(stoppedAt * hopSeconds, Name(c), null));
            _current = null;
        }
    }

    /// <summary>Final speech in [start, end) of <paramref name="from"/> is now <paramref name="to"/>'s (frames).</summary>
    public void Relabel(long start, long end, int from, int to, long frame, List<DiarizationEvent> events)
    {
        if (from == to)
        {
            return;
        }
        if (_label == from && _end > start)
        {
            // The open piece holds part of the range: report it first, so the relabel covers final speech only.
            EmitPiece(events);
        }
        events.Add(new RelabelEvent(frame * hopSeconds, start * hopSeconds, end * hopSeconds, Name(from), Name(to)));
        RenameFinal(start, end, from, to);
        _speakersWithSpeech.Add(to);
    }

    /// <summary>Every past turn of <paramref name="from"/> is now <paramref name="into"/>'s.</summary>
    public void Merge(int from, int into, long frame, List<DiarizationEvent> events)
    {
        events.Add(new MergeEvent(frame * hopSeconds, Name(from), Name(into)));
        RenameFinal(_finalWritten - _finalRing.Length, _finalWritten, from, into);
        _speakersWithSpeech.Remove(from);
        if (_label == from)
        {
            EmitPiece(events);
            _label = into;
        }
        if (_current == from)
        {
            _current = into;
        }
    }

    public void Complete(long frames, List<DiarizationEvent> events)
    {
        long stoppedAt = _pauseStart >= 0 ? _pauseStart : frames;
        _pauseStart = -1;
        CloseTurn(events);
        if (_current is { } c)
        {
            events.Add(new SpeakerChangeEvent(stoppedAt * hopSeconds, Name(c), null));
            _current = null;
        }
        events.Add(new SessionEndedEvent(frames * hopSeconds, _speakersWithSpeech.Count, _speechFrames * hopSeconds, _segments));
    }

    private void CloseTurn(List<DiarizationEvent> events)
    {
        if (_label >= 0)
        {
            EmitPiece(events);
        }
        _label = -1;
        _end = -1;
    }

    private void EmitPiece(List<DiarizationEvent> events)
    {
        if (_end <= _pieceStart || _label < 0)
        {
            return;
        }
        events.Add(new SegmentEvent(new SpeakerSegment(_pieceStart * hopSeconds, _end * hopSeconds, Name(_label)), IsFinal: true));
        for (long f = Math.Max(_finalWritten, _end - _finalRing.Length); f < _end; f++)
        {
            _finalRing[f % _finalRing.Length] = f >= _pieceStart ? _label : -1;
        }
        _finalWritten = Math.Max(_finalWritten, _end);
        _speakersWithSpeech.Add(_label);
        _speechFrames += _end - _pieceStart;
        _segments++;
        _pieceStart = _end;
    }

    private static string Name(int speaker) => "S" + speaker.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
