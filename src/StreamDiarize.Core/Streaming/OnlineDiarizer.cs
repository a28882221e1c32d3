// The live diarizer: streaming speech detection, sliding-window embeddings, online assignment and periodic
// re-clustering on a bounded summary, with speaker ids kept stable and every change to the past announced.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Embedding;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Streaming;

/// <summary>
/// Consumes analysis frames laid out as [band energy dB, voicing, pitch lag, MFCC c0..] (see <see cref="DefaultFrameAnalyzer"/>),
/// followed, when windows are embedded by an <see cref="IWindowEmbedder"/>, by the hop's new samples.
/// <list type="bullet">
/// <item>Speech decisions are committed <see cref="SessionOptions.LatencySeconds"/> after their frame; committed speech
/// frames take the speaker of the nearest window and become final turns. A window is formed as soon as all its frames
/// have a decision (committed or provisional), so the window nearest a committed frame is centred on it, not half a
/// window behind.</item>
/// <item>Each new window gets a provisional speaker at once (nearest centroid, or a new speaker when far from all).</item>
/// <item>Re-clustering runs on the recent windows plus pre-clusters of old ones (both bounded), so its cost stops
/// growing with the session; as offline, it then splits clusters recursively (<see cref="RecursiveSplitter"/> over
/// the windows' and pre-clusters' splitting statistics). Its result is mapped onto the existing ids by maximum overlap
/// (Hungarian); any final turn whose speaker changes is announced with <see cref="RelabelEvent"/>, or
/// <see cref="MergeEvent"/> when a whole speaker folds into another.</item>
/// <item>As offline (<see cref="DefaultDiarizerOptions.DropPausesBetweenSpeakers"/>), a bridged pause becomes silence
/// between two speakers; it is held until the frame after it is labelled.</item>
/// </list>
/// Everything is driven by frame indices, so the same frames give the same events however the audio was chunked.
/// </summary>
public sealed class OnlineDiarizer : IFrameDiarizer
{
    public const int EnergyIndex = 0;
    public const int VoicingIndex = 1;
    public const int LagIndex = 2;
    public const int MfccOffset = 3;

    private readonly OnlineDiarizerOptions _options;
    private readonly DefaultDiarizerOptions _stages;
    private readonly SessionOptions _session;
    private readonly StreamingSpeechDetector _sad;
    private readonly AgglomerativeClusterer _clusterer;

    // Recursive splitting at each re-clustering (MFCC statistics only): each window also keeps its statistics over
    // voiced frames away from bridged pauses, and each pre-cluster their sums, so any cluster can be re-normalised.
    private readonly RecursiveSplitter? _splitter;
    private readonly bool _separateSplitStatistics;
    private readonly bool _dropPauses;
    private readonly double _hop;
    private readonly int _coefficients;
    private readonly int _firstCoefficient;
    private readonly int _dims;
    private readonly int _windowFrames;
    private readonly int _windowHopFrames;
    private readonly double _minSpeechFrames;
    private readonly int _ringFrames;
    private readonly float[] _mfccRing;
    private readonly int _latencyFrames;
    private readonly int _pieceFrames;
    private readonly int _gapFrames;
    private readonly int _horizonFrames;

    // Only with a window embedder: the recent samples, rebuilt from the frames (each carries its hop), and one window's copy.
    private readonly IWindowEmbedder? _embedder;
    private readonly bool _zScore;
    private readonly int _hopSamples;
    private readonly int _windowSamples;
    private readonly int _samplesOffset;
    private readonly float[] _sampleRing = [];
    private readonly int _ringSamples;
    private readonly float[] _windowBuffer = [];
    private readonly float[] _embedding = [];
    private readonly SampleRange[] _oneWindow = new SampleRange[1];

    // Windows inside the relabel horizon, oldest first; _windows[i] has global index _windowBase + i.
    private readonly List<Window> _windows = [];
    private long _windowBase;
    private long _nextWindowStart;
    private int _activeWindows;
    private readonly List<PreCluster> _preClusters = [];

    // Running statistics of all window vectors, for the z-score across windows.
    private readonly double[] _statSum;
    private readonly double[] _statSquares;
    private readonly long[] _statCounts;

    // Pitch statistics (log F0 mean and deviation) close each window vector when the embedding asks for them.
    private readonly int _pitchDims;
    private readonly int _statsDims;
    private readonly float[] _voicingRing;
    private readonly float[] _lagRing;

    // The normalisation and centroids used for online assignment until the next re-clustering.
    private readonly double[] _snapMean;
    private readonly double[] _snapScale;
    private readonly Dictionary<int, double[]> _centroids = [];
    private readonly Stack<double[]> _vectorPool = new();
    private readonly double[] _scratchVector;
    private int _windowsAtLastRecluster;
    private int _windowsSinceRecluster;
    private long _totalWindows;

    // Final turns inside the horizon, as runs of frames labelled from one window.
    private readonly List<Run> _runs = [];
    private OpenTurn? _open;
    private long _labelled;
    private long _pauseStart = -1;
    private readonly HashSet<int> _speakers = [];

    // The re-clustering count when each speaker id was made: an id no later re-clustering has kept may yet be merged.
    private readonly Dictionary<int, int> _speakerSince = [];
    private int _nextSpeaker;
    private int _latestSpeaker = -1;

    // What the live view was last told.
    private int? _currentSpeaker;
    private long _silenceStart = -1;
    private SpeakerSegment? _lastProvisional;
    private long _received;
    private double _speechSeconds;
    private int _finalSegments;

