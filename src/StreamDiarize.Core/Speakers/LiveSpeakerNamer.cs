// Live naming, a stage after the live diarizer: final turns' frames feed one Gaussian per live speaker; when a speaker
// has enough speech it is compared with the profiles and, on a clear match, named (SpeakerIdentified).
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Core.Speakers;

/// <summary>
/// Wraps any live diarizer whose frames follow <see cref="AnalysisFrameLayout"/>: reads the session's
/// <see cref="VoiceFrameHistory"/> (a <see cref="VoiceHistoryRecorder"/> around this stage fills it), adds a final
/// turn's frames to its speaker's Gaussian, follows Relabel and Merge, and decides as the offline
/// <see cref="SpeakerNamer"/> does (same modelling, distance and threshold). A name is never held by two live speakers at
/// once, and a named speaker keeps its name. Per frame it does nothing but pass the frame on.
/// </summary>
public sealed class LiveSpeakerNamer : IFrameDiarizer, IDisposable
{
    /// <summary>History the namer needs, for turns that become final late: the longest latency plus a long turn.</summary>
    public const double HistorySeconds = SessionOptions.MaxLatencySeconds + 30;

    /// <summary>Turn pieces kept per speaker so that a Relabel can move them; older ones are folded into the speaker's base.</summary>
    private const int MaxPiecesPerSpeaker = 256;

    /// <summary>An unnamed speaker is compared with the profiles again at least every this much more speech.</summary>
    private const double RecheckSeconds = 5;

    private readonly IFrameDiarizer _inner;
    private readonly VoiceFrameHistory _history;
    private readonly Func<long, bool>? _usable;
    private readonly SegmentClusterer _clusterer;
    private readonly double _hopSeconds;
    private readonly IReadOnlyList<VoiceProfile> _profiles;
    private readonly SpeakerIdentificationOptions _options;
    private readonly int _dims;
    private readonly Dictionary<string, LiveSpeaker> _speakers = new(StringComparer.Ordinal);

    public LiveSpeakerNamer(IFrameDiarizer inner, VoiceFrameHistory history, SegmentClusteringOptions segments,
        IReadOnlyList<VoiceProfile> profiles, SpeakerIdentificationOptions? options = null)
    {
        _inner = inner;
        _history = history;
        // Pauses inside a turn are not the voice: they are left out of its model, as enrollment leaves them out.
        _usable = inner is IUsableSpeech u ? u.IsUsableSpeech : null;
        _clusterer = new SegmentClusterer(segments);
        _hopSeconds = history.HopSeconds;
        _options = (options ?? new SpeakerIdentificationOptions()).Validate();
        _dims = segments.Coefficients;
        if (history.CapacitySeconds < HistorySeconds)
        {
            throw new ArgumentException($"A voice history of {history.CapacitySeconds} s is too short for naming: give it at least {HistorySeconds} s.", nameof(history));
        }
        foreach (var p in profiles)
        {
            if (p.Kind != FeatureVoiceModeller.KindName || p.Model is not GaussianVoiceModel g || g.Stats.Dims != _dims)
            {
                throw new ArgumentException(
                    $"profile '{p.Name}' was made with the '{p.Kind}' embedder and cannot name speakers of the '{FeatureVoiceModeller.KindName}' embedder: enroll the person again with it");
            }
        }
        _profiles = profiles;
    }

    public bool MayWait => _inner.MayWait;

    /// <summary>The name each live speaker holds now.</summary>
    public IReadOnlyDictionary<string, string> Names => _speakers.Where(kv => kv.Value.Name is not null).ToDictionary(kv => kv.Key, kv => kv.Value.Name!);

    public void OnFrame(long frameIndex, ReadOnlySpan<float> frame, List<DiarizationEvent> events)
    {
        int first = events.Count;
        _inner.OnFrame(frameIndex, frame, events);
        if (events.Count > first)
        {
            Follow(events, first);
        }
    }

    public void Complete(List<DiarizationEvent> events)
    {
        int first = events.Count;
        _inner.Complete(events);
        Follow(events, first);
        // Every unnamed speaker whose speech grew since its last comparison is compared once more on all of it, so the
        // session's last turns do not go unnamed for want of a scheduled check. Names come before SessionEnded.
        int at = events.Count > first && events[^1] is SessionEndedEvent ? events.Count - 1 : events.Count;
        double end = at > 0 ? events[at - 1].StreamTimeSeconds : 0;
        foreach (var (id, speaker) in _speakers)
        {
            if (speaker.Name is null && speaker.Total.Count * _hopSeconds > speaker.CheckedAtSeconds
                && TryName(id, speaker, end, final: true) is { } identified)
            {
                events.Insert(at++, identified);
            }
        }
    }

    public void Dispose() => (_inner as IDisposable)?.Dispose();

