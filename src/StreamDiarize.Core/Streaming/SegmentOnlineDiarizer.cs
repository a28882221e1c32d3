// The live diarizer of the segment representation: phrase segments cut and clustered as offline, ids that only grow.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Streaming;

/// <summary>
/// Frames in, final turns out, in three small steps:
/// <list type="number">
/// <item>speech decisions (<see cref="StreamingSpeechDetector"/>) feed the same <see cref="PhraseCutter"/> as offline;
/// each segment is one <see cref="GaussianStats"/>;</item>
/// <item>a segment's speaker is decided as its first frame's speech decision is committed (so at the
/// session's latency), from the frames the detector provisionally calls speech after it, up to
/// <see cref="SegmentClusteringOptions.MinSegmentSeconds"/>: the nearest speaker's pooled Gaussian; it is decided again
/// every <see cref="OnlineDiarizerOptions.RedecideSeconds"/> of the segment on all its speech so far, for the frames not
/// yet final;</item>
/// <item>every few seconds <see cref="SegmentClusterer"/> (the offline kernel) re-clusters the remembered segments; the
/// clusters are mapped onto the ids in use (Hungarian, by speech in common), a cluster no id claims becomes a new
/// speaker once it holds <see cref="OnlineDiarizerOptions.NewSpeakerSeconds"/> (and, past the session's first minute of
/// speech, stands apart from every claimed cluster by <see cref="OnlineDiarizerOptions.NewSpeakerApartFactor"/>), and an
/// id left with no cluster is merged into the one that took its speech (a Merge event). Final labels change only by Merge.</item>
/// </list>
/// Memory is bounded: at most <see cref="OnlineDiarizerOptions.MaxSegments"/> segments and their pairwise distances are
/// kept; past that the oldest segment of the speaker with most segments is forgotten.
/// </summary>
public sealed class SegmentOnlineDiarizer : IFrameDiarizer, IUsableSpeech
{
    private readonly SegmentClusterer _clusterer;
    private readonly SessionOptions _session;
    private readonly StreamingSpeechDetector _sad;
    private readonly SegmentTurnEmitter _turns;
    private readonly int _first;
    private readonly AnalysisFrameLayout _layout;
    private readonly int _dims;
    private readonly int _minFrames;
    private readonly int _ringFrames;
    private readonly float[] _mfccRing;
    private readonly float[] _pitchRing;
    private readonly double _pitchThreshold;
    private readonly int _sampleRateHz;
    private readonly double _hop;
    private readonly double _newSpeakerFrames;
    private readonly double _apartFactor;
    private readonly double _apartAfterFrames;
    private readonly long _reclusterFrames;
    private readonly SegmentMemory _memory;
    private PhraseCutter _cutter;
    private GaussianStats _open;
    private readonly GaussianStats _ahead;
    private int _openLabel = -1;
    private long _received;
    private long _processed;
    private long _lastRecluster;
    private readonly GaussianStats _sessionStats;
    private double[] _floor;
    private List<GaussianStats> _speakerModels = [];
    private double[] _speakerCosts = [];
    private readonly double[] _scratch;
    private int _nextSpeaker;
    private readonly bool _relabelNewSpeakers;
    private readonly long _relabelWithinFrames;
    private readonly long _redecideFrames;
    private readonly int _mergeAfter;
    private readonly Func<int, bool>? _keepDormant;
    private int[] _unclaimed = new int[8];
    private int[] _madeAt = new int[8];
    private readonly int _claimAfterNew;
    private readonly bool _relabelWholeRuns;

    // The short-phrase pool's run: where its last piece ends, whether it continues the last remembered segment's run
    // (same speaker, only bridged pauses between), that segment's speaker, and where the last piece of any kind ended.
    private long _poolEnd;
    private bool _poolIsTail;
    private bool _lastRemembered;
    private int _lastRememberedLabel;
    private long _lastPieceEnd = -1;

    // Fixed-lag frame decisions (FrameChangePenalty): each speaker's frame Gaussian, every ring frame's log-likelihood
    // under them (tagged with the frame and the model version), and the Viterbi scratch.
    private readonly double _framePenalty;
    private readonly double _runStartPenalty;
    private readonly bool _startAcrossPauses;
    private readonly long _latencyFrames;
    private FrameGaussian?[] _frameModels = [];
    private int[] _active = [];
    private int[] _activeOf = [];
    private int _activeCount;
    private float[] _llRing = [];
    private long[] _llTag = [];
    private int _modelVersion;
    private double[] _vScore = [];
    private double[] _vNext = [];
    private int[] _vFirst = [];
    private int[] _vNextFirst = [];
    private readonly double[] _vZ;
    private int _lastFrameLabel = -1;
    private long _lastFrameLabelled = -2;
    private readonly GaussianStats _lastSegment;
    private int _lastSlot;
    private readonly double[] _runFloor;
    private readonly double _touchingPenalty;
    private readonly double _claimMargin;
    private readonly double _newVoiceLambda;
    private readonly long _newVoiceWindowFrames;
    private readonly double _newVoiceMaxFrames;
    private readonly long _finalReclusterFrames;
    private readonly bool _finalRelabel;
    private readonly bool _finalMergeUnclaimed;
    private readonly bool _finalSessionFloor;
    private readonly bool _rememberFrameLabels;
    private readonly double _finalRelabelMargin;
    private readonly long _finalMixedFrames;
    private readonly double _finalRelabelSpeech;
    private readonly bool _coalesceRelabels;
    private readonly double _poolUntilFrames;
    private readonly GaussianStats _pool;
    private long _poolStart;
    private int _poolLabel;
    private bool _silenceSincePiece;