    /// <param name="stages">Speech, embedding and clustering settings, shared with the offline default.</param>
    /// <param name="options">The live schedule and memory bounds.</param>
    /// <param name="session">This session's hints and latency.</param>
    /// <param name="windowEmbedder">
    /// Embeds each window's samples instead of taking MFCC statistics; frames must then carry their hop's samples
    /// (<see cref="DefaultFrameAnalyzer"/> with includeSamples). Null keeps the MFCC statistics.
    /// </param>
    public OnlineDiarizer(DefaultDiarizerOptions stages, OnlineDiarizerOptions options, SessionOptions session, IWindowEmbedder? windowEmbedder = null)
    {
        _stages = stages.Validate();
        _options = options.Validate();
        Options.OptionsValidationException.ThrowIfAny(session.GetValidationErrors());
        _session = session;
        _hop = stages.Speech.HopSeconds;
        _sad = new StreamingSpeechDetector(stages.Speech, session.LatencySeconds, options.SpeechHistorySeconds, options.SpeechWarmupSeconds, options.SpeechMinRangeDb);
        _clusterer = new AgglomerativeClusterer(stages.Clustering);
        if (windowEmbedder is null && stages.Split.MaxDepth > 0 && options.RecursiveSplitting)
        {
            _splitter = new RecursiveSplitter(stages.Split, stages.Clustering);
        }
        _dropPauses = stages.DropPausesBetweenSpeakers;
        _firstCoefficient = stages.Embedding.FirstCoefficient;
        _coefficients = stages.Embedding.CoefficientCount;
        _pitchDims = windowEmbedder is null ? stages.Embedding.PitchDims : 0;
        _statsDims = windowEmbedder?.Dimension ?? stages.Embedding.Dims;
        _dims = _statsDims + _pitchDims;
        // As offline: with the voicing cue, splitting statistics use voiced frames only; without it, the window's own.
        _separateSplitStatistics = _pitchDims > 0 && stages.Embedding.SplitVoicingThreshold > 0;
        _embedder = windowEmbedder;
        _zScore = windowEmbedder?.ZScoreAcrossWindows ?? true;
        _hopSamples = stages.Speech.HopSamples;
        _samplesOffset = MfccOffset + stages.Embedding.Features.MfccCount;
        _windowFrames = (int)Math.Round(stages.Embedding.WindowSeconds / _hop);
        _windowHopFrames = (int)Math.Round(stages.Embedding.WindowHopSeconds / _hop);
        _minSpeechFrames = stages.Embedding.MinSpeechFraction * _windowFrames;
        _latencyFrames = (int)Math.Round(session.LatencySeconds / _hop);
        _pieceFrames = Math.Max(1, (int)Math.Round(options.FinalPieceSeconds / _hop));
        _gapFrames = (int)Math.Round(stages.Speech.GapFillSeconds / _hop);
        _horizonFrames = (int)Math.Round(options.RelabelHorizonSeconds / _hop);
        _ringFrames = _latencyFrames + _windowFrames * 2 + (int)Math.Round(options.SpeechWarmupSeconds / _hop) + 256;
        _mfccRing = new float[_ringFrames * _coefficients];
        if (windowEmbedder is not null)
        {
            if (windowEmbedder.SampleRateHz != stages.Speech.SampleRateHz)
            {
                throw new ArgumentException(
                    $"the window embedder takes {windowEmbedder.SampleRateHz} Hz audio; the session runs at {stages.Speech.SampleRateHz} Hz", nameof(windowEmbedder));
            }
            _windowSamples = (int)Math.Round(stages.Embedding.WindowSeconds * stages.Speech.SampleRateHz);
            // Windows are formed up to latency + warm-up + a window behind the newest frame, as the MFCC ring allows.
            _ringSamples = _ringFrames * _hopSamples;
            _sampleRing = new float[_ringSamples];
            _windowBuffer = new float[_windowSamples];
            _embedding = new float[_dims];
        }
        _statSum = new double[_dims];
        _statSquares = new double[_dims];
        _statCounts = new long[_dims];
        _voicingRing = new float[_ringFrames];
        _lagRing = new float[_ringFrames];
        _snapMean = new double[_dims];
        _snapScale = new double[_dims];
        _scratchVector = new double[_dims];
    }

    /// <summary>
    /// Frames of analysis this diarizer expects: 2 + the MFCC count of the embedding's featurizer, plus the hop's samples
    /// when a window embedder is used.
    /// </summary>
    public int FrameDims => _samplesOffset + (_embedder is null ? 0 : _hopSamples);

    /// <summary>Re-clusterings run so far (for benchmarks and tests).</summary>
    public int Reclusterings { get; private set; }

    /// <summary>Windows and pre-clusters the last re-clustering saw; bounded by the options.</summary>
    public int LastReclusterSize { get; private set; }

    public void OnFrame(long frameIndex, ReadOnlySpan<float> frame, List<DiarizationEvent> events)
    {
        if (frameIndex != _received)
        {
            throw new ArgumentException($"frame {frameIndex} arrived, {_received} was expected: frames must come in order", nameof(frameIndex));
        }
        if (frame.Length < FrameDims)
        {
            throw new ArgumentException($"an analysis frame has {frame.Length} values; this diarizer needs {FrameDims}", nameof(frame));
        }
        _received++;
        frame.Slice(MfccOffset + _firstCoefficient, _coefficients).CopyTo(_mfccRing.AsSpan((int)(frameIndex % _ringFrames) * _coefficients, _coefficients));
        if (_embedder is not null)
        {
            frame.Slice(_samplesOffset, _hopSamples).CopyTo(_sampleRing.AsSpan((int)(frameIndex * _hopSamples % _ringSamples), _hopSamples));
        }
        _voicingRing[frameIndex % _ringFrames] = frame[VoicingIndex];
        _lagRing[frameIndex % _ringFrames] = frame[LagIndex];
        _sad.Push(frame[EnergyIndex], frame[VoicingIndex]);
        if (_received % 5 == 0)
        {
            Advance(events, endOfStream: false);
            UpdateLiveView(events);
        }
    }

    public void Complete(List<DiarizationEvent> events)
    {
        _sad.Finish();
        Advance(events, endOfStream: true);
        if (_windowsSinceRecluster > 0 || Reclusterings == 0)
        {
            Recluster(events);
        }
        CloseOpenTurn(events);
        if (_currentSpeaker is not null)
        {
            events.Add(new SpeakerChangeEvent(_received * _hop, Name(_currentSpeaker.Value), null));
            _currentSpeaker = null;
        }
        events.Add(new SessionEndedEvent(_received * _hop, _speakers.Count, _speechSeconds, _finalSegments));
    }

    private static string Name(int speaker) => "S" + speaker.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void Advance(List<DiarizationEvent> events, bool endOfStream)
    {
        // 1. Windows whose frames all have a speech decision.
        long committed = _sad.Committed;
        long decided = Math.Max(committed, _sad.ProvisionalEnd);
        long lastStart = endOfStream ? Math.Max(0, _received - _windowFrames) : decided - _windowFrames;
        while (_nextWindowStart <= lastStart && (_nextWindowStart + _windowFrames <= decided || endOfStream))
        {
            AddWindow(_nextWindowStart, Math.Min(_nextWindowStart + _windowFrames, _received), events);
            _nextWindowStart += _windowHopFrames;
            if (endOfStream && _received < _windowFrames)
            {
                break;
            }
        }

        // 2. Committed frames become final turns. Before the first window there is nothing to label them with.
        if (_windows.Count > 0 || endOfStream)
        {
            LabelCommitted(committed, events);
        }

        // 3. Bound the memory: fold old windows into pre-clusters, forget what is past the horizon.
        if (_activeWindows > _options.MaxActiveWindows)
        {
            FoldOldWindows();
        }
        TrimHorizon();
    }

