// Applies a session's events to a list of turns: how a sink, a watcher or a test rebuilds the final diarization.
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Events;

/// <summary>
/// Holds the final turns of a session as its events describe them: final segments are added,
/// Relabel and Merge rewrite the past. Provisional segments are kept apart and replaced as they come.
/// </summary>
public sealed class SegmentLedger(int maxFinalTurns = int.MaxValue)
{
    private readonly List<SpeakerSegment> _final = [];
    private readonly List<SpeakerSegment> _provisional = [];

    public IReadOnlyList<SpeakerSegment> Final => _final;

    public IReadOnlyList<SpeakerSegment> Provisional => _provisional;

    /// <summary>How many final segments (or parts of them) changed speaker after they were final.</summary>
    public int FinalSegmentsChanged { get; private set; }

    /// <summary>Seconds of final speech whose speaker changed after it was final (counted once per change).</summary>
    public double FinalSecondsChanged { get; private set; }

    /// <summary>The enrolled person each identified speaker is (<see cref="SpeakerIdentifiedEvent"/>), by speaker id.</summary>
    public IReadOnlyDictionary<string, string> Names => _names;

    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    /// <summary>Like <see cref="Snapshot"/>, with each identified speaker's id replaced by the person's name.</summary>
    public List<SpeakerSegment> NamedSnapshot(bool includeProvisional = true)
    {
        var all = Snapshot(includeProvisional);
        for (int i = 0; i < all.Count; i++)
        {
            if (_names.TryGetValue(all[i].Speaker, out var name))
            {
                all[i] = all[i] with { Speaker = name };
            }
        }
        return FrameGrouper.JoinTouching(all);
    }

    public void Apply(DiarizationEvent e)
    {
        switch (e)
        {
            case SpeakerIdentifiedEvent named:
                _names[named.Speaker] = named.Name;
                break;
            case SegmentEvent { IsFinal: true } s:
                AddFinal(s.Segment);
                _provisional.RemoveAll(p => p.StartSeconds < s.Segment.EndSeconds);
                break;
            case SegmentEvent s:
                _provisional.RemoveAll(p => p.EndSeconds > s.Segment.StartSeconds);
                _provisional.Add(s.Segment);
                break;
            case RelabelEvent r:
                Relabel(r.StartSeconds, r.EndSeconds, r.From, r.To);
                break;
            case MergeEvent m:
                for (int i = 0; i < _final.Count; i++)
                {
                    if (_final[i].Speaker == m.From)
                    {
                        _final[i] = _final[i] with { Speaker = m.Into };
                        FinalSegmentsChanged++;
                        FinalSecondsChanged += _final[i].DurationSeconds;
                    }
                }
                for (int i = 0; i < _provisional.Count; i++)
                {
                    if (_provisional[i].Speaker == m.From)
                    {
                        _provisional[i] = _provisional[i] with { Speaker = m.Into };
                    }
                }
                break;
        }
    }

    /// <summary>
    /// A final piece that continues the last final turn of the same speaker extends it (a live turn arrives in pieces),
    /// so the ledger holds turns, not pieces. Past <see cref="MaxFinalTurns"/> the oldest turns are forgotten.
    /// </summary>
    private void AddFinal(SpeakerSegment segment)
    {
        if (_final.Count > 0 && _final[^1].Speaker == segment.Speaker && Math.Abs(_final[^1].EndSeconds - segment.StartSeconds) < 1e-9)
        {
            _final[^1] = _final[^1] with { EndSeconds = Math.Max(_final[^1].EndSeconds, segment.EndSeconds) };
            return;
        }
        _final.Add(segment);
        if (_final.Count > MaxFinalTurns)
        {
            // Forget an eighth at a time, so the cost of the move is spread over many turns.
            int drop = _final.Count - MaxFinalTurns + MaxFinalTurns / 8;
            _final.RemoveRange(0, drop);
            ForgottenFinalTurns += drop;
        }
    }

    /// <summary>The most final turns kept (int.MaxValue: all).</summary>
    public int MaxFinalTurns { get; } = maxFinalTurns;

    /// <summary>Final turns forgotten because the ledger was full.</summary>
    public long ForgottenFinalTurns { get; private set; }

    /// <summary>Final turns with provisional ones appended, joined where one speaker's turns touch.</summary>
    public List<SpeakerSegment> Snapshot(bool includeProvisional = true)
    {
        var all = new List<SpeakerSegment>(_final);
        if (includeProvisional)
        {
            all.AddRange(_provisional);
        }
        all.Sort((a, b) => a.StartSeconds.CompareTo(b.StartSeconds));
        return FrameGrouper.JoinTouching(all);
    }

    private void Relabel(double start, double end, string from, string to)
    {
        for (int i = 0; i < _final.Count; i++)
        {
            var s = _final[i];
            if (s.Speaker != from || s.EndSeconds <= start || s.StartSeconds >= end)
            {
                continue;
            }
            // Split the segment into the part before, the relabelled middle and the part after.
            var parts = new List<SpeakerSegment>(3);
            if (s.StartSeconds < start)
            {
                parts.Add(s with { EndSeconds = start });
            }
            var moved = new SpeakerSegment(Math.Max(s.StartSeconds, start), Math.Min(s.EndSeconds, end), to);
            parts.Add(moved);
            FinalSecondsChanged += moved.DurationSeconds;
            if (s.EndSeconds > end)
            {
                parts.Add(s with { StartSeconds = end });
            }
            _final.RemoveAt(i);
            _final.InsertRange(i, parts);
            i += parts.Count - 1;
            FinalSegmentsChanged++;
        }
    }
}