    public SegmentOnlineDiarizer(DefaultDiarizerOptions stages, OnlineDiarizerOptions options, SessionOptions session)
    {
        stages.Validate();
        options.Validate();
        Options.OptionsValidationException.ThrowIfAny(session.GetValidationErrors());
        _session = session;
        bool named = session.KnownSpeakers.Count > 0;
        // With known speakers: the detector uncapped and the ΔBIC weight 3 from the start (DefaultDiarizerOptions.ForSession).
        stages = stages.ForSession(session);
        // No offline refinement in the re-clusterings: it let a dominant voice's id split in two (docs/ACCURACY.md).
        _clusterer = new SegmentClusterer(stages.Segments with { ReassignPasses = 0 });
        var o = _clusterer.Options;
        _hop = stages.Speech.HopSeconds;
        _sad = new StreamingSpeechDetector(stages.Speech, session.LatencySeconds, options.SpeechHistorySeconds, options.SpeechWarmupSeconds, options.SpeechMinRangeDb,
            tentativePauses: true, trustVoicedShare: options.SpeechTrustVoicedShare, trustAfterSeconds: options.SpeechTrustAfterSeconds);
        _layout = new AnalysisFrameLayout(stages.Embedding.Features.MfccCount, 0);
        _first = o.FirstCoefficient;
        _dims = o.Coefficients;
        _minFrames = o.MinSegmentFrames(_hop);
        _cutter = new PhraseCutter(o.MaxSegmentFrames(_hop));
        _ringFrames = (int)Math.Round((session.LatencySeconds + options.SpeechWarmupSeconds + 2) / _hop) + 256;
        _mfccRing = new float[_ringFrames * _dims];
        _pitchRing = new float[_ringFrames];
        _pitchThreshold = o.PitchVoicingThreshold;
        _sampleRateHz = stages.Speech.SampleRateHz;
        _newSpeakerFrames = options.NewSpeakerSeconds / _hop;
        _apartFactor = options.NewSpeakerApartFactor;
        _apartAfterFrames = options.NewSpeakerApartAfterSeconds / _hop;
        _reclusterFrames = (long)Math.Round(options.ReclusterSeconds / _hop);
        _finalReclusterFrames = (long)Math.Round(options.FinalReclusterAfterSeconds / _hop);
        _finalRelabel = options.FinalRelabel;
        _finalMergeUnclaimed = options.FinalMergeUnclaimed;
        _finalSessionFloor = options.FinalSessionFloor;
        _rememberFrameLabels = options.RememberFrameLabels;
        _finalRelabelMargin = options.FinalRelabelMargin;
        _finalMixedFrames = (long)Math.Round(options.FinalRelabelMixedSeconds / _hop);
        _finalRelabelSpeech = options.FinalRelabelMinSpeechSeconds;
        _redecideFrames = (long)Math.Round(options.RedecideSeconds / _hop);
        _mergeAfter = options.MergeAfterReclusterings;
        _keepDormant = _mergeAfter > 1 ? IsDormant : null;
        _poolUntilFrames = options.PoolShortUntilSeconds / _hop;
        _pool = new GaussianStats(_dims);
        _memory = new SegmentMemory(options.MaxSegments, _dims);
        _relabelNewSpeakers = options.RelabelNewSpeakers;
        _relabelWithinFrames = (long)Math.Round(options.RelabelWithinSeconds / _hop);
        _claimAfterNew = options.NewSpeakerClaimReclusterings;
        _relabelWholeRuns = options.RelabelWholeRuns;
        _touchingPenalty = options.RelabelTouchingPenalty;
        _claimMargin = options.RelabelClaimMargin;
        _newVoiceLambda = options.NewVoiceMergeLambda;
        _newVoiceWindowFrames = (long)Math.Round(options.NewVoiceWindowSeconds / _hop);
        _newVoiceMaxFrames = options.NewVoiceMaxSeconds / _hop;
        _framePenalty = options.FrameChangePenalty;
        // With enrolled voices a cheaper start, or one from the speaker before a pause, lets a voice without an id take a
        // named one's frames: there a run starts from its segment's decision and leaving it is a full change.
        _runStartPenalty = named ? options.FrameChangePenalty : options.FrameRunStartPenalty;
        _startAcrossPauses = options.FrameRunStartAcrossPauses && !named;
        _latencyFrames = (long)Math.Round(session.LatencySeconds / _hop);
        _open = new GaussianStats(_dims);
        _lastSegment = new GaussianStats(_dims);
        _vZ = new double[_dims];
        _runFloor = new double[_dims];
        _ahead = new GaussianStats(_dims);
        _sessionStats = new GaussianStats(_dims);
        _floor = new double[_dims];
        _scratch = new double[_dims * _dims];
        _coalesceRelabels = options.CoalesceRelabels;
        _turns = new SegmentTurnEmitter(_hop, options.FinalPieceSeconds,
            !options.CoalesceRelabels ? 0 : options.RelabelWithinSeconds > 0 ? options.RelabelWithinSeconds + 60 : 600);
    }