    private void AddWindow(long start, long end, List<DiarizationEvent> events)
    {
        int count = 0;
        for (long t = start; t < end; t++)
        {
            if (_sad.IsSpeech(t))
            {
                count++;
            }
        }
        if (count == 0 || count < _minSpeechFrames)
        {
            return;
        }
        var vector = _embedder is null ? StatsVector(start, end, count) : EmbedWindow(start);
        for (int k = 0; k < _dims; k++)
        {
            if (!double.IsNaN(vector[k]))
            {
                _statSum[k] += vector[k];
                _statSquares[k] += vector[k] * vector[k];
                _statCounts[k]++;
            }
        }
        _totalWindows++;

        int speaker = AssignOnline(vector, events);
        var split = _splitter is null ? null : _separateSplitStatistics ? SplitVector(start, end, vector) : vector;
        _windows.Add(new Window(start + _windowFrames / 2, vector, speaker) { Split = split });
        _activeWindows++;
        _windowsSinceRecluster++;
        _latestSpeaker = speaker;

        int due = Math.Clamp((int)Math.Ceiling(_options.ReclusterGrowthFraction * _windowsAtLastRecluster), _options.ReclusterMinNewWindows, _options.ReclusterMaxNewWindows);
        if (_windowsSinceRecluster >= due && _totalWindows >= _options.FirstReclusterWindows)
        {
            Recluster(events);
        }
    }

    /// <summary>
    /// The window's samples (from its first frame's start, as the offline path places them; shorter at the end of the
    /// stream) through the embedder. The embedding is used as it comes, unit length; no statistics are taken.
    /// </summary>
    private double[] EmbedWindow(long startFrame)
    {
        long first = startFrame * _hopSamples;
        long available = _received * _hopSamples;
        if (first < available - _ringSamples)
        {
            throw new InvalidOperationException($"window at frame {startFrame} is older than the sample ring ({_ringSamples} samples) holds");
        }
        int length = (int)Math.Min(_windowSamples, available - first);
        for (int i = 0; i < length; i++)
        {
            _windowBuffer[i] = _sampleRing[(int)((first + i) % _ringSamples)];
        }
        _oneWindow[0] = new SampleRange(0, length);
        _embedder!.EmbedWindows(_windowBuffer.AsMemory(0, length), _oneWindow, _embedding);
        var vector = RentVector();
        for (int k = 0; k < _dims; k++)
        {
            vector[k] = _embedding[k];
        }
        return vector;
    }

    private double[] StatsVector(long start, long end, int count)
    {
        // Raw mean and deviation of the speech frames' coefficients. The session's CMVN and the z-score across windows
        // are both per-dimension affine maps, so they are applied at clustering time with the statistics of that moment.
        var vector = RentVector();
        var mean = vector.AsSpan(0, _coefficients);
        for (long t = start; t < end; t++)
        {
            if (_sad.IsSpeech(t))
            {
                var row = Mfcc(t);
                for (int k = 0; k < _coefficients; k++)
                {
                    mean[k] += row[k];
                }
            }
        }
        for (int k = 0; k < _coefficients; k++)
        {
            mean[k] /= count;
        }
        if (_stages.Embedding.IncludeStd)
        {
            var std = vector.AsSpan(_coefficients, _coefficients);
            for (long t = start; t < end; t++)
            {
                if (_sad.IsSpeech(t))
                {
                    var row = Mfcc(t);
                    for (int k = 0; k < _coefficients; k++)
                    {
                        double x = row[k] - mean[k];
                        std[k] += x * x;
                    }
                }
            }
            for (int k = 0; k < _coefficients; k++)
            {
                std[k] = Math.Sqrt(std[k] / count);
            }
        }
        if (_pitchDims > 0)
        {
            AddPitchStatistics(vector.AsSpan(_statsDims, 2), start, end);
        }
        return vector;
    }

    /// <summary>
    /// The window's raw statistics for splitting, as the offline embedder takes them: MFCC mean and deviation over the
    /// speech frames voiced above <see cref="WindowStatsEmbedderOptions.SplitVoicingThreshold"/>, then the window's pitch
    /// pair. Null when too few frames are voiced, or when the window holds a bridged pause (it likely spans two turns).
    /// </summary>
    private double[]? SplitVector(long start, long end, double[] vector)
    {
        var embedding = _stages.Embedding;
        double threshold = embedding.SplitVoicingThreshold;
        int count = 0;
        for (long t = start; t < end; t++)
        {
            if (_sad.IsPause(t))
            {
                return null;
            }
            if (_sad.IsSpeech(t) && _voicingRing[t % _ringFrames] > threshold)
            {
                count++;
            }
        }
        if (count < embedding.MinStatisticsFrames)
        {
            return null;
        }
        var split = RentVector();
        var mean = split.AsSpan(0, _coefficients);
        for (long t = start; t < end; t++)
        {
            if (_sad.IsSpeech(t) && _voicingRing[t % _ringFrames] > threshold)
            {
                var row = Mfcc(t);
                for (int k = 0; k < _coefficients; k++)
                {
                    mean[k] += row[k];
                }
            }
        }
        for (int k = 0; k < _coefficients; k++)
        {
            mean[k] /= count;
        }
        if (embedding.IncludeStd)
        {
            var std = split.AsSpan(_coefficients, _coefficients);
            for (long t = start; t < end; t++)
            {
                if (_sad.IsSpeech(t) && _voicingRing[t % _ringFrames] > threshold)
                {
                    var row = Mfcc(t);
                    for (int k = 0; k < _coefficients; k++)
                    {
                        double x = row[k] - mean[k];
                        std[k] += x * x;
                    }
                }
            }
            for (int k = 0; k < _coefficients; k++)
            {
                std[k] = Math.Sqrt(std[k] / count);
            }
        }
        vector.AsSpan(_statsDims, _pitchDims).CopyTo(split.AsSpan(_statsDims, _pitchDims));
        return split;
    }

    /// <summary>Mean and deviation of log F0 over the window's voiced speech frames, as the offline embedder takes them; NaN when too few.</summary>
    private void AddPitchStatistics(Span<double> pitch, long start, long end)
    {
        var embedding = _stages.Embedding;
        var accumulator = default(PitchAccumulator);
        for (long t = start; t < end; t++)
        {
            float lag = _lagRing[t % _ringFrames];
            if (_sad.IsSpeech(t) && _voicingRing[t % _ringFrames] > embedding.PitchVoicingThreshold && lag > 0)
            {
                accumulator.Add(lag, embedding.Features.SampleRateHz);
            }
        }
        accumulator.WriteTo(pitch, embedding.PitchMinVoicedFrames);
    }

