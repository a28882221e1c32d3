// The live diarizer: streaming speech detection, sliding-window vectors, online assignment and periodic
// re-clustering on a bounded summary, with speaker ids kept stable and every change to the past announced.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Embedding;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Speech;

namespace StreamDiarize.Core.Streaming;

/// <summary>
/// Wires the live stages, each in a file of its own:
/// <list type="number">
/// <item><see cref="FrameHistory"/>: the recent frames (<see cref="AnalysisFrameLayout"/>) and their streaming speech
/// decisions, committed <see cref="SessionOptions.LatencySeconds"/> after their frame.</item>
/// <item><see cref="LiveWindowVectorizer"/>: a window's vector by the rules and statistics offline uses
/// (<see cref="WindowVectorizer"/>), formed as soon as all its frames have a decision, so the window nearest a
/// committed frame is centred on it.</item>
/// <item><see cref="OnlineAssigner"/>: each new window's speaker at once (nearest centroid, or a new speaker).</item>
/// <item><see cref="WindowMemory"/>: recent windows whole, older ones folded into pre-clusters, within the horizon.</item>
/// <item><see cref="Reclusterer"/>: every so often, a <see cref="ReclusterPlan"/> for the whole memory, applied here.</item>
/// <item><see cref="TurnEmitter"/> and <see cref="LiveView"/>: final turns, relabels, merges; the provisional view.</item>
/// </list>
/// Everything is driven by frame indices, so the same frames give the same events however the audio was chunked.
/// </summary>
public sealed class OnlineDiarizer : IFrameDiarizer, IDisposable
{
    private readonly OnlineDiarizerOptions _options;
    private readonly double _hop;
    private readonly int _windowFrames;
    private readonly int _windowHopFrames;
    private readonly int _horizonFrames;
    private readonly bool _splitting;
    private readonly FrameHistory _frames;
    private readonly LiveWindowVectorizer _vectorizer;
    private readonly WindowSpace _space;
    private readonly SpeakerRoster _roster = new();
    private readonly OnlineAssigner _assigner;
    private readonly WindowMemory _memory;
    private readonly Reclusterer _reclusterer;
    private readonly TurnEmitter _turns;
    private readonly LiveView _view;
    private long _nextWindowStart;
    private int _windowsAtLastRecluster;
    private int _windowsSinceRecluster;
    private long _totalWindows;