    /// <inheritdoc/>
    public bool IsUsableSpeech(long frame) => frame >= Math.Max(0, _sad.Committed - _sad.RetainedFrames) && frame < _sad.Committed
        && _sad.IsSpeech(frame) && !_sad.IsPause(frame);

    /// <summary>The options its re-clusterings run with (for tests).</summary>
    internal SegmentClusteringOptions ClusteringOptions => _clusterer.Options;

    /// <summary>Re-clusterings run so far.</summary>
    public int Reclusterings { get; private set; }

    /// <summary>Segments remembered for re-clustering (bounded by <see cref="OnlineDiarizerOptions.MaxSegments"/>).</summary>
    public int RememberedSegments => _memory.Count;

    public void OnFrame(long frameIndex, ReadOnlySpan<float> frame, List<DiarizationEvent> events)
    {
        if (frameIndex != _received)
        {
            throw new ArgumentException($"frame {frameIndex} arrived, {_received} was expected: frames must come in order", nameof(frameIndex));
        }
        if (frame.Length < _layout.Dims)
        {
            throw new ArgumentException($"an analysis frame has {frame.Length} values; this diarizer needs {_layout.Dims}", nameof(frame));
        }
        _received++;
        _layout.Mfcc(frame).Slice(_first, _dims).CopyTo(_mfccRing.AsSpan((int)(frameIndex % _ringFrames) * _dims, _dims));
        float voicing = AnalysisFrameLayout.Voicing(frame), lag = AnalysisFrameLayout.PitchLag(frame);
        _pitchRing[frameIndex % _ringFrames] = _pitchThreshold > 0 && voicing >= _pitchThreshold && lag > 0
            ? (float)Embedding.PitchAccumulator.LogF0(lag, _sampleRateHz)
            : float.NaN;
        _sad.Push(AnalysisFrameLayout.EnergyDb(frame), AnalysisFrameLayout.Voicing(frame));
        if (_received % 5 == 0)
        {
            Advance(_sad.Committed, events);
        }
    }

    public void Complete(List<DiarizationEvent> events)
    {
        _sad.Finish();
        Advance(_sad.Committed, events);
        if (_cutter.Finish(_processed, out long s, out long e))
        {
            CloseSegment(s, e);
        }
        if (_finalReclusterFrames > 0 && _sad.Committed - _lastRecluster >= _finalReclusterFrames && _memory.Count >= 2)
        {
            Recluster(_sad.Committed, events, final: true);
        }
        _turns.Complete(_received, events);
    }

    /// <summary>Takes every newly committed frame through the cutter, the labelling and the turn emitter.</summary>
    private void Advance(long committed, List<DiarizationEvent> events)
    {
        for (; _processed < committed; _processed++)
        {
            long f = _processed;
            bool speech = _sad.IsSpeech(f);
            bool pause = speech && _sad.IsPause(f);
            bool usable = speech && !pause;
            if (_cutter.Push(f, usable, out long s, out long e))
            {
                CloseSegment(s, e);
            }
            if (usable)
            {
                if (_cutter.OpenStart == f)
                {
                    // Decided as the segment's first frame is committed, from the frames the detector provisionally
                    // calls speech after it (up to the newest): its labels are final at the session's latency.
                    _open.Clear();
                    _openLabel = Decide(LookAhead(f, null), events);
                }
                else if (_redecideFrames > 0 && (f - _cutter.OpenStart) % _redecideFrames == 0)
                {
                    // Decided again on more speech (its committed frames and the look-ahead after them), for the frames
                    // from here on: the labels already given are final and stay.
                    _openLabel = Decide(LookAhead(f, _open), events);
                }
                AddFrame(_open, f);
                AddFrame(_sessionStats, f);
                int label = _framePenalty > 0 ? FrameLabel(f) : _openLabel;
                _turns.Label(f, f + 1, label, events);
            }
            else
            {
                _silenceSincePiece |= !speech;
                _turns.Gap(f, pause, events);
            }
        }
        if (committed - _lastRecluster >= _reclusterFrames && _memory.Count >= 2)
        {
            Recluster(committed, events);
        }
    }

    /// <summary>
    /// <paramref name="committed"/> (the segment's frames already labelled, or null) and the usable frames from
    /// <paramref name="start"/> on, as far as the speech detector has a (provisional) decision, at most a minimum
    /// segment's worth: what a segment's speaker is decided on.
    /// </summary>
    private GaussianStats LookAhead(long start, GaussianStats? committed)
    {
        _ahead.Clear();
        if (committed is not null)
        {
            _ahead.Add(committed);
        }
        long end = Math.Min(start + _minFrames, Math.Min(_received, Math.Max(_sad.ProvisionalEnd, _sad.Committed)));
        for (long g = start; g < end; g++)
        {
            if (!_sad.IsSpeech(g) || _sad.IsPause(g))
            {
                break;
            }
            AddFrame(_ahead, g);
        }
        if (_ahead.Count == 0)
        {
            AddFrame(_ahead, start);
        }
        return _ahead;
    }

