// Speech detection frame by frame: the offline detector's rules (band energy, hysteresis, gap filling, islands, voicing)
// with a running noise floor and a fixed lookahead, so every decision is made a bounded time after its frame.
using StreamDiarize.Core.Speech;

namespace StreamDiarize.Core.Streaming;

/// <summary>
/// Push one band energy (dB) and one voicing value per frame, in order. Frames older than the lookahead are
/// committed: their speech decision never changes again. Floor and peak are percentiles of the smoothed energy over
/// the last <c>historyFrames</c> frames (a histogram, so the cost per frame is constant however long the session).
/// Gaps shorter than the lookahead are filled; longer ones cannot be, because their frames are already committed.
/// Filled gaps of at least <see cref="EnergySpeechDetectorOptions.PauseSeconds"/> are marked as pauses, as the offline
/// detector marks them (<see cref="SpeechMask.IsPause"/>). Memory is bounded by the history and ring sizes.
/// </summary>
public sealed class StreamingSpeechDetector : IStreamingSpeechDetector
{
    private const double HistogramMinDb = -200;
    private const double HistogramBinDb = 0.1;
    private const int HistogramBins = 3000;
    private const int DecisionEveryFrames = 5;

    private readonly EnergySpeechDetectorOptions _options;
    private readonly int _lookahead;
    private readonly int _history;
    private readonly int _warmup;
    private readonly int _half;
    private readonly int _gapFrames;
    private readonly int _pauseFrames;
    private readonly int _islandFrames;
    private readonly int _context;
    private readonly int _capacity;
    private readonly double _minRangeDb;
    private readonly double _trustVoicedShare;
    private readonly int _trustAfterFrames;
    private readonly bool _tentativePauses;

    // Rings indexed by frame % capacity.
    private readonly double[] _energy;
    private readonly double[] _smooth;
    private readonly double[] _voicing;
    private readonly bool[] _speech;
    private readonly bool[] _pause;
    private readonly int[] _historyBins;
    private readonly int[] _histogram = new int[HistogramBins];
    private readonly bool[] _historyVoiced;
    private int _historyCount;
    // Digital silence (EnergySpeechDetectorOptions.DigitalSilenceRules), fixed per session: the level at or under which a
    // frame is silence for the smoothing (-inf without the rules), for the pauses (-inf without them either), and the
    // highest histogram bin it fills. The history's frames in bins up to that one are its silence: the lowest bins, read
    // as the quietest other frame's level by the percentiles.
    private readonly double _silenceDb;
    private readonly double _silencePauseDb;
    private readonly int _silenceBin;
    private int _silentCount;
    private int _voicedCount;

    // Scratch for one decision over [start, end).
    private readonly bool[] _scratch;
    private readonly bool[] _seed;
    private readonly bool[] _pauseScratch;

    private long _received;
    private long _smoothed;
    private long _provisionalEnd;
    private bool _finished;

    /// <param name="tentativePauses">
    /// Commit an open gap shorter than the gap filling as a pause (<see cref="MarkTentativePause"/>): only for a consumer
    /// that holds pauses until the speech after them and drops them when silence follows (the segment live diarizer's
    /// turn emitter). A consumer that labels pause frames as speech would turn every such gap into false alarm.
    /// </param>
    /// <param name="trustVoicedShare">
    /// Before the history is full, a history of at least <paramref name="trustAfterSeconds"/> in which at least this share
    /// of the frames is voiced is taken to hold speech: its measured range is trusted (not <paramref name="minRangeDb"/>)
    /// and the caps below the peak apply, as once the history is full. 0: never before the history is full.
    /// </param>
    public StreamingSpeechDetector(EnergySpeechDetectorOptions options, double lookaheadSeconds, double historySeconds = 60, double warmupSeconds = 2, double minRangeDb = 0,
        bool tentativePauses = false, double trustVoicedShare = 0, double trustAfterSeconds = 10)
    {
        _tentativePauses = tentativePauses;
        _options = options.Validate();
        _silenceDb = options.SilenceRulesDb;
        _silencePauseDb = options.DigitalSilencePauses ? _silenceDb : double.NegativeInfinity;
        _silenceBin = double.IsNegativeInfinity(_silenceDb) ? -1 : BinOf(_silenceDb);
        _minRangeDb = minRangeDb;
        _trustVoicedShare = trustVoicedShare;
        double hop = options.HopSeconds;
        _trustAfterFrames = Math.Max(1, (int)Math.Round(trustAfterSeconds / hop));
        _half = options.StreamingSmoothingFrames / 2;
        _lookahead = Math.Max(0, (int)Math.Round(lookaheadSeconds / hop) - _half);
        _history = Math.Max(1, (int)Math.Round(historySeconds / hop));
        _warmup = Math.Max(1, (int)Math.Round(warmupSeconds / hop));
        _gapFrames = (int)Math.Round(options.GapFillSeconds / hop);
        // At or above the gap filling no gap is a pause (the offline detector's rule).
        _pauseFrames = options.PauseSeconds < options.GapFillSeconds ? (int)Math.Round(options.PauseSeconds / hop) : int.MaxValue;
        _islandFrames = (int)Math.Round(options.MinIslandSeconds / hop);
        _context = _gapFrames + _islandFrames + 8;
        _capacity = Math.Max(_history, _lookahead + _context + _half + _warmup + 64) + DecisionEveryFrames * 4;
        _energy = new double[_capacity];
        _smooth = new double[_capacity];
        _voicing = new double[_capacity];
        _speech = new bool[_capacity];
        _pause = new bool[_capacity];
        _historyBins = new int[_history];
        _historyVoiced = new bool[_history];
        int window = _context + _lookahead + _half + _warmup + DecisionEveryFrames * 4 + 8;
        _scratch = new bool[window];
        _seed = new bool[window];
        _pauseScratch = new bool[window];
    }