    /// <summary>A zeroed window vector: from those of folded windows when there are some, so that steady state allocates none.</summary>
    private double[] RentVector()
    {
        if (_vectorPool.TryPop(out var vector))
        {
            Array.Clear(vector);
            return vector;
        }
        return new double[_dims];
    }

    private void ReturnVector(double[] vector)
    {
        // Bounded: at most the vectors of the windows folded at once, which the next windows take back.
        if (_vectorPool.Count < _options.MaxActiveWindows)
        {
            _vectorPool.Push(vector);
        }
    }

    private ReadOnlySpan<float> Mfcc(long frame) => _mfccRing.AsSpan((int)(frame % _ringFrames) * _coefficients, _coefficients);

    /// <summary>The nearest centroid, or a new speaker when every centroid is further than the threshold.</summary>
    private int AssignOnline(double[] vector, List<DiarizationEvent> events)
    {
        if (_centroids.Count == 0)
        {
            return _speakers.Count == 0 ? NewSpeaker(events) : _latestSpeaker >= 0 ? _latestSpeaker : 0;
        }
        var normalised = _scratchVector;
        Normalise(vector, _snapMean, _snapScale, normalised);
        int best = -1;
        double bestDistance = double.MaxValue;
        foreach (var (speaker, centroid) in _centroids)
        {
            double d = 1 - Dot(normalised, centroid);
            if (d < bestDistance || (d == bestDistance && speaker < best))
            {
                bestDistance = d;
                best = speaker;
            }
        }
        bool mayAdd = _session.ExactSpeakers is null && _speakers.Count < _session.MaxSpeakers;
        if (bestDistance > _options.NewSpeakerDistance && mayAdd)
        {
            int added = NewSpeaker(events);
            _centroids[added] = (double[])normalised.Clone();
            return added;
        }
        return best;
    }

    private int NewSpeaker(List<DiarizationEvent> events)
    {
        int id = _nextSpeaker++;
        _speakers.Add(id);
        _speakerSince[id] = Reclusterings;
        events.Add(new SpeakerAddedEvent(_received * _hop, Name(id)));
        return id;
    }

    private void LabelCommitted(long committed, List<DiarizationEvent> events)
    {
        int w = NearestWindowIndex(_labelled);
        for (long t = _labelled; t < committed; t++)
        {
            bool speech = _sad.IsSpeech(t);
            if (speech && _dropPauses && _sad.IsPause(t))
            {
                // A bridged pause waits for the frame after it, which says whether one speaker talks on both sides.
                // What came before it leaves now, so only the pause itself is late (at most the lookahead).
                if (_pauseStart < 0)
                {
                    _pauseStart = t;
                    if (_open is { } before)
                    {
                        EmitPiece(before, events);
                    }
                }
                continue;
            }
            int speaker = -1;
            long windowIndex = -1;
            if (speech && _windows.Count == 0)
            {
                speaker = _speakers.Count == 0 ? NewSpeaker(events) : 0;
            }
            else if (speech)
            {
                while (w + 1 < _windows.Count && Math.Abs(_windows[w + 1].Centre - t) < Math.Abs(_windows[w].Centre - t))
                {
                    w++;
                }
                speaker = SpeakerOf(_windows[w]);
                windowIndex = _windowBase + w;
            }
            if (_pauseStart >= 0)
            {
                ResolvePause(t, speaker, events);
            }
            if (!speech)
            {
                CloseOpenTurn(events);
                continue;
            }
            AppendFinalFrame(t, speaker, windowIndex, events);
        }
        _labelled = Math.Max(_labelled, committed);
        if (_open is { } open && open.End - open.PieceStart >= _pieceFrames)
        {
            EmitPiece(open, events);
        }
    }

    /// <summary>
    /// The pause held since <see cref="_pauseStart"/> ends before frame <paramref name="end"/>, whose speaker is
    /// <paramref name="after"/> (-1 for silence). As offline (<see cref="DefaultDiarizer.DropPausesBetweenSpeakers"/>), it
    /// takes the speaker of the frame before it when that is the same speaker, and is silence otherwise.
    /// </summary>
    private void ResolvePause(long end, int after, List<DiarizationEvent> events)
    {
        // The speech before the pause is the end of the last final run (whose speaker re-clustering keeps current).
        // When a gap was too long to fill whole before its first frames were committed as silence, only its end is
        // a pause; the speech before it is still the run that ended at the gap.
        int before = after >= 0 && _runs.Count > 0 && _pauseStart - _runs[^1].End < _gapFrames ? _runs[^1].Speaker : -1;
        // Silence is final, so a pause is dropped only between two speakers that re-clustering has confirmed: an id
        // made by the latest re-clustering or since (online) may yet merge back, and the pause would be lost for good.
        bool twoSpeakers = before >= 0 && before != after && Confirmed(before) && Confirmed(after);
        if (before >= 0 && !twoSpeakers)
        {
            long window = _runs[^1].Window;
            for (long f = _pauseStart; f < end; f++)
            {
                AppendFinalFrame(f, before, window, events);
            }
        }
        else
        {
            CloseOpenTurn(events);
        }
        _pauseStart = -1;
    }

    private bool Confirmed(int speaker) => _speakerSince.TryGetValue(speaker, out int since) && Reclusterings > since + 1;

    private int NearestWindowIndex(long frame)
    {
        if (_windows.Count == 0)
        {
            return 0;
        }
        int lo = 0, hi = _windows.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (_windows[mid].Centre < frame)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return Math.Max(0, lo - 1);
    }

    private int SpeakerOf(Window window) => window.PreCluster >= 0 ? _preClusters[Resolve(window.PreCluster)].Speaker : window.Speaker;