    /// <summary>Frame <paramref name="f"/>'s MFCCs, and its log F0 when voiced, into <paramref name="stats"/>.</summary>
    private void AddFrame(GaussianStats stats, long f)
    {
        int slot = (int)(f % _ringFrames);
        stats.Add(_mfccRing.AsSpan(slot * _dims, _dims));
        if (!float.IsNaN(_pitchRing[slot]))
        {
            stats.AddAux(_pitchRing[slot]);
        }
    }

    /// <summary>
    /// Segment [<paramref name="start"/>, <paramref name="end"/>) closed: remembered if it is as long as a segment, else
    /// pooled with the short ones of its run. With <see cref="OnlineDiarizerOptions.RelabelWholeRuns"/>, a remembered
    /// range starts where its run resumed (the bridged pause before it included), and a pool that is never remembered on
    /// its own (its run goes on with a full segment, or ends) is covered by the range of the full segment of the same run
    /// and speaker next to it (between two, the one that sounds more like it), so a Relabel of that segment moves the
    /// pieces and pauses with it.
    /// </summary>
    private void CloseSegment(long start, long end)
    {
        // Where this piece's run resumed: after the bridged pause that follows the run's previous piece.
        long runStart = _relabelWholeRuns && !_silenceSincePiece && _lastPieceEnd >= 0 && _lastPieceEnd < start ? _lastPieceEnd : start;
        _lastPieceEnd = end;
        if (_open.Count >= _minFrames)
        {
            long from = runStart;
            if (_pool.Count > 0 && _relabelWholeRuns)
            {
                if (!_silenceSincePiece && _poolLabel == _openLabel && !(_poolIsTail && CloserToLast(_pool)))
                {
                    from = _poolStart;
                }
                else if (_poolIsTail)
                {
                    _memory.ExtendLast(_lastSlot, _poolEnd);
                }
            }
            _lastSlot = _memory.Add(_open, _rememberFrameLabels ? _turns.MostFinal(start, end, _openLabel) : _openLabel, from, end, _scratch);
            _lastSegment.Clear();
            _lastSegment.Add(_open);
            _pool.Clear();
            Remembered(_openLabel);
            return;
        }
        if (_sessionStats.Count < _poolUntilFrames && _open.Count > 0)
        {
            // A short phrase: pooled with the short ones before it in the same run (only bridged pauses since) and
            // given the same speaker; remembered once the pool is as long as a segment.
            if (_pool.Count == 0 || _silenceSincePiece || _poolLabel != _openLabel)
            {
                if (_pool.Count > 0 && _poolIsTail && _relabelWholeRuns)
                {
                    _memory.ExtendLast(_lastSlot, _poolEnd);
                }
                _poolIsTail = _lastRemembered && !_silenceSincePiece && _lastRememberedLabel == _openLabel;
                _pool.Clear();
                _poolStart = runStart;
                _poolLabel = _openLabel;
            }
            _poolEnd = end;
            _pool.Add(_open);
            if (_pool.Count >= _minFrames)
            {
                _lastSlot = _memory.Add(_pool, _rememberFrameLabels ? _turns.MostFinal(_poolStart, end, _poolLabel) : _poolLabel, _poolStart, end, _scratch);
                _lastSegment.Clear();
                _lastSegment.Add(_pool);
                _pool.Clear();
                Remembered(_poolLabel);
                return;
            }
        }
        _lastRemembered = false;
        _silenceSincePiece = false;
        _openLabel = -1;
    }

    /// <summary>
    /// Whether the short pieces <paramref name="pool"/> between the last remembered segment and the open one (one run,
    /// one id) sound more like the former: the one whose Gaussian loses less likelihood taking them in.
    /// </summary>
    private bool CloserToLast(GaussianStats pool)
    {
        _clusterer.Floor(_sessionStats, _runFloor);
        double toLast = GaussianStats.CostOfUnion(_lastSegment, pool, _runFloor, _scratch) - _lastSegment.Cost(_runFloor, _scratch);
        double toNext = GaussianStats.CostOfUnion(_open, pool, _runFloor, _scratch) - _open.Cost(_runFloor, _scratch);
        return toLast < toNext;
    }

    /// <summary>A segment given <paramref name="label"/> was just remembered; the next piece starts afresh.</summary>
    private void Remembered(int label)
    {
        _lastRemembered = true;
        _lastRememberedLabel = label;
        _silenceSincePiece = false;
        _openLabel = -1;
    }