    /// <summary>Frames [0, Committed) are decided for good.</summary>
    public long Committed { get; private set; }

    /// <summary>Frames [Committed, ProvisionalEnd) have a provisional decision.</summary>
    public long ProvisionalEnd => _provisionalEnd;

    public long Received => _received;

    public double HopSeconds => _options.HopSeconds;

    /// <summary>The options it decides with (for tests).</summary>
    internal EnergySpeechDetectorOptions DetectorOptions => _options;

    /// <summary>
    /// The speech detector's options for a live session: with known speakers the thresholds stay uncapped, on both live
    /// paths. With round 14's caps an unenrolled voice's speech was named (10.2 % of it, Bench.Speakers --live;
    /// docs/SPEAKERS.md).
    /// </summary>
    public static EnergySpeechDetectorOptions OptionsForSession(EnergySpeechDetectorOptions speech, SessionOptions session) =>
        session.KnownSpeakers.Count > 0 ? speech with { HighCapBelowPeakDb = 0, LowCapBelowPeakDb = 0 } : speech;

    /// <summary>The decision for a frame in <c>[Committed - capacity/2, ProvisionalEnd)</c>.</summary>
    public bool IsSpeech(long frame) => _speech[frame % _capacity];

    /// <summary>
    /// Whether a speech frame (same range as <see cref="IsSpeech"/>) only gap filling made speech, across a gap of at
    /// least <see cref="EnergySpeechDetectorOptions.PauseSeconds"/>. Only gaps shorter than the lookahead can be
    /// filled live, so only those are pauses.
    /// </summary>
    public bool IsPause(long frame) => _pause[frame % _capacity];

    /// <summary>How many past frames stay readable after they are committed.</summary>
    public int RetainedFrames => _capacity / 2;

    /// <summary>Reads the analyzer's band energy and voicing only.</summary>
    public bool ReadsSamples => false;

    void IStreamingSpeechDetector.Push(double energyDb, double voicing, ReadOnlySpan<float> hopSamples) => Push(energyDb, voicing);

    public void Push(double energyDb, double voicing)
    {
        if (_finished)
        {
            throw new InvalidOperationException("Push after Finish: start a new detector for a new stream.");
        }
        long i = _received++;
        _energy[i % _capacity] = energyDb;
        _voicing[i % _capacity] = voicing;
        // Frame i completes the smoothing window of frame i - half.
        if (i - _half >= 0)
        {
            SmoothThrough(i - _half);
        }
        if (_received % DecisionEveryFrames == 0 && _smoothed >= _warmup)
        {
            Decide(commitUpTo: _smoothed - _lookahead, endOfStream: false);
        }
    }

    /// <summary>End of stream: smooth the tail with the frames that exist and commit everything.</summary>
    public void Finish()
    {
        if (_finished)
        {
            return;
        }
        _finished = true;
        while (_smoothed < _received)
        {
            SmoothThrough(_smoothed);
        }
        Decide(commitUpTo: _received, endOfStream: true);
    }

    private void SmoothThrough(long j)
    {
        long a = Math.Max(0, j - _half);
        long b = Math.Min(_received, j + _half + 1);
        // Digital silence stays as it is and is kept out of its neighbours' averages (EnergySpeechDetector.MovingAverage).
        double silence = _silenceDb;
        double value = _energy[j % _capacity];
        if (value > silence)
        {
            double sum = 0;
            int count = 0;
            for (long k = a; k < b; k++)
            {
                double e = _energy[k % _capacity];
                if (e > silence)
                {
                    sum += e;
                    count++;
                }
            }
            value = sum / count;
        }
        _smooth[j % _capacity] = value;
        _smoothed = j + 1;
        AddToHistory(value);
    }