    /// <param name="stages">Speech, embedding and clustering settings, shared with the offline default.</param>
    /// <param name="options">The live schedule and memory bounds.</param>
    /// <param name="session">This session's hints and latency.</param>
    /// <param name="windowEmbedder">
    /// Embeds each window's samples instead of taking MFCC statistics; frames must then carry their hop's samples
    /// (<see cref="DefaultFrameAnalyzer"/> with includeSamples). Null keeps the MFCC statistics.
    /// </param>
    /// <param name="speechDetector">
    /// Decides speech live with the session's latency as its lookahead; null: the energy detector of
    /// <see cref="DefaultDiarizerOptions.Speech"/> (<see cref="ForSession"/>). One reading samples makes the frames carry them.
    /// </param>
    /// <param name="clusterer">Clusters at each re-clustering; null: average linkage with <see cref="DefaultDiarizerOptions.Clustering"/>.</param>
    public OnlineDiarizer(DefaultDiarizerOptions stages, OnlineDiarizerOptions options, SessionOptions session, IWindowEmbedder? windowEmbedder = null,
        IStreamingSpeechDetector? speechDetector = null, IWeightedClusterer? clusterer = null)
    {
        stages.Validate();
        _options = options.Validate();
        Options.OptionsValidationException.ThrowIfAny(session.GetValidationErrors());
        if (windowEmbedder is not null && windowEmbedder.SampleRateHz != stages.Speech.SampleRateHz)
        {
            throw new ArgumentException(
                $"the window embedder takes {windowEmbedder.SampleRateHz} Hz audio; the session runs at {stages.Speech.SampleRateHz} Hz", nameof(windowEmbedder));
        }
        _hop = stages.Speech.HopSeconds;
        MayWait = windowEmbedder?.WaitsForOtherCallers ?? false;
        var rules = new WindowVectorizer(stages.Embedding);
        _windowFrames = rules.WindowFrames;
        _windowHopFrames = rules.HopFrames;
        _horizonFrames = (int)Math.Round(options.RelabelHorizonSeconds / _hop);
        int latencyFrames = (int)Math.Round(session.LatencySeconds / _hop);
        int gapFrames = (int)Math.Round(stages.Speech.GapFillSeconds / _hop);
        // Windows are formed up to latency + warm-up + a window behind the newest frame.
        int ringFrames = latencyFrames + _windowFrames * 2 + (int)Math.Round(options.SpeechWarmupSeconds / _hop) + 256;
        var speech = speechDetector ?? ForSession(stages, options, session);
        bool carrySamples = windowEmbedder is not null || speech.ReadsSamples;
        Layout = new AnalysisFrameLayout(stages.Embedding.Features.MfccCount, carrySamples ? stages.Speech.HopSamples : 0);
        _frames = new FrameHistory(Layout, stages.Embedding.FirstCoefficient, ringFrames, speech);

        // Recursive splitting at each re-clustering (MFCC statistics only): each window also keeps its statistics over
        // voiced frames away from bridged pauses, and each pre-cluster their sums, so any cluster can be re-normalised.
        var splitter = windowEmbedder is null && stages.Split.MaxDepth > 0 && options.RecursiveSplitting ? new RecursiveSplitter(stages.Split, stages.Clustering) : null;
        _splitting = splitter is not null;
        int pitchDims = windowEmbedder is null ? stages.Embedding.PitchDims : 0;
        _space = new WindowSpace(windowEmbedder?.Dimension ?? stages.Embedding.Dims, pitchDims, windowEmbedder?.ZScoreAcrossWindows ?? true, stages.Embedding.PitchWeight, stages.Embedding.Epsilon);
        var pool = new VectorPool(_space.Dims, options.MaxActiveWindows);
        _vectorizer = new LiveWindowVectorizer(rules, _frames, pool, _space, windowEmbedder);
        _assigner = new OnlineAssigner(_space, _roster, options.NewSpeakerDistance, session);
        _memory = new WindowMemory(options, _space, pool, _splitting);
        _reclusterer = new Reclusterer(stages, options, session, _space, splitter, clusterer);
        int pieceFrames = Math.Max(1, (int)Math.Round(options.FinalPieceSeconds / _hop));
        _turns = new TurnEmitter(_frames, _memory, _roster, stages.DropPausesBetweenSpeakers, gapFrames, pieceFrames, _hop);
        _view = new LiveView(_frames, _roster, _turns, gapFrames, _hop);
    }

    /// <summary>
    /// The default live speech detector of the window diarizer: band energy with a running floor, the session's latency
    /// as lookahead; digital silence is read as any other frame (<see cref="EnergySpeechDetectorOptions.ForWindowRepresentation"/>).
    /// </summary>
    public static StreamingSpeechDetector ForSession(DefaultDiarizerOptions stages, OnlineDiarizerOptions options, SessionOptions session) =>
        new(stages.ForSession(session).Speech.ForWindowRepresentation(live: true), session.LatencySeconds, options.SpeechHistorySeconds, options.SpeechWarmupSeconds, options.SpeechMinRangeDb,
            trustVoicedShare: options.SpeechTrustVoicedShare, trustAfterSeconds: options.SpeechTrustAfterSeconds);

    /// <summary>The frames this diarizer reads (<see cref="DefaultFrameAnalyzer"/> writes the same layout).</summary>
    public AnalysisFrameLayout Layout { get; }

    /// <summary>
    /// Values per analysis frame this diarizer expects: the cues and the MFCCs of the embedding's featurizer, plus the
    /// hop's samples when a window embedder is used.
    /// </summary>
    public int FrameDims => Layout.Dims;

    /// <summary>Whether a window's embedding may wait for a batch shared with other sessions.</summary>
    public bool MayWait { get; }

    /// <summary>Re-clusterings run so far (for benchmarks and tests).</summary>
    public int Reclusterings => _roster.Reclusterings;

    /// <summary>Windows and pre-clusters the last re-clustering saw; bounded by the options.</summary>
    public int LastReclusterSize { get; private set; }

    private double Now => _frames.Received * _hop;

    public void OnFrame(long frameIndex, ReadOnlySpan<float> frame, List<DiarizationEvent> events)
    {
        _frames.Push(frameIndex, frame);
        if (_frames.Received % 5 == 0)
        {
            Advance(events, endOfStream: false);
            _view.Update(events);
        }
    }

