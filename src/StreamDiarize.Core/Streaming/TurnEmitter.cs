// Committed speech frames become final turns: each takes the speaker of its nearest window; pauses and relabels handled.
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Streaming;

/// <summary>
/// Labels committed frames with the rules the offline path uses (<see cref="FrameLabelRules"/>): nearest window
/// centre, and a bridged pause kept only inside one speaker's turn, held until the frame after it is labelled. Final
/// turns leave in pieces of at least <see cref="OnlineDiarizerOptions.FinalPieceSeconds"/>. It remembers them as
/// runs of frames labelled from one window, so when re-clustering gives a window another speaker the turns it
/// labelled are announced with <see cref="RelabelEvent"/> (unless a <see cref="MergeEvent"/> already said so).
/// </summary>
public sealed class TurnEmitter
{
    private readonly FrameHistory _frames;
    private readonly WindowMemory _memory;
    private readonly SpeakerRoster _roster;
    private readonly bool _dropPauses;
    private readonly int _gapFrames;
    private readonly int _pieceFrames;
    private readonly double _hop;

    // Final turns inside the horizon, as runs of frames labelled from one window.
    private readonly List<Run> _runs = [];
    private OpenTurn? _open;
    private long _pauseStart = -1;

    /// <param name="dropPauses">Whether a bridged pause between two speakers becomes silence (<see cref="Pipeline.DefaultDiarizerOptions.DropPausesBetweenSpeakers"/>).</param>
    /// <param name="gapFrames">The speech detector's gap filling: a pause further than this from the last run has no speaker before it.</param>
    /// <param name="pieceFrames">An open turn leaves as a final piece once it is this long.</param>
    public TurnEmitter(FrameHistory frames, WindowMemory memory, SpeakerRoster roster, bool dropPauses, int gapFrames, int pieceFrames, double hopSeconds)
    {
        _frames = frames;
        _memory = memory;
        _roster = roster;
        _dropPauses = dropPauses;
        _gapFrames = gapFrames;
        _pieceFrames = pieceFrames;
        _hop = hopSeconds;
    }

    /// <summary>Frames [0, Labelled) have their final label.</summary>
    public long Labelled { get; private set; }

    public double SpeechSeconds { get; private set; }

    public int FinalSegments { get; private set; }

    /// <summary>Where the open turn's unsent piece starts, when the turn reaches <paramref name="frame"/>; else null.</summary>
    public long? OpenPieceReaching(long frame) => _open is { } open && open.End == frame ? open.PieceStart : null;

    /// <summary>Labels the frames up to <paramref name="committed"/>; a speaker made for speech before any window is announced at <paramref name="nowSeconds"/>.</summary>
    public void Label(long committed, List<DiarizationEvent> events, double nowSeconds)
    {
        int w = _memory.SearchStart(Labelled);
        for (long t = Labelled; t < committed; t++)
        {
            bool speech = _frames.IsSpeech(t);
            if (speech && _dropPauses && _frames.IsPause(t))
            {
                // A bridged pause waits for the frame after it, which says whether one speaker talks on both sides.
                // What came before it leaves now, so only the pause itself is late (at most the lookahead).
                if (_pauseStart < 0)
                {
                    _pauseStart = t;
                    SendOpenPiece(events);
                }
                continue;
            }
            int speaker = -1;
            long windowIndex = -1;
            if (speech && _memory.Count == 0)
            {
                speaker = _roster.Count == 0 ? _roster.Add(events, nowSeconds) : 0;
            }
            else if (speech)
            {
                w = FrameLabelRules.NearestWindow(_memory, w, t);
                speaker = _memory.SpeakerOf(_memory.Windows[w]);
                windowIndex = _memory.Base + w;
            }
            if (_pauseStart >= 0)
            {
                ResolvePause(t, speaker, events);
            }
            if (!speech)
            {
                Close(events);
                continue;
            }
            AppendFinalFrame(t, speaker, windowIndex, events);
        }
        Labelled = Math.Max(Labelled, committed);
        if (_open is { } open && open.End - open.PieceStart >= _pieceFrames)
        {
            EmitPiece(open, events);
        }
    }