    private void AddToHistory(double value)
    {
        int bin = BinOf(value);
        int slot = (int)((_smoothed - 1) % _history);
        if (_historyCount == _history)
        {
            _histogram[_historyBins[slot]]--;
            _voicedCount -= _historyVoiced[slot] ? 1 : 0;
            _silentCount -= _historyBins[slot] <= _silenceBin ? 1 : 0;
        }
        else
        {
            _historyCount++;
        }
        _historyBins[slot] = bin;
        _histogram[bin]++;
        bool voiced = _voicing[(_smoothed - 1) % _capacity] > _options.VoicingThreshold;
        _historyVoiced[slot] = voiced;
        _voicedCount += voiced ? 1 : 0;
        _silentCount += bin <= _silenceBin ? 1 : 0;
    }

    private static int BinOf(double value) => Math.Clamp((int)((value - HistogramMinDb) / HistogramBinDb), 0, HistogramBins - 1);

    private double Percentile(double percent)
    {
        // Linear interpolation between ranks, as numpy does, on 0.1 dB bins. Digital silence, the lowest bins, stands
        // in for the quietest other frame (as offline, EnergySpeechDetector.Decide).
        double rank = percent / 100.0 * (_historyCount - 1);
        long target = Math.Max((long)Math.Floor(rank), _silentCount + EnergySpeechDetectorOptions.SilenceStandInRank(_historyCount - _silentCount));
        long seen = 0;
        for (int b = 0; b < HistogramBins; b++)
        {
            seen += _histogram[b];
            if (seen > target)
            {
                return HistogramMinDb + (b + 0.5) * HistogramBinDb;
            }
        }
        return HistogramMinDb + HistogramBins * HistogramBinDb;
    }

    private void Decide(long commitUpTo, bool endOfStream)
    {
        long start = Math.Max(0, Committed - _context);
        long end = _smoothed;
        if (end <= start)
        {
            return;
        }
        int n = (int)(end - start);
        if (n > _scratch.Length)
        {
            // Only at Finish after a very long warm-up: decide the head first, in bounded steps.
            long step = start + _scratch.Length - _context - 1;
            DecideRange(start, step, Math.Min(commitUpTo, step - _gapFrames), false);
            Decide(commitUpTo, endOfStream);
            return;
        }
        DecideRange(start, end, commitUpTo, endOfStream);
    }