    /// <summary>The speaker of a segment: the nearest speaker model, or the first speaker when there is none yet.</summary>
    private int Decide(GaussianStats segment, List<DiarizationEvent> events)
    {
        if (_speakerModels.Count == 0)
        {
            if (_nextSpeaker == 0)
            {
                _nextSpeaker = 1;
                _turns.AddSpeaker(0, _processed, events);
            }
            return 0;
        }
        return SegmentClusterer.Nearest(_speakerModels, _speakerCosts, segment, _floor, _scratch);
    }

    /// <summary>
    /// Clusters the remembered segments with the offline kernel and maps clusters onto ids: kept ids keep their speech,
    /// a large unclaimed cluster becomes a new id, and an id that lost all its speech is merged.
    /// </summary>
    private void Recluster(long now, List<DiarizationEvent> events, bool final = false)
    {
        _lastRecluster = now;
        Reclusterings++;
        // The last one takes the whole session's covariance floor, as offline does (the memory froze it after a minute of
        // speech, so a re-clustering costs no recomputation of every distance); once, when the stream ends.
        // Not when the session must end quickly (SessionOptions.Hurry: a server shutting down ends every session at once).
        _floor = _memory.Refresh(_clusterer.Floor(_sessionStats), _scratch, thaw: final && _finalSessionFloor && !_session.Hurry.IsCancellationRequested);
        var limits = new ClusterCountLimits(_session.ExactSpeakers ?? _session.MinSpeakers ?? 1, _session.ExactSpeakers ?? _session.MaxSpeakers);
        var segments = _memory.Segments;
        // A voice that joined lately is judged at its own weight (NewVoiceMergeLambda) against the voices that went on speaking.
        NewVoiceRule? newVoice = null;
        if (_newVoiceLambda > 0)
        {
            var starts = new long[segments.Count];
            for (int i = 0; i < starts.Length; i++)
            {
                starts[i] = _memory.RangeOf(i).Start;
            }
            newVoice = new NewVoiceRule(_newVoiceLambda, _newVoiceMaxFrames, now - _newVoiceWindowFrames, starts);
        }
        var clusters = _clusterer.Cluster(segments, _floor, limits with { Min = Math.Min(limits.Min, segments.Count) }, _memory.CondensedDistances(), distancesAreScratch: true,
            hopSeconds: _hop, newVoice: newVoice);
        int k = 0;
        foreach (int c in clusters)
        {
            k = Math.Max(k, c + 1);
        }
        // Speech (frames) each cluster shares with each id.
        var overlap = new double[k, _nextSpeaker];
        var mass = new double[k];
        for (int i = 0; i < segments.Count; i++)
        {
            overlap[clusters[i], _memory.Labels[i]] += segments[i].Count;
            mass[clusters[i]] += segments[i].Count;
        }
        var idOf = MapClusters(overlap, k);
        double clustered = mass.Sum();
        // The clusters' pooled Gaussians and their costs, made once, when first needed: the segments, the clusters and
        // the floor do not change for the rest of this re-clustering.
        (List<GaussianStats> Pools, double[] Costs)? pooled = null;
        (List<GaussianStats> Pools, double[] Costs) Pooled()
        {
            if (pooled is null)
            {
                var pools = SegmentClusterer.Pool(segments, clusters);
                pooled = (pools, SegmentClusterer.Costs(pools, _floor));
            }
            return pooled.Value;
        }
        for (int c = 0; c < k; c++)
        {
            if (idOf[c] >= 0 || mass[c] <= 0)
            {
                continue;
            }
            // A cluster no id claims becomes a new voice once it holds enough speech (or a speaker hint asks for more
            // ids) and, in a session past its first minute, stands apart from every claimed cluster by a margin; until
            // then its segments stay with the known speaker that holds most of them.
            if (_nextSpeaker >= limits.Min && (mass[c] < _newSpeakerFrames || !StandsApart(c)))
            {
                int parent = ParentCluster(overlap, idOf, c, k);
                idOf[c] = parent >= 0 ? idOf[parent] : -1;
                continue;
            }
            idOf[c] = _nextSpeaker++;
            _turns.AddSpeaker(idOf[c], now, events);
            if (_madeAt.Length < _nextSpeaker)
            {
                Array.Resize(ref _madeAt, Math.Max(_nextSpeaker, 2 * _madeAt.Length));
            }
            _madeAt[idOf[c]] = Reclusterings;
            // The evidence that made the new voice was final under other ids: it moves, once, by Relabel, if it ended
            // within RelabelWithinSeconds (older speech keeps its label: relabelling it bought no accuracy).
            ClaimEvidence(clusters, idOf, c, idOf[c], now, events, Pooled);
        }
        // Whether ΔBIC at NewSpeakerApartFactor times the clustering's weight keeps cluster c apart from every claimed one.
        bool StandsApart(int c)
        {
            if (_apartFactor <= 1 || clustered < _apartAfterFrames || _clusterer.Options.MergeLambda <= 0)
            {
                return true;
            }
            var (pools, costs) = Pooled();
            double lambda = _apartFactor * _clusterer.Options.MergeLambdaFor(clustered * _hop);
            if (newVoice is not null)
            {
                // A late voice's cluster: the margin is on the new-voice weight it was kept apart at.
                long first = long.MaxValue;
                for (int i = 0; i < segments.Count; i++)
                {
                    first = clusters[i] == c ? Math.Min(first, newVoice.SegmentStarts[i]) : first;
                }
                if (newVoice.IsYoung(first, pools[c].Count))
                {
                    lambda = Math.Min(lambda, _apartFactor * newVoice.Lambda);
                }
            }
            for (int other = 0; other < k; other++)
            {
                if (other != c && idOf[other] >= 0
                    && BicClusterer.DeltaBic(pools[c], costs[c], pools[other], costs[other], lambda, _floor, _scratch) <= 0)
                {
                    return false;
                }
            }
            return true;
        }
        // A voice found a re-clustering or two ago: its cluster, now on more of its speech, claims the remembered
        // segments it holds that were given other ids (its evidence from before it had an id, mostly).
        for (int c = 0; c < k; c++)
        {
            int id = idOf[c];
            // _madeAt is 0 for id 0 (made before any re-clustering); an id made by this re-clustering has claimed above.
            if (id >= 0 && _madeAt[id] > 0 && Reclusterings - _madeAt[id] is > 0 and var since && since <= _claimAfterNew)
            {
                ClaimEvidence(clusters, idOf, c, id, now, events, Pooled);
            }
        }
        // An id no cluster claims any more: its speech went to the cluster that holds most of it. It is merged there
        // once MergeAfterReclusterings re-clusterings in a row left it unclaimed; until then it is dormant: it is given
        // no speech, keeps its remembered segments, and takes back a cluster that splits off with them. When the stream
        // ends and the record is corrected, no re-clustering follows: an unclaimed id is merged at once.
        bool correct = final && _finalRelabel && clustered * _hop >= _finalRelabelSpeech;
        int mergeAfter = correct && _finalMergeUnclaimed ? 1 : _mergeAfter;
        if (_unclaimed.Length < _nextSpeaker)
        {
            Array.Resize(ref _unclaimed, Math.Max(_nextSpeaker, 2 * _unclaimed.Length));
        }
        for (int id = 0; id < _nextSpeaker; id++)
        {
            if (Array.IndexOf(idOf, id) >= 0 || !_turns.HasSpeech(id))
            {
                _unclaimed[id] = 0;
                continue;
            }
            if (++_unclaimed[id] < mergeAfter)
            {
                continue;
            }
            int into = -1;
            double most = 0;
            for (int c = 0; c < k; c++)
            {
                if (idOf[c] >= 0 && overlap[c, id] > most)
                {
                    most = overlap[c, id];
                    into = idOf[c];
                }
            }
            if (into >= 0)
            {
                _turns.Merge(id, into, now, events);
                _memory.Rename(id, into);
            }
        }
        if (correct)
        {
            // The end of the stream: the record is corrected to the final clustering, as far back as memory reaches.
            for (int c = 0; c < k; c++)
            {
                if (idOf[c] >= 0)
                {
                    ClaimEvidence(clusters, idOf, c, idOf[c], now, events, Pooled, finalPass: true);
                }
            }
        }
        // The remembered segments now belong to their cluster's id (final turns keep theirs: only Merge rewrites them),
        // so the next re-clustering maps onto this one and a new id keeps the cluster that made it.
        _memory.Assign(clusters, idOf, _keepDormant);

        // Speaker models: each id's pooled segments as the clustering grouped them.
        var models = new List<GaussianStats>(_nextSpeaker);
        for (int id = 0; id < _nextSpeaker; id++)
        {
            models.Add(new GaussianStats(_dims));
        }
        for (int i = 0; i < segments.Count; i++)
        {
            int id = idOf[clusters[i]];
            if (id >= 0)
            {
                models[id].Add(segments[i]);
            }
        }
        _speakerModels = models;
        _speakerCosts = SegmentClusterer.Costs(models, _floor);
        if (_framePenalty > 0)
        {
            FitFrameModels(models);
        }
    }

