// A detector's raw per-frame decisions turned into a speech mask live: the energy detector's region rules over a
// sliding range, so a neural VAD gets the same gap filling, islands and placement offline and live.
namespace StreamDiarize.Core.Speech;

/// <summary>
/// Takes one raw decision per frame (for example a VAD model's probability against a threshold) and applies
/// <see cref="EnergySpeechDetector.PostProcess"/> without the voicing gate over the frames from a context before
/// <see cref="Committed"/> to the newest, every few frames. Frames more than the lookahead behind the newest are
/// committed. With a lookahead and capacity of the whole clip it decides once, at <see cref="Finish"/>, on every
/// frame: exactly the offline mask. Allocates nothing per frame.
/// </summary>
public sealed class StreamingMaskRules
{
    private const int DecisionEveryFrames = 5;

    private readonly EnergySpeechDetectorOptions _rules;
    private readonly int _lookahead;
    private readonly int _context;
    private readonly int _capacity;
    private readonly bool[] _raw;
    private readonly bool[] _speech;
    private readonly bool[] _scratch;
    private readonly bool _decideAsFramesArrive;
    private bool _finished;

    /// <param name="rules">Hop, gap filling, islands and frame placement (the voicing gate is not applied).</param>
    /// <param name="lookaheadFrames">Frames a decision waits for before it is committed.</param>
    /// <param name="retainedFrames">Committed frames that stay readable behind <see cref="Committed"/>.</param>
    /// <param name="decideAsFramesArrive">False to decide only at <see cref="Finish"/> (a whole clip: one pass instead of one per step).</param>
    public StreamingMaskRules(EnergySpeechDetectorOptions rules, int lookaheadFrames, int retainedFrames, bool decideAsFramesArrive = true)
    {
        _decideAsFramesArrive = decideAsFramesArrive;
        _rules = rules.Validate() with { VoicingGate = false };
        double hop = rules.HopSeconds;
        _lookahead = Math.Max(0, lookaheadFrames);
        // Enough frames before the first undecided one that its region, and the gap before it, are seen whole.
        double placement = rules.FrameSamples / 2.0 / rules.SampleRateHz;
        _context = (int)Math.Round(rules.GapFillSeconds / hop) + (int)Math.Round(rules.MinIslandSeconds / hop) + (int)Math.Ceiling(placement / hop) + 8;
        _capacity = _lookahead + _context + Math.Max(0, retainedFrames) + DecisionEveryFrames * 4;
        _raw = new bool[_capacity];
        _speech = new bool[_capacity];
        _scratch = new bool[_capacity];
    }

    public long Committed { get; private set; }

    /// <summary>Raw decisions received: every one of them has a (maybe provisional) mask decision after the next step.</summary>
    public long ProvisionalEnd { get; private set; }

    public long Received { get; private set; }

    public bool IsSpeech(long frame) => _speech[frame % _capacity];

    public void Add(bool rawSpeech)
    {
        if (_finished)
        {
            throw new InvalidOperationException("Add after Finish: start new mask rules for a new stream.");
        }
        _raw[Received % _capacity] = rawSpeech;
        Received++;
        if (_decideAsFramesArrive && Received % DecisionEveryFrames == 0)
        {
            Decide(Received - _lookahead);
        }
    }

    public void Finish()
    {
        if (!_finished)
        {
            _finished = true;
            Decide(Received);
        }
    }

    private void Decide(long commitUpTo)
    {
        long start = Math.Max(0, Committed - _context);
        int n = (int)(Received - start);
        if (n <= 0)
        {
            return;
        }
        var mask = _scratch.AsSpan(0, n);
        for (int k = 0; k < n; k++)
        {
            mask[k] = _raw[(start + k) % _capacity];
        }
        EnergySpeechDetector.PostProcess(mask, [], _rules, start);
        for (long f = Committed; f < Received; f++)
        {
            _speech[f % _capacity] = mask[(int)(f - start)];
        }
        Committed = Math.Max(Committed, Math.Min(commitUpTo, Received));
        ProvisionalEnd = Received;
    }
}