    private void DecideRange(long start, long end, long commitUpTo, bool endOfStream)
    {
        int n = (int)(end - start);
        var mask = _scratch.AsSpan(0, n);
        var seed = _seed.AsSpan(0, n);
        var pause = _pauseScratch.AsSpan(0, n);
        double floor = Percentile(_options.FloorPercentile);
        double peak = Percentile(_options.PeakPercentile);
        // Until the history is full it may hold only background, or only quiet speech: assume speech spans at least
        // this range above the floor. Once a full history has been seen, its own range is trusted; so is a shorter one
        // in which enough frames are voiced, which holds speech (background was at most 30 % voiced). In a reverberant
        // room speech spans only 20-25 dB above a floor its tails raise: with the assumed range the seed threshold sat
        // above the speech peak for the first minute.
        bool trusted = _historyCount >= _history
            || (_trustVoicedShare > 0 && _historyCount >= _trustAfterFrames && _voicedCount >= _trustVoicedShare * _historyCount);
        double range = trusted ? peak - floor : Math.Max(peak - floor, _minRangeDb);
        // The caps below the peak wait for a trusted range too: until then the range is assumed, not measured.
        var (high, low) = _options.Thresholds(floor, range, peak, capBelowPeak: trusted);
        if (_historyCount == _silentCount)
        {
            // Nothing but digital silence heard yet (a muted microphone): no frame can seed speech.
            (high, low) = (double.PositiveInfinity, double.PositiveInfinity);
        }

        for (int k = 0; k < n; k++)
        {
            long f = start + k;
            bool committed = f < Committed;
            double s = _smooth[f % _capacity];
            // Committed speech stays speech and seeds its run; committed silence stays silence.
            mask[k] = committed ? _speech[f % _capacity] : s >= low;
            // A committed pause (maybe a tentative one, below) is speech only by bridging: it seeds nothing.
            seed[k] = committed ? _speech[f % _capacity] && !_pause[f % _capacity] : s >= high;
            pause[k] = committed && _pause[f % _capacity];
        }
        // Hysteresis: a run above the low threshold is speech if it reaches the high one somewhere.
        int r = 0;
        while (r < n)
        {
            if (!mask[r])
            {
                r++;
                continue;
            }
            int e = r;
            bool any = false;
            while (e < n && mask[e])
            {
                any |= seed[e];
                e++;
            }
            if (!any)
            {
                for (int k = r; k < e; k++)
                {
                    if (start + k >= Committed)
                    {
                        mask[k] = false;
                    }
                }
            }
            r = e;
        }
        // Gap filling between speech runs (only over frames not yet committed).
        int lastEnd = -1;
        for (int k = 0; k < n; k++)
        {
            if (!mask[k])
            {
                continue;
            }
            int gap = lastEnd >= 0 && k > lastEnd ? k - GapStart(pause, lastEnd) : int.MaxValue;
            if (gap < _gapFrames)
            {
                // When the gap's first frames are already committed as silence, only the rest is filled; it is still
                // a pause between the speech on either side, and is marked so.
                bool isPause = gap >= _pauseFrames;
                for (int g = lastEnd; g < k; g++)
                {
                    if (start + g >= Committed)
                    {
                        mask[g] = true;
                        pause[g] = isPause;
                    }
                }
            }
            while (k < n && mask[k])
            {
                k++;
            }
            lastEnd = k;
        }
        // Islands and the voicing gate apply to closed runs; an open run at the newest frame may still grow.
        r = 0;
        while (r < n)
        {
            if (!mask[r])
            {
                r++;
                continue;
            }
            int e = r;
            int voiced = 0;
            while (e < n && mask[e])
            {
                if (_voicing[(start + e) % _capacity] > _options.VoicingThreshold)
                {
                    voiced++;
                }
                e++;
            }
            bool open = e == n && !endOfStream;
            bool startsCommitted = start + r < Committed;
            int length = e - r;
            bool tooShort = length < _islandFrames;
            bool unvoiced = _options.VoicingGate && voiced < _options.MinVoicedFraction * length;
            // A closed run is judged whole. An open run is judged on what it has so far once it is long enough for
            // the gate to mean something, so a long noise burst is not committed as speech before it ends.
            bool reject = open ? !tooShort && unvoiced : tooShort || unvoiced;
            if (!startsCommitted && reject)
            {
                mask[r..e].Clear();
                pause[r..e].Clear();
            }
            r = e;
        }
        if (!endOfStream && _tentativePauses)
        {
            MarkTentativePause(mask, pause, start);
        }
        long commit = Math.Min(commitUpTo, end);
        for (int k = 0; k < n; k++)
        {
            long f = start + k;
            if (f >= Committed)
            {
                _speech[f % _capacity] = mask[k];
                _pause[f % _capacity] = mask[k] && (pause[k] || _smooth[f % _capacity] <= _silencePauseDb);
            }
        }
        if (commit > Committed)
        {
            Committed = commit;
        }
        _provisionalEnd = end;
    }

    /// <summary>
    /// Where the gap that follows the speech ending at <paramref name="speechEnd"/> really starts: frames before it that
    /// are committed as a pause (a tentative one, <see cref="MarkTentativePause"/>) belong to the gap and count towards its length.
    /// </summary>
    private static int GapStart(ReadOnlySpan<bool> pause, int speechEnd)
    {
        int start = speechEnd;
        while (start > 0 && pause[start - 1])
        {
            start--;
        }
        return start;
    }

    /// <summary>
    /// The gap after the last speech, still open at the newest frame, may yet be bridged while it is shorter than the
    /// gap filling; but its first frames are committed after the lookahead, before the gap is decided. They are marked
    /// as a tentative pause (speech, pause): the turn emitter holds a pause until the same speaker goes on (the gap
    /// was a pause of the turn, as offline) or silence follows (the held frames become silence). Without this, gaps
    /// between the lookahead and the gap filling were silence live and bridged offline (research/round4/FINDINGS4.md).
    /// </summary>
    private void MarkTentativePause(Span<bool> mask, Span<bool> pause, long start)
    {
        int n = mask.Length;
        int last = n;
        while (last > 0 && !mask[last - 1])
        {
            last--;
        }
        if (last == 0 || last == n)
        {
            return;
        }
        if (n - GapStart(pause, last) >= _gapFrames)
        {
            return;
        }
        for (int k = last; k < n; k++)
        {
            if (start + k >= Committed)
            {
                mask[k] = true;
                pause[k] = true;
            }
        }
    }
}
