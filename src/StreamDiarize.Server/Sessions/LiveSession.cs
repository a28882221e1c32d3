// One running session (a Diarize call or the daemon's microphone) as the rest of the server sees it: id, start time, counters, final turns and watchers.
using StreamDiarize.Core.Events;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Server.Sessions;

/// <summary>
/// What ListSessions reports and what watchers subscribe to. Publishing, the ledger update and subscribing share
/// one lock, so a watcher that asks for a replay sees every final segment exactly once: either in the replay or live.
/// </summary>
public sealed class LiveSession(string id, string source, DiarizeEvent started, ISessionAudio audio, string tenant = "")
{
    private readonly Lock _lock = new();
    /// <summary>
    /// Final turns a session keeps for Watch and page replays: its cost stays bounded however long it runs (about
    /// 1 MB); a watcher of an older session gets the most recent ones.
    /// </summary>
    public const int ReplayTurns = 20_000;

    private readonly SegmentLedger _ledger = new(ReplayTurns);
    private readonly HashSet<string> _speakers = [];
    private readonly List<Watcher> _watchers = [];
    private bool _ended;
    // Who speaks now (null: silence) and since when, so a watcher that joins mid-turn is told at once.
    private string? _current;
    private double _currentSince;
    private (EndReason Reason, string Detail) _ending = (EndReason.Unspecified, "");

    public string Id { get; } = id;

    public string Source { get; } = source;

    /// <summary>Whose session it is: only callers with that tenant's key list, watch or follow it ("" without authentication).</summary>
    public string Tenant { get; } = tenant;

    public DateTimeOffset StartTime { get; } = DateTimeOffset.UtcNow;

    /// <summary>The SessionStarted event, sent first to the client and to every watcher.</summary>
    public DiarizeEvent Started { get; } = started;

    /// <summary>The session's audio: what ListSessions and the live page report as seconds received.</summary>
    public ISessionAudio Audio { get; } = audio;

    public long EventCount { get; private set; }

    /// <summary>How far behind real time the session's processing runs (admission control and /metrics read it).</summary>
    public Admission.SessionLag Lag { get; } = new();

    /// <summary>The session's newest voice features, to enroll a speaker from a time range of it; null when it keeps none (or runs elsewhere).</summary>
    public Core.Speakers.VoiceFrameHistory? Voices { get; init; }

    /// <summary>The bus publisher of this session (Server:Bus), fed in the same order as the watchers; null without a bus.</summary>
    public IEventOutbox? Outbox { get; set; }

    /// <summary>Why the session ends, once something has decided it (the first decision wins); SessionEnded carries it.</summary>
    public (EndReason Reason, string Detail) Ending
    {
        get
        {
            lock (_lock)
            {
                return _ending;
            }
        }
    }

    /// <summary>Records why the session ends, unless a reason is already recorded; true when this one counts.</summary>
    public bool TrySetEnding(EndReason reason, string detail)
    {
        lock (_lock)
        {
            if (_ending.Reason != EndReason.Unspecified)
            {
                return false;
            }
            _ending = (reason, detail);
            return true;
        }
    }

    public long WatchersEver { get; private set; }

    public int SpeakersSoFar
    {
        get
        {
            lock (_lock)
            {
                return _speakers.Count;
            }
        }
    }

    public int WatcherCount
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Count;
            }
        }
    }

    public IReadOnlyList<Core.Segments.SpeakerSegment> FinalSegments()
    {
        lock (_lock)
        {
            return _ledger.Snapshot(includeProvisional: false);
        }
    }

    /// <summary>Records a session event and hands its wire form to every watcher.</summary>
    public void Publish(DiarizationEvent e, DiarizeEvent? wire)
    {
        lock (_lock)
        {
            _ledger.Apply(e);
            EventCount++;
            switch (e)
            {
                case SpeakerAddedEvent a:
                    _speakers.Add(a.Speaker);
                    break;
                case SegmentEvent s:
                    _speakers.Add(s.Segment.Speaker);
                    break;
                case MergeEvent m:
                    _speakers.Remove(m.From);
                    if (_current == m.From)
                    {
                        _current = m.Into;
                    }
                    break;
                case SpeakerChangeEvent c:
                    _current = c.To;
                    _currentSince = c.StreamTimeSeconds;
                    break;
            }
            if (wire is not null)
            {
                foreach (var w in _watchers)
                {
                    w.Offer(wire);
                }
                Outbox?.Offer(wire);
            }
        }
    }

    /// <summary>
    /// A new watcher, primed with SessionStarted and, when asked, the final segments so far followed by a SpeakerChange
    /// to whoever is speaking now (none in silence). Null when the session already ended.
    /// </summary>
    public Watcher? Subscribe(int capacity, bool replayFinalSegments, Action onDropped)
    {
        lock (_lock)
        {
            if (_ended)
            {
                return null;
            }
            var replay = replayFinalSegments ? _ledger.Snapshot(includeProvisional: false) : [];
            // The replay must not be dropped by its own buffer, so the buffer is at least that long.
            var watcher = new Watcher(Math.Max(capacity, replay.Count + 2), onDropped);
            watcher.Offer(Started);
            foreach (var s in replay)
            {
                watcher.Offer(new DiarizeEvent
                {
                    StreamTimeSeconds = s.EndSeconds,
                    Segment = new Segment { StartSeconds = s.StartSeconds, EndSeconds = s.EndSeconds, Speaker = s.Speaker, IsFinal = true },
                });
            }
            if (replayFinalSegments && _current is { } speaking)
            {
                // The replay ends with who is speaking now: a page opened mid-turn shows the speaker, not "silence".
                watcher.Offer(new DiarizeEvent
                {
                    StreamTimeSeconds = _currentSince,
                    SpeakerChange = new SpeakerChange { FromSpeaker = "", ToSpeaker = speaking },
                });
            }
            _watchers.Add(watcher);
            WatchersEver++;
            return watcher;
        }
    }

    public void Unsubscribe(Watcher watcher)
    {
        lock (_lock)
        {
            _watchers.Remove(watcher);
        }
    }

    /// <summary>The session is over: watchers drain what they hold and their streams end.</summary>
    public void End()
    {
        lock (_lock)
        {
            _ended = true;
            foreach (var w in _watchers)
            {
                w.Complete();
            }
            _watchers.Clear();
        }
    }
}