    /// <summary>
    /// The pause held since <see cref="_pauseStart"/> ends before frame <paramref name="end"/>, whose speaker is
    /// <paramref name="after"/> (-1 for silence).
    /// </summary>
    private void ResolvePause(long end, int after, List<DiarizationEvent> events)
    {
        // The speech before the pause is the end of the last final run (whose speaker re-clustering keeps current).
        // When a gap was too long to fill whole before its first frames were committed as silence, only its end is
        // a pause; the speech before it is still the run that ended at the gap.
        int before = after >= 0 && _runs.Count > 0 && _pauseStart - _runs[^1].End < _gapFrames ? _runs[^1].Speaker : -1;
        int label = FrameLabelRules.PauseLabel(before, after, _roster.Confirmed(before) && _roster.Confirmed(after));
        if (label >= 0)
        {
            long window = _runs[^1].Window;
            for (long f = _pauseStart; f < end; f++)
            {
                AppendFinalFrame(f, label, window, events);
            }
        }
        else
        {
            Close(events);
        }
        _pauseStart = -1;
    }

    private void AppendFinalFrame(long t, int speaker, long windowIndex, List<DiarizationEvent> events)
    {
        if (_open is { } open && (open.Speaker != speaker || open.End != t))
        {
            Close(events);
        }
        _open ??= new OpenTurn(speaker, t);
        _open.End = t + 1;
        if (_runs.Count > 0 && _runs[^1].Window == windowIndex && _runs[^1].End == t && _runs[^1].Speaker == speaker)
        {
            _runs[^1] = _runs[^1] with { End = t + 1 };
        }
        else
        {
            _runs.Add(new Run(t, t + 1, windowIndex, speaker));
        }
    }

    /// <summary>Sends what the open turn has not sent yet; the turn stays open.</summary>
    public void SendOpenPiece(List<DiarizationEvent> events)
    {
        if (_open is { } open)
        {
            EmitPiece(open, events);
        }
    }

    private void EmitPiece(OpenTurn open, List<DiarizationEvent> events)
    {
        if (open.End <= open.PieceStart)
        {
            return;
        }
        events.Add(new SegmentEvent(new SpeakerSegment(open.PieceStart * _hop, open.End * _hop, SpeakerRoster.Name(open.Speaker)), true));
        SpeechSeconds += (open.End - open.PieceStart) * _hop;
        if (open.PieceStart == open.Start)
        {
            FinalSegments++;
        }
        open.PieceStart = open.End;
    }

    /// <summary>Ends the open turn.</summary>
    public void Close(List<DiarizationEvent> events)
    {
        if (_open is { } open)
        {
            EmitPiece(open, events);
            _open = null;
        }
    }

    /// <summary>Every final run whose window now has another speaker is announced, joined into contiguous ranges.</summary>
    /// <param name="merged">Ids that merged whole into another: their runs were announced by the merge.</param>
    public void Relabel(IReadOnlyDictionary<int, int> merged, List<DiarizationEvent> events, double nowSeconds)
    {
        RelabelEvent? pending = null;
        for (int r = 0; r < _runs.Count; r++)
        {
            var run = _runs[r];
            int now = run.Window < 0 ? (_memory.Count > 0 ? _memory.SpeakerOf(_memory.Windows[0]) : run.Speaker) : _memory.SpeakerAt(run.Window);
            if (now == run.Speaker)
            {
                continue;
            }
            bool announcedByMerge = merged.TryGetValue(run.Speaker, out int into) && into == now;
            if (!announcedByMerge)
            {
                double start = run.Start * _hop, end = run.End * _hop;
                string from = SpeakerRoster.Name(run.Speaker), to = SpeakerRoster.Name(now);
                if (pending is { } p && p.From == from && p.To == to && Math.Abs(p.EndSeconds - start) < 1e-9)
                {
                    pending = p with { EndSeconds = end };
                }
                else
                {
                    if (pending is not null)
                    {
                        events.Add(pending);
                    }
                    pending = new RelabelEvent(nowSeconds, start, end, from, to);
                }
            }
            _runs[r] = run with { Speaker = now };
        }
        if (pending is not null)
        {
            events.Add(pending);
        }
    }

    /// <summary>Forgets runs that ended before <paramref name="limitFrame"/>; gives the oldest window a kept run needs, or null.</summary>
    public long? ForgetBefore(long limitFrame)
    {
        int drop = 0;
        while (drop < _runs.Count && _runs[drop].End < limitFrame)
        {
            drop++;
        }
        if (drop > 0)
        {
            _runs.RemoveRange(0, drop);
        }
        return _runs.Count > 0 ? Math.Max(0, _runs[0].Window) : null;
    }

    private sealed class OpenTurn(int speaker, long start)
    {
        public int Speaker { get; } = speaker;

        public long Start { get; } = start;

        public long PieceStart { get; set; } = start;

        public long End { get; set; } = start;
    }

    private readonly record struct Run(long Start, long End, long Window, int Speaker);
}