    private void AppendFinalFrame(long t, int speaker, long windowIndex, List<DiarizationEvent> events)
    {
        if (_open is { } open && (open.Speaker != speaker || open.End != t))
        {
            CloseOpenTurn(events);
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

    private void EmitPiece(OpenTurn open, List<DiarizationEvent> events)
    {
        if (open.End <= open.PieceStart)
        {
            return;
        }
        events.Add(new SegmentEvent(new SpeakerSegment(open.PieceStart * _hop, open.End * _hop, Name(open.Speaker)), true));
        _speechSeconds += (open.End - open.PieceStart) * _hop;
        if (open.PieceStart == open.Start)
        {
            _finalSegments++;
        }
        open.PieceStart = open.End;
    }

    private void CloseOpenTurn(List<DiarizationEvent> events)
    {
        if (_open is { } open)
        {
            EmitPiece(open, events);
            _open = null;
        }
    }

    /// <summary>Provisional turn and current speaker for the newest audio (not yet committed).</summary>
    private void UpdateLiveView(List<DiarizationEvent> events)
    {
        long from = _sad.Committed;
        long to = _sad.ProvisionalEnd;
        long firstSpeech = -1;
        long lastSpeech = -1;
        for (long t = from; t < to; t++)
        {
            if (_sad.IsSpeech(t))
            {
                if (firstSpeech < 0)
                {
                    firstSpeech = t;
                }
                lastSpeech = t;
            }
        }
        int? now = _currentSpeaker;
        if (lastSpeech >= 0 && lastSpeech >= to - 2 && _speakers.Count > 0)
        {
            now = _latestSpeaker >= 0 ? _latestSpeaker : 0;
            _silenceStart = -1;
        }
        else if (_currentSpeaker is not null)
        {
            // A pause shorter than gap filling is part of the turn; only a longer silence ends it.
            if (_silenceStart < 0)
            {
                _silenceStart = Math.Max(lastSpeech + 1, from);
            }
            if (to - _silenceStart >= (long)Math.Round(_stages.Speech.GapFillSeconds / _hop))
            {
                now = null;
            }
        }
        if (now != _currentSpeaker)
        {
            long at = now is null ? _silenceStart : (firstSpeech >= 0 ? firstSpeech : from);
            events.Add(new SpeakerChangeEvent(at * _hop, _currentSpeaker is int c ? Name(c) : null, now is int n ? Name(n) : null));
            _currentSpeaker = now;
        }
        if (firstSpeech >= 0 && _speakers.Count > 0)
        {
            long start = _open is { } open && open.End == from ? open.PieceStart : firstSpeech;
            var segment = new SpeakerSegment(start * _hop, (lastSpeech + 1) * _hop, Name(_latestSpeaker >= 0 ? _latestSpeaker : 0));
            if (_lastProvisional is not { } last || last.Speaker != segment.Speaker || segment.EndSeconds - last.EndSeconds >= 0.25 || segment.StartSeconds != last.StartSeconds)
            {
                events.Add(new SegmentEvent(segment, false));
                _lastProvisional = segment;
            }
        }
    }

    private void Recluster(List<DiarizationEvent> events)
    {
        _windowsSinceRecluster = 0;
        _windowsAtLastRecluster = (int)Math.Min(int.MaxValue, _totalWindows);
        Reclusterings++;
        // Turns already emitted can only change by explicit events: close the open piece first.
        if (_open is { } open)
        {
            EmitPiece(open, events);
        }

        // Points: live pre-clusters (weighted) and active windows.
        var members = new List<(int PreCluster, int Window)>();
        for (int p = 0; p < _preClusters.Count; p++)
        {
            if (_preClusters[p].Sum is not null)
            {
                members.Add((p, -1));
            }
        }
        for (int i = 0; i < _windows.Count; i++)
        {
            if (_windows[i].PreCluster < 0)
            {
                members.Add((-1, i));
            }
        }
        int n = members.Count;
        LastReclusterSize = n;
        if (n == 0)
        {
            return;
        }
        ComputeSnapshot();
        var points = new double[n * _dims];
        var weights = new double[n];
        var current = new int[n];
        var forSplitting = _splitter is null ? null
            : new FoldedWindowStatistics(_statsDims, _pitchDims > 0, _stages.Embedding.PitchWeight, _stages.Embedding.Epsilon, n);
        var pointOfPreCluster = forSplitting is null ? null : new int[_preClusters.Count];
        var windowPoints = forSplitting is null ? null : new int[_windows.Count];
        for (int m = 0; m < n; m++)
        {
            var (p, i) = members[m];
            if (forSplitting is not null)
            {
                if (p >= 0)
                {
                    pointOfPreCluster![p] = forSplitting.AddFolded(_preClusters[p].Split!);
                }
                else
                {
                    int point = forSplitting.AddWindow(_windows[i].Split);
                    windowPoints![i] = _windows[i].Split is null ? -1 : point;
                }
            }
            if (p >= 0)
            {
                var pc = _preClusters[p];
                for (int k = 0; k < _dims; k++)
                {
                    double weight = k < _statsDims ? pc.Weight : pc.PitchWeight;
                    _scratchVector[k] = weight > 0 ? pc.Sum![k] / weight : double.NaN;
                }
                Normalise(_scratchVector, _snapMean, _snapScale, points.AsSpan(m * _dims, _dims));
                weights[m] = pc.Weight;
                current[m] = pc.Speaker;
            }
            else
            {
                Normalise(_windows[i].Vector!, _snapMean, _snapScale, points.AsSpan(m * _dims, _dims));
                weights[m] = 1;
                current[m] = _windows[i].Speaker;
            }
        }

        int min = _session.ExactSpeakers ?? _session.MinSpeakers ?? 1;
        int max = _session.ExactSpeakers ?? _session.MaxSpeakers;
        double totalWeight = weights.Sum();
        int[] labels = totalWeight < _stages.Clustering.MinWindowsToCluster && min <= 1
            ? new int[n]
            : _clusterer.ClusterWeighted(points, weights, _dims, min, max);
        // The session-level cluster of each point: parts that splitting separates inside one are not told apart by
        // the session's space, so the relabel margin below does not judge moves between them.
        var top = labels;
        if (forSplitting is not null && min < max)
        {
            // Every remembered window, folded or not, in order: what the turn-taking check reads labels along.
            for (int i = 0; i < _windows.Count; i++)
            {
                var w = _windows[i];
                if (w.PreCluster >= 0)
                {
                    windowPoints![i] = w.HasSplit ? pointOfPreCluster![Resolve(w.PreCluster)] : -1;
                }
            }
            forSplitting.SetWindowPoints(windowPoints!);
            // As offline: an exact count is already met; otherwise look for voices inside the clusters, up to the maximum.
            labels = _splitter!.Split(labels, points, _dims, weights, forSplitting, max);
        }

        // Map the new clusters onto the ids in use by overlap, so "S2" stays S2.
        int clusters = labels.Length == 0 ? 0 : labels.Max() + 1;
        var ids = current.Distinct().OrderBy(x => x).ToArray();
        var overlap = new double[clusters, ids.Length];
        for (int m = 0; m < n; m++)
        {
            overlap[labels[m], Array.IndexOf(ids, current[m])] += weights[m];
        }
        var assignment = HungarianAlgorithm.Maximize(overlap);
        var newId = new int[clusters];
        for (int c = 0; c < clusters; c++)
        {
            int j = assignment[c];
            newId[c] = j >= 0 && overlap[c, j] > 0 ? ids[j] : -1;
        }
        for (int c = 0; c < clusters; c++)
        {
            if (newId[c] < 0)
            {
                newId[c] = NewSpeaker(events);
            }
        }

        // A point moves to another speaker only when its new cluster is clearly nearer than its old speaker's: points
        // near a boundary would otherwise flip back and forth between re-clusterings, and each flip is a Relabel.
        var proposed = Centroids(points, weights, n, m => newId[labels[m]]);
        var inside = forSplitting is not null && !ReferenceEquals(top, labels) ? new SplitSpaces(forSplitting, top, labels) : null;
        var target = new int[n];
        for (int m = 0; m < n; m++)
        {
            int to = newId[labels[m]];
            int from = current[m];
            if (to != from && proposed.TryGetValue(from, out var old))
            {
                int fromCluster = Array.IndexOf(newId, from);
                bool keep;
                if (inside is not null && inside.Compares(m, labels[m], fromCluster))
                {
                    // Both clusters came out of one session-level cluster: judge the move where splitting told them apart.
                    keep = inside.Distance(m, labels[m]) > inside.Distance(m, fromCluster) - _options.RelabelMargin;
                }
                else
                {
                    var row = points.AsSpan(m * _dims, _dims);
                    keep = 1 - Dot(row, proposed[to]) > 1 - Dot(row, old) - _options.RelabelMargin;
                }
                if (keep)
                {
                    to = from;
                }
            }
            target[m] = to;
        }

        // Apply, remembering where every old id went.
        var movedTo = new Dictionary<int, HashSet<int>>();
        for (int m = 0; m < n; m++)
        {
            int to = target[m];
            int from = current[m];
            if (!movedTo.TryGetValue(from, out var set))
            {
                movedTo[from] = set = [];
            }
            set.Add(to);
            var (p, i) = members[m];
            if (p >= 0)
            {
                _preClusters[p].Speaker = to;
            }
            else
            {
                _windows[i].Speaker = to;
            }
        }
        var survivors = new HashSet<int>(target);
        var merged = new Dictionary<int, int>();
        foreach (var (from, targets) in movedTo)
        {
            if (!survivors.Contains(from) && targets.Count == 1)
            {
                merged[from] = targets.First();
            }
        }
        foreach (var (from, into) in merged.OrderBy(kv => kv.Key))
        {
            events.Add(new MergeEvent(_received * _hop, Name(from), Name(into)));
        }
        RelabelRuns(merged, events);
        foreach (var gone in movedTo.Keys.Where(k => !survivors.Contains(k)))
        {
            _speakers.Remove(gone);
            _speakerSince.Remove(gone);
            _centroids.Remove(gone);
        }
        if (_latestSpeaker >= 0 && _windows.Count > 0)
        {
            _latestSpeaker = SpeakerOf(_windows[^1]);
        }

        // Centroids of the speakers as applied, in the snapshot's normalised space, for online assignment.
        _centroids.Clear();
        foreach (var (id, c) in Centroids(points, weights, n, m => target[m]))
        {
            _centroids[id] = c;
        }
    }

    /// <summary>
    /// For each session-level cluster that splitting divided, the normalisation over its own points (as
    /// <see cref="RecursiveSplitter"/> made it at its first level): each point's row there, and each final cluster's
    /// mean row, so that a point's distance to a cluster inside it is one minus their dot product (the mean similarity
    /// to the cluster's windows).
    /// </summary>
    private sealed class SplitSpaces
    {
        private readonly FoldedWindowStatistics _points;
        private readonly int[] _top;
        private readonly int[] _topOfCluster;
        private readonly int[] _rowOf;
        private readonly double[][] _rows;
        private readonly Dictionary<int, double[]> _profiles = [];

        public SplitSpaces(FoldedWindowStatistics points, int[] top, int[] labels)
        {
            _points = points;
            _top = top;
            int n = labels.Length;
            int clusters = labels.Max() + 1;
            int tops = top.Max() + 1;
            // A final cluster belongs to the session-level cluster that holds most of its windows.
            var share = new double[clusters, tops];
            for (int m = 0; m < n; m++)
            {
                share[labels[m], top[m]] += Math.Max(1, points.SplitWindows(m));
            }
            _topOfCluster = new int[clusters];
            var parts = new HashSet<int>[tops];
            for (int c = 0; c < clusters; c++)
            {
                int best = 0;
                for (int t = 1; t < tops; t++)
                {
                    best = share[c, t] > share[c, best] ? t : best;
                }
                _topOfCluster[c] = best;
                (parts[best] ??= []).Add(c);
            }
            _rowOf = new int[n];
            Array.Fill(_rowOf, -1);
            _rows = new double[tops][];
            int dims = points.Dims;
            for (int t = 0; t < tops; t++)
            {
                if (parts[t] is not { Count: > 1 })
                {
                    continue;
                }
                var members = new List<int>();
                for (int m = 0; m < n; m++)
                {
                    if (top[m] == t && points.SplitWindows(m) > 0)
                    {
                        _rowOf[m] = members.Count;
                        members.Add(m);
                    }
                }
                var rows = points.Normalise(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(members));
                _rows[t] = rows;
                var weight = new Dictionary<int, double>();
                for (int r = 0; r < members.Count; r++)
                {
                    int c = labels[members[r]];
                    if (_topOfCluster[c] != t)
                    {
                        continue;
                    }
                    if (!_profiles.TryGetValue(c, out var profile))
                    {
                        _profiles[c] = profile = new double[dims];
                    }
                    double w = points.SplitWindows(members[r]);
                    weight[c] = weight.GetValueOrDefault(c) + w;
                    for (int k = 0; k < dims; k++)
                    {
                        profile[k] += w * rows[r * dims + k];
                    }
                }
                foreach (var (c, w) in weight)
                {
                    var profile = _profiles[c];
                    for (int k = 0; k < dims; k++)
                    {
                        profile[k] /= w;
                    }
                }
            }
        }

        /// <summary>Whether point <paramref name="m"/> and both clusters lie in one divided session-level cluster.</summary>
        public bool Compares(int m, int cluster, int other) =>
            _rowOf[m] >= 0 && other >= 0 && _topOfCluster[cluster] == _top[m] && _topOfCluster[other] == _top[m]
            && _profiles.ContainsKey(cluster) && _profiles.ContainsKey(other);

        public double Distance(int m, int cluster)
        {
            int dims = _points.Dims;
            var row = _rows[_top[m]].AsSpan(_rowOf[m] * dims, dims);
            return 1 - Dot(row, _profiles[cluster]);
        }
    }

    /// <summary>Unit-length weighted mean of the points of each id.</summary>
    private Dictionary<int, double[]> Centroids(double[] points, double[] weights, int n, Func<int, int> idOf)
    {
        var result = new Dictionary<int, double[]>();
        for (int m = 0; m < n; m++)
        {
            int id = idOf(m);
            if (!result.TryGetValue(id, out var c))
            {
                result[id] = c = new double[_dims];
            }
            var row = points.AsSpan(m * _dims, _dims);
            for (int k = 0; k < _dims; k++)
            {
                c[k] += weights[m] * row[k];
            }
        }
        foreach (var c in result.Values)
        {
            double norm = Math.Sqrt(Dot(c, c));
            for (int k = 0; k < _dims && norm > 0; k++)
            {
                c[k] /= norm;
            }
        }
        return result;
    }

    /// <summary>Every final run whose window now has another speaker is announced, joined into contiguous ranges.</summary>
    private void RelabelRuns(Dictionary<int, int> merged, List<DiarizationEvent> events)
    {
        RelabelEvent? pending = null;
        for (int r = 0; r < _runs.Count; r++)
        {
            var run = _runs[r];
            int now = run.Window < 0 ? (_windows.Count > 0 ? SpeakerOf(_windows[0]) : run.Speaker) : SpeakerOf(_windows[(int)(run.Window - _windowBase)]);
            if (now == run.Speaker)
            {
                continue;
            }
            bool announcedByMerge = merged.TryGetValue(run.Speaker, out int into) && into == now;
            if (!announcedByMerge)
            {
                double start = run.Start * _hop, end = run.End * _hop;
                if (pending is { } p && p.From == Name(run.Speaker) && p.To == Name(now) && Math.Abs(p.EndSeconds - start) < 1e-9)
                {
                    pending = p with { EndSeconds = end };
                }
                else
                {
                    if (pending is not null)
                    {
                        events.Add(pending);
                    }
                    pending = new RelabelEvent(_received * _hop, start, end, Name(run.Speaker), Name(now));
                }
            }
            _runs[r] = run with { Speaker = now };
        }
        if (pending is not null)
        {
            events.Add(pending);
        }
    }

    private void ComputeSnapshot()
    {
        double eps = _stages.Embedding.Epsilon;
        for (int k = 0; k < _dims; k++)
        {
            if (!_zScore)
            {
                // A speaker model's embeddings are compared as they are: the "snapshot" is the identity.
                _snapMean[k] = 0;
                _snapScale[k] = 1;
                continue;
            }
            long n = _statCounts[k];
            double mean = n > 0 ? _statSum[k] / n : 0;
            double variance = n > 0 ? Math.Max(0, _statSquares[k] / n - mean * mean) : 1;
            _snapMean[k] = mean;
            _snapScale[k] = 1 / (Math.Sqrt(variance) + eps);
        }
    }

    private void Normalise(ReadOnlySpan<double> raw, ReadOnlySpan<double> mean, ReadOnlySpan<double> scale, Span<double> output)
    {
        double norm = 0;
        for (int k = 0; k < _dims; k++)
        {
            double z = (raw[k] - mean[k]) * scale[k];
            if (k >= _statsDims)
            {
                // Pitch: a window without enough voiced frames sits at the average (0); the weight sets its say.
                z = double.IsNaN(z) ? 0 : z * _stages.Embedding.PitchWeight;
            }
            output[k] = z;
            norm += z * z;
        }
        norm = Math.Sqrt(norm) + _stages.Embedding.Epsilon;
        for (int k = 0; k < _dims; k++)
        {
            output[k] /= norm;
        }
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int k = 0; k < a.Length; k++)
        {
            s += a[k] * b[k];
        }
        return s;
    }

    /// <summary>Folds the oldest half of the active windows into pre-clusters of consecutive windows of one speaker.</summary>
    private void FoldOldWindows()
    {
        int toFold = _activeWindows - _options.MaxActiveWindows / 2;
        int i = 0;
        while (i < _windows.Count && _windows[i].PreCluster >= 0)
        {
            i++;
        }
        PreCluster? current = null;
        int inCurrent = 0;
        for (; i < _windows.Count && toFold > 0; i++, toFold--)
        {
            var w = _windows[i];
            if (current is null || current.Speaker != w.Speaker || inCurrent >= _options.WindowsPerPreCluster)
            {
                current = new PreCluster(new double[_dims], 0, w.Speaker)
                {
                    Split = _splitter is null ? null : new RunningWindowStatistics(_dims),
                };
                _preClusters.Add(current);
                inCurrent = 0;
            }
            if (w.Split is not null)
            {
                current.Split!.Add(w.Split);
            }
            for (int k = 0; k < _dims; k++)
            {
                // Pitch dimensions are NaN for windows with too little voicing; they are averaged over the others.
                if (!double.IsNaN(w.Vector![k]))
                {
                    current.Sum![k] += w.Vector[k];
                }
            }
            current.Weight++;
            if (_pitchDims > 0 && !double.IsNaN(w.Vector![_statsDims]))
            {
                current.PitchWeight++;
            }
            inCurrent++;
            w.PreCluster = _preClusters.Count - 1;
            ReturnVector(w.Vector!);
            if (w.Split is not null && !ReferenceEquals(w.Split, w.Vector))
            {
                ReturnVector(w.Split);
            }
            w.Vector = null;
            // The statistics live on in the pre-cluster's sums; whether there were any is kept for turn-taking.
            w.HasSplit = w.Split is not null;
            w.Split = null;
            _activeWindows--;
        }
        int live = _preClusters.Count(p => p.Sum is not null);
        if (live > _options.MaxPreClusters)
        {
            CoarsenPreClusters(live);
        }
    }

    /// <summary>
    /// Joins pre-clusters of the same speaker until a quarter fewer remain, most alike first (the smallest merges of
    /// average linkage over each speaker's pre-clusters); then compacts. Joining the closest keeps what later
    /// clustering and splitting can still tell apart: a joined pre-cluster is forced whole into one cluster for good.
    /// Likeness is measured where splitting looks for voices (each speaker's pre-clusters normalised over themselves),
    /// or without splitting in the session's space.
    /// </summary>
    private void CoarsenPreClusters(int live)
    {
        int target = _options.MaxPreClusters * 3 / 4;
        var bySpeaker = new Dictionary<int, List<int>>();
        for (int p = 0; p < _preClusters.Count; p++)
        {
            if (_preClusters[p].Sum is not null)
            {
                if (!bySpeaker.TryGetValue(_preClusters[p].Speaker, out var list))
                {
                    bySpeaker[_preClusters[p].Speaker] = list = [];
                }
                list.Add(p);
            }
        }
        var candidates = new List<(double Distance, int Speaker, int Order)>();
        var dendrograms = new Dictionary<int, AgglomerativeClusterer.Merge[]>();
        foreach (var (speaker, list) in bySpeaker)
        {
            if (list.Count < 2)
            {
                continue;
            }
            var merges = PreClusterLinkage(list);
            dendrograms[speaker] = merges;
            for (int i = 0; i < merges.Length; i++)
            {
                candidates.Add((merges[i].Distance, speaker, i));
            }
        }
        // The globally smallest merges; average linkage is monotone, so they are a prefix of each speaker's dendrogram.
        candidates.Sort((x, y) => x.Distance != y.Distance ? x.Distance.CompareTo(y.Distance) : x.Speaker != y.Speaker ? x.Speaker.CompareTo(y.Speaker) : x.Order.CompareTo(y.Order));
        var applied = new Dictionary<int, int>();
        for (int i = 0; i < candidates.Count && live > target; i++)
        {
            applied[candidates[i].Speaker] = applied.GetValueOrDefault(candidates[i].Speaker) + 1;
            live--;
        }
        foreach (var (speaker, count) in applied)
        {
            var list = bySpeaker[speaker];
            var groups = AgglomerativeClusterer.Cut(dendrograms[speaker], list.Count, count);
            var keepOf = new Dictionary<int, int>();
            for (int i = 0; i < list.Count; i++)
            {
                if (!keepOf.TryGetValue(groups[i], out int keep))
                {
                    // The earliest pre-cluster of each group takes in the others.
                    keepOf[groups[i]] = list[i];
                    continue;
                }
                var into = _preClusters[keep];
                var pc = _preClusters[list[i]];
                for (int k = 0; k < _dims; k++)
                {
                    into.Sum![k] += pc.Sum![k];
                }
                into.Weight += pc.Weight;
                into.PitchWeight += pc.PitchWeight;
                into.Split?.Add(pc.Split!);
                pc.Sum = null;
                pc.ForwardTo = keep;
            }
        }
        // Compact: drop the forwarded entries so the list stays bounded.
        var map = new int[_preClusters.Count];
        var kept = new List<PreCluster>();
        for (int p = 0; p < _preClusters.Count; p++)
        {
            if (_preClusters[p].Sum is not null)
            {
                map[p] = kept.Count;
                kept.Add(_preClusters[p]);
            }
        }
        foreach (var w in _windows)
        {
            if (w.PreCluster >= 0)
            {
                w.PreCluster = map[Resolve(w.PreCluster)];
            }
        }
        _preClusters.Clear();
        _preClusters.AddRange(kept);
    }

    /// <summary>The average-linkage dendrogram of the given pre-clusters (one speaker's), merges by increasing distance.</summary>
    private AgglomerativeClusterer.Merge[] PreClusterLinkage(List<int> list)
    {
        int m = list.Count;
        var weights = new double[m];
        if (_splitter is not null)
        {
            var folded = new FoldedWindowStatistics(_statsDims, _pitchDims > 0, _stages.Embedding.PitchWeight, _stages.Embedding.Epsilon, m);
            var points = new int[m];
            for (int i = 0; i < m; i++)
            {
                points[i] = folded.AddFolded(_preClusters[list[i]].Split!);
                weights[i] = Math.Max(1, _preClusters[list[i]].Split!.Windows);
            }
            return AgglomerativeClusterer.Linkage(folded.Normalise(points), folded.Dims, weights, folded.Similarity);
        }
        var rows = new double[m * _dims];
        for (int i = 0; i < m; i++)
        {
            var pc = _preClusters[list[i]];
            for (int k = 0; k < _dims; k++)
            {
                double weight = k < _statsDims ? pc.Weight : pc.PitchWeight;
                _scratchVector[k] = weight > 0 ? pc.Sum![k] / weight : double.NaN;
            }
            Normalise(_scratchVector, _snapMean, _snapScale, rows.AsSpan(i * _dims, _dims));
            weights[i] = pc.Weight;
        }
        return AgglomerativeClusterer.Linkage(rows, _dims, weights);
    }

    private int Resolve(int preCluster)
    {
        while (_preClusters[preCluster].ForwardTo >= 0)
        {
            preCluster = _preClusters[preCluster].ForwardTo;
        }
        return preCluster;
    }

    /// <summary>Forgets final runs and folded windows older than the relabel horizon.</summary>
    private void TrimHorizon()
    {
        long limit = _labelled - _horizonFrames;
        if (limit <= 0)
        {
            return;
        }
        int drop = 0;
        while (drop < _runs.Count && _runs[drop].End < limit)
        {
            drop++;
        }
        if (drop > 0)
        {
            _runs.RemoveRange(0, drop);
        }
        long oldestWindowNeeded = _runs.Count > 0 ? Math.Max(0, _runs[0].Window) : _windowBase + _windows.Count;
        int windowsToDrop = 0;
        while (windowsToDrop < _windows.Count && _windowBase + windowsToDrop < oldestWindowNeeded
               && _windows[windowsToDrop].PreCluster >= 0 && _windows[windowsToDrop].Centre < limit)
        {
            windowsToDrop++;
        }
        if (windowsToDrop > 0)
        {
            _windows.RemoveRange(0, windowsToDrop);
            _windowBase += windowsToDrop;
        }
    }

    private sealed class Window(long centre, double[] vector, int speaker)
    {
        public long Centre { get; } = centre;

        /// <summary>Raw [mean, std] of the window's speech frames; null once folded into a pre-cluster.</summary>
        public double[]? Vector { get; set; } = vector;

        /// <summary>Raw statistics for splitting (may be <see cref="Vector"/> itself); null without them or once folded.</summary>
        public double[]? Split { get; set; }

        /// <summary>Whether the window had splitting statistics (set when it is folded and <see cref="Split"/> is dropped).</summary>
        public bool HasSplit { get; set; }

        public int Speaker { get; set; } = speaker;

        public int PreCluster { get; set; } = -1;
    }

    private sealed class PreCluster(double[] sum, double weight, int speaker)
    {
        public double[]? Sum { get; set; } = sum;

        /// <summary>Sums of the windows' splitting statistics; null when splitting is off.</summary>
        public RunningWindowStatistics? Split { get; init; }

        public double Weight { get; set; } = weight;

        /// <summary>Windows that had pitch statistics (the pitch dimensions of <see cref="Sum"/> add only those).</summary>
        public double PitchWeight { get; set; }

        public int Speaker { get; set; } = speaker;

        public int ForwardTo { get; set; } = -1;
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