    /// <summary>Frame Gaussians of the speakers with enough speech for one; the cached likelihoods become stale.</summary>
    private void FitFrameModels(List<GaussianStats> models)
    {
        int k = models.Count;
        if (_frameModels.Length < k)
        {
            int capacity = Math.Max(k, 2 * _frameModels.Length);
            Array.Resize(ref _frameModels, capacity);
            _active = new int[capacity];
            _activeOf = new int[capacity];
            _llRing = new float[_ringFrames * capacity];
            _llTag = new long[_ringFrames];
            _vScore = new double[capacity];
            _vNext = new double[capacity];
            _vFirst = new int[capacity];
            _vNextFirst = new int[capacity];
        }
        // Only the speakers with a model take part (merged and dormant ids have none), so the pass costs what the
        // session's current voices cost, not every id it ever made.
        _activeCount = 0;
        for (int id = 0; id < _frameModels.Length; id++)
        {
            var g = id < k && models[id].Count >= 2 * _dims ? _frameModels[id] ?? new FrameGaussian(_dims) : null;
            _frameModels[id] = g is not null && g.Fit(models[id], _floor) ? g : null;
            _activeOf[id] = _frameModels[id] is null ? -1 : _activeCount;
            if (_frameModels[id] is not null)
            {
                _active[_activeCount++] = id;
            }
        }
        _modelVersion++;
    }