    public void Complete(List<DiarizationEvent> events)
    {
        _frames.Speech.Finish();
        Advance(events, endOfStream: true);
        if (_windowsSinceRecluster > 0 || Reclusterings == 0)
        {
            Recluster(events);
        }
        _turns.Close(events);
        _view.End(events, Now);
        events.Add(new SessionEndedEvent(Now, _roster.Count, _turns.SpeechSeconds, _turns.FinalSegments));
    }

    /// <summary>Releases the speech detector when it holds resources (a VAD model's lease).</summary>
    public void Dispose() => (_frames.Speech as IDisposable)?.Dispose();

    private void Advance(List<DiarizationEvent> events, bool endOfStream)
    {
        // 1. Windows whose frames all have a speech decision.
        long received = _frames.Received;
        long committed = _frames.Speech.Committed;
        long decided = Math.Max(committed, _frames.Speech.ProvisionalEnd);
        long lastStart = endOfStream ? Math.Max(0, received - _windowFrames) : decided - _windowFrames;
        while (_nextWindowStart <= lastStart && (_nextWindowStart + _windowFrames <= decided || endOfStream))
        {
            AddWindow(_nextWindowStart, Math.Min(_nextWindowStart + _windowFrames, received), events);
            _nextWindowStart += _windowHopFrames;
            if (endOfStream && received < _windowFrames)
            {
                break;
            }
        }

        // 2. Committed frames become final turns. Before the first window there is nothing to label them with.
        if (_memory.Count > 0 || endOfStream)
        {
            _turns.Label(committed, events, Now);
        }

        // 3. Bound the memory: fold old windows into pre-clusters, forget what is past the horizon.
        _memory.FoldIfFull();
        long limit = _turns.Labelled - _horizonFrames;
        if (limit > 0)
        {
            _memory.Trim(limit, _turns.ForgetBefore(limit) ?? _memory.Base + _memory.Count);
        }
    }

    private void AddWindow(long start, long end, List<DiarizationEvent> events)
    {
        if (_vectorizer.Vector(start, end) is not { } vector)
        {
            return;
        }
        _space.Add(vector);
        _totalWindows++;
        int speaker = _assigner.Assign(vector, events, Now);
        var split = _splitting ? _vectorizer.SplitVector(start, end, vector) : null;
        _memory.Add(new LiveWindow(_vectorizer.Rules.Centre(start), vector, speaker) { Split = split });
        _windowsSinceRecluster++;
        _roster.Latest = speaker;

        int due = Math.Clamp((int)Math.Ceiling(_options.ReclusterGrowthFraction * _windowsAtLastRecluster), _options.ReclusterMinNewWindows, _options.ReclusterMaxNewWindows);
        if (_windowsSinceRecluster >= due && _totalWindows >= _options.FirstReclusterWindows)
        {
            Recluster(events);
        }
    }

    private void Recluster(List<DiarizationEvent> events)
    {
        _windowsSinceRecluster = 0;
        _windowsAtLastRecluster = (int)Math.Min(int.MaxValue, _totalWindows);
        _roster.BeginRecluster();
        // Turns already emitted can only change by explicit events: send the open piece first.
        _turns.SendOpenPiece(events);
        var plan = _reclusterer.Plan(_memory, _roster.NextId);
        LastReclusterSize = plan.Size;
        if (plan.Size == 0)
        {
            return;
        }
        for (int i = 0; i < plan.NewSpeakers; i++)
        {
            _roster.Add(events, Now);
        }
        for (int m = 0; m < plan.Size; m++)
        {
            var (p, i) = plan.Members[m];
            if (p >= 0)
            {
                _memory.PreClusters[p].Speaker = plan.Targets[m];
            }
            else
            {
                _memory.Windows[i].Speaker = plan.Targets[m];
            }
        }
        foreach (var (from, into) in plan.Merged.OrderBy(kv => kv.Key))
        {
            events.Add(new MergeEvent(Now, SpeakerRoster.Name(from), SpeakerRoster.Name(into)));
        }
        _turns.Relabel(plan.Merged, events, Now);
        foreach (var gone in plan.Gone)
        {
            _roster.Remove(gone);
        }
        if (_roster.Latest >= 0 && _memory.Count > 0)
        {
            _roster.Latest = _memory.SpeakerOf(_memory.Windows[^1]);
        }
        _assigner.Replace(plan.Centroids);
    }
}