    /// <summary>Reads the inner diarizer's new events, names their speakers, and inserts SpeakerIdentified where a speaker is recognised.</summary>
    private void Follow(List<DiarizationEvent> events, int first)
    {
        for (int i = first; i < events.Count; i++)
        {
            switch (events[i])
            {
                case SegmentEvent { IsFinal: true } s:
                {
                    var speaker = Speaker(s.Segment.Speaker);
                    speaker.AddPiece(s.Segment.StartSeconds, s.Segment.EndSeconds, _history.Model(s.Segment.StartSeconds, s.Segment.EndSeconds, _usable));
                    if (speaker.Name is null && TryName(s.Segment.Speaker, speaker, s.Segment.EndSeconds) is { } identified)
                    {
                        events.Insert(i, identified);
                        i++;
                    }
                    events[i] = s with { SpeakerName = speaker.Name };
                    break;
                }
                case SegmentEvent s when _speakers.TryGetValue(s.Segment.Speaker, out var known) && known.Name is not null:
                    events[i] = s with { SpeakerName = known.Name };
                    break;
                case MergeEvent m when _speakers.Remove(m.From, out var from):
                {
                    var into = Speaker(m.Into);
                    into.Absorb(from);
                    if (into.Name is null && from.Name is not null)
                    {
                        into.Name = from.Name;
                        into.Distance = from.Distance;
                        events.Insert(i + 1, new SpeakerIdentifiedEvent(m.StreamTimeSeconds, m.Into, from.Name, from.Distance));
                        i++;
                    }
                    break;
                }
                case RelabelEvent r when _speakers.TryGetValue(r.From, out var from):
                    from.MoveTo(Speaker(r.To), r.StartSeconds, r.EndSeconds);
                    break;
            }
        }
    }

    private LiveSpeaker Speaker(string id)
    {
        if (!_speakers.TryGetValue(id, out var s))
        {
            s = new LiveSpeaker(_dims);
            _speakers[id] = s;
        }
        return s;
    }

    private SpeakerIdentifiedEvent? TryName(string id, LiveSpeaker speaker, double now, bool final = false)
    {
        double seconds = speaker.Total.Count * _hopSeconds;
        // Decide at the first MinSpeakerSpeechSeconds, then again each time the speech has grown by half or by
        // RecheckSeconds, whichever comes first (a voice that speaks little would otherwise wait long for its next check).
        if (_profiles.Count == 0 || seconds < _options.MinSpeakerSpeechSeconds
            || (!final && seconds < Math.Min(speaker.CheckedAtSeconds * 1.5, speaker.CheckedAtSeconds + RecheckSeconds)))
        {
            return null;
        }
        speaker.CheckedAtSeconds = seconds;
        var session = new GaussianStats(_dims);
        foreach (var s in _speakers.Values)
        {
            session.Add(s.Total);
        }
        var floor = _clusterer.Floor(session);
        var held = new HashSet<string>(_speakers.Values.Where(s => s.Name is not null).Select(s => s.Name!), StringComparer.OrdinalIgnoreCase);
        int best = -1;
        double bestDistance = double.PositiveInfinity;
        for (int j = 0; j < _profiles.Count; j++)
        {
            if (held.Contains(_profiles[j].Name))
            {
                continue;
            }
            double d = FeatureVoiceModeller.Distance(speaker.Total, ((GaussianVoiceModel)_profiles[j].Model).Stats, floor);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = j;
            }
        }
        if (best < 0 || bestDistance > _options.FeaturesThreshold)
        {
            return null;
        }
        speaker.Name = _profiles[best].Name;
        speaker.Distance = bestDistance;
        return new SpeakerIdentifiedEvent(now, id, speaker.Name, bestDistance);
    }

    /// <summary>One live speaker: recent turn pieces (movable by Relabel), older speech folded into a base, and its name.</summary>
    private sealed class LiveSpeaker(int dims)
    {
        private readonly List<(double Start, double End, GaussianStats Stats)> _pieces = [];
        private readonly GaussianStats _base = new(dims);

        public GaussianStats Total { get; private set; } = new(dims);

        public string? Name { get; set; }

        public double Distance { get; set; }

        public double CheckedAtSeconds { get; set; }

        public void AddPiece(double start, double end, GaussianStats stats)
        {
            _pieces.Add((start, end, stats));
            if (_pieces.Count > MaxPiecesPerSpeaker)
            {
                _base.Add(_pieces[0].Stats);
                _pieces.RemoveAt(0);
            }
            Total.Add(stats);
        }

        public void Absorb(LiveSpeaker other)
        {
            _base.Add(other._base);
            foreach (var p in other._pieces)
            {
                AddPiece(p.Start, p.End, p.Stats);
            }
        }

        /// <summary>Pieces whose middle lies in [start, end) go to <paramref name="to"/>.</summary>
        public void MoveTo(LiveSpeaker to, double start, double end)
        {
            bool moved = false;
            for (int i = _pieces.Count - 1; i >= 0; i--)
            {
                double mid = 0.5 * (_pieces[i].Start + _pieces[i].End);
                if (mid >= start && mid < end)
                {
                    to.AddPiece(_pieces[i].Start, _pieces[i].End, _pieces[i].Stats);
                    _pieces.RemoveAt(i);
                    moved = true;
                }
            }
            if (moved)
            {
                Total = _base.Clone();
                foreach (var p in _pieces)
                {
                    Total.Add(p.Stats);
                }
            }
        }
    }
}