    /// <summary>Log-likelihood row of frame <paramref name="g"/> under every active frame model, computed once per model version.</summary>
    private int LikelihoodRow(long g)
    {
        int slot = (int)(g % _ringFrames);
        long tag = g * 65536 + (_modelVersion & 0xFFFF);
        int row = slot * _frameModels.Length;
        if (_llTag[slot] != tag)
        {
            var x = _mfccRing.AsSpan(slot * _dims, _dims);
            for (int j = 0; j < _activeCount; j++)
            {
                _llRing[row + j] = (float)_frameModels[_active[j]]!.LogLikelihood(x, _vZ);
            }
            _llTag[slot] = tag;
        }
        return row;
    }

    /// <summary>
    /// The speaker of committed frame <paramref name="f"/> by a Viterbi pass over the frames from it to the newest the
    /// detector calls speech (at most the latency; a silence ends it): staying with the previous frame's speaker is
    /// free, a change costs FrameChangePenalty nats. The segment's decided speaker starts each run.
    /// </summary>
    private int FrameLabel(long f)
    {
        // Within a run the previous frame's speaker goes on unless a change pays FrameChangePenalty. A run's first frame
        // starts from the previous run's speaker when only a bridged pause lies between (FrameRunStartAcrossPauses, not
        // with known speakers: there it gave voices without an id, or not enrolled, the name of the speaker before them,
        // docs/ACCURACY.md, round 12), else from its segment's decided speaker; another speaker costs
        // FrameRunStartPenalty there.
        bool continues = _lastFrameLabelled == f - 1 && _lastFrameLabel >= 0;
        int start = continues || (_startAcrossPauses && OnlyPausesSinceLastLabel(f)) ? _lastFrameLabel : _openLabel;
        double startPenalty = continues ? _framePenalty : _runStartPenalty;
        int k = _activeCount;
        int first = start >= 0 && start < _activeOf.Length ? _activeOf[start] : -1;
        if (first < 0)
        {
            _lastFrameLabelled = f;
            _lastFrameLabel = start;
            return _openLabel;
        }
        int row = LikelihoodRow(f);
        for (int c = 0; c < k; c++)
        {
            _vScore[c] = _llRing[row + c] - (c == first ? 0 : startPenalty);
            _vFirst[c] = c;
        }
        long end = Math.Min(f + _latencyFrames, Math.Min(_received, Math.Max(_sad.ProvisionalEnd, _sad.Committed)));
        for (long g = f + 1; g < end; g++)
        {
            if (!_sad.IsSpeech(g))
            {
                break;
            }
            if (_sad.IsPause(g))
            {
                continue;
            }
            int best = 0;
            for (int c = 1; c < k; c++)
            {
                best = _vScore[c] > _vScore[best] ? c : best;
            }
            int r = LikelihoodRow(g);
            double change = _vScore[best] - _framePenalty;
            for (int c = 0; c < k; c++)
            {
                bool stay = _vScore[c] >= change;
                _vNext[c] = (stay ? _vScore[c] : change) + _llRing[r + c];
                _vNextFirst[c] = stay ? _vFirst[c] : _vFirst[best];
            }
            (_vScore, _vNext) = (_vNext, _vScore);
            (_vFirst, _vNextFirst) = (_vNextFirst, _vFirst);
        }
        int top = 0;
        for (int c = 1; c < k; c++)
        {
            top = _vScore[c] > _vScore[top] ? c : top;
        }
        int label = double.IsFinite(_vScore[top]) ? _active[_vFirst[top]] : start;
        _lastFrameLabelled = f;
        _lastFrameLabel = label;
        return label;
    }

    /// <summary>Whether every frame between the last labelled one and <paramref name="f"/> is a bridged pause.</summary>
    private bool OnlyPausesSinceLastLabel(long f)
    {
        if (_lastFrameLabel < 0 || f - _lastFrameLabelled > _sad.RetainedFrames)
        {
            return false;
        }
        for (long g = _lastFrameLabelled + 1; g < f; g++)
        {
            if (!_sad.IsSpeech(g) || !_sad.IsPause(g))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The remembered segments of cluster <paramref name="c"/> that were given another id and ended within
    /// <see cref="OnlineDiarizerOptions.RelabelWithinSeconds"/> are relabelled to <paramref name="id"/>, unless one still
    /// sounds more like its own id (<see cref="OnlineDiarizerOptions.RelabelClaimMargin"/>); ranges of one old id that
    /// touch, or (<see cref="OnlineDiarizerOptions.CoalesceRelabels"/>) have none of its final speech between them, are
    /// one Relabel.
    /// </summary>
    private void ClaimEvidence(int[] clusters, int[] idOf, int c, int id, long now, List<DiarizationEvent> events,
        Func<(List<GaussianStats> Pools, double[] Costs)> pooled, bool finalPass = false)
    {
        // The end-of-stream correction asks more: the claiming cluster must explain a segment better by the margin (a
        // negative claim margin), and a segment the frame labelling split between ids stays as it is.
        double claimMargin = finalPass ? -_finalRelabelMargin : _claimMargin;
        if (!_relabelNewSpeakers)
        {
            return;
        }
        // Ranges that touch (one run of speech, one old id) are one Relabel: the same change, announced once.
        long openStart = -1, openEnd = -1;
        int openFrom = -1;
        Func<int, bool>? takeTouching = null;
        Func<int, int, bool>? takeClaimed = null;
        if (_touchingPenalty > 0 || claimMargin > 0 || finalPass)
        {
            // Once per new voice's claim, not per frame: the clusters' pools, and each neighbour judged against the
            // claiming cluster and its own cluster without it.
            var segments = _memory.Segments;
            var (pools, costs) = pooled();
            var without = new GaussianStats(_dims);
            if (claimMargin > 0 || finalPass)
            {
                // A segment of the claiming cluster moves unless the cluster of the id it was given explains it better
                // by more than the margin (the claiming cluster taken without it).
                takeClaimed = (j, emitted) =>
                {
                    if (finalPass)
                    {
                        var (from, to) = _memory.RangeOf(j);
                        if (_turns.OthersFinalFrames(emitted, from, to) > _finalMixedFrames)
                        {
                            return false;
                        }
                    }
                    int old = Array.IndexOf(idOf, emitted);
                    if (old < 0 && finalPass)
                    {
                        // An id the final clustering left unclaimed keeps its speech: the merge rule decides its fate.
                        return false;
                    }
                    if (old < 0 || old == c)
                    {
                        return true;
                    }
                    var seg = segments[j];
                    double toNew = SegmentClusterer.JoinCost(pools[c], costs[c], seg, true, without, _floor, _scratch);
                    double toOld = SegmentClusterer.JoinCost(pools[old], costs[old], seg, false, without, _floor, _scratch);
                    return 0.5 * (toNew - toOld) < claimMargin;
                };
            }
            takeTouching = _touchingPenalty <= 0 ? null : j =>
            {
                var seg = segments[j];
                var own = pools[clusters[j]];
                if (own.Count - seg.Count < seg.Count)
                {
                    return true;
                }
                double toNew = SegmentClusterer.JoinCost(pools[c], costs[c], seg, false, without, _floor, _scratch);
                double toOwn = SegmentClusterer.JoinCost(own, costs[clusters[j]], seg, true, without, _floor, _scratch);
                return 0.5 * (toNew - toOwn) < _touchingPenalty;
            };
        }
        long endsAfter = finalPass || _relabelWithinFrames <= 0 ? long.MinValue : now - _relabelWithinFrames;
        var moved = _memory.Reassign(clusters, c, id, endsAfter, takeTouching, takeClaimed);
        if (_coalesceRelabels)
        {
            // By old id, then in time: ranges of one old id with none of its final speech between them are one Relabel.
            moved.Sort((a, b) => a.From != b.From ? a.From.CompareTo(b.From) : a.Start.CompareTo(b.Start));
        }
        foreach (var (start, end, from) in moved)
        {
            if (openStart >= 0 && from == openFrom && (start <= openEnd || _coalesceRelabels && !_turns.HoldsFinalSpeech(from, openEnd, start)))
            {
                openEnd = Math.Max(openEnd, end);
                continue;
            }
            if (openStart >= 0)
            {
                _turns.Relabel(openStart, openEnd, openFrom, id, now, events);
            }
            (openStart, openEnd, openFrom) = (start, end, from);
        }
        if (openStart >= 0)
        {
            _turns.Relabel(openStart, openEnd, openFrom, id, now, events);
        }
    }

    /// <summary>An id the last re-clustering left unclaimed and that is not merged yet.</summary>
    private bool IsDormant(int id) => id < _nextSpeaker && _unclaimed[id] > 0 && _turns.HasSpeech(id);

    /// <summary>The claimed cluster whose id holds most of cluster <paramref name="c"/>'s speech; -1 if none.</summary>
    private static int ParentCluster(double[,] overlap, int[] idOf, int c, int k)
    {
        int parent = -1;
        double most = 0;
        for (int other = 0; other < k; other++)
        {
            int id = idOf[other];
            if (other != c && id >= 0 && id < overlap.GetLength(1) && overlap[c, id] > most)
            {
                most = overlap[c, id];
                parent = other;
            }
        }
        return parent;
    }

    /// <summary>Hungarian assignment of clusters to ids by speech in common; -1 for a cluster left without one.</summary>
    private int[] MapClusters(double[,] overlap, int k)
    {
        var idOf = new int[k];
        Array.Fill(idOf, -1);
        int ids = _nextSpeaker;
        if (ids == 0 || k == 0)
        {
            return idOf;
        }
        var assignment = Scoring.HungarianAlgorithm.Maximize(overlap);
        for (int c = 0; c < k; c++)
        {
            int id = assignment[c];
            if (id >= 0 && overlap[c, id] > 0)
            {
                idOf[c] = id;
            }
        }
        return idOf;
    }
}
