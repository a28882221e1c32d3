// A Silero-style neural VAD as a live speech stage: each hop's samples in, model chunks decided as they fill, the
// energy detector's region rules applied with the session's latency as lookahead.
using StreamDiarize.Core.Speech;

namespace StreamDiarize.Onnx;

/// <summary>
/// Frame f takes the decision of the model chunk that holds its first sample (probability at or above
/// <see cref="OnnxSpeechDetectorOptions.Threshold"/>); <see cref="StreamingMaskRules"/> then fills gaps, drops islands
/// and places regions as <see cref="EnergySpeechDetector.PostProcess"/> does. Marks no pauses. One per stream: the
/// model's recurrent state is this stream's. <see cref="OnnxSpeechDetector"/> runs it over whole clips.
/// </summary>
public sealed class OnnxStreamingSpeechDetector : IStreamingSpeechDetector, IDisposable
{
    private readonly OnnxVad _vad;
    private readonly bool _ownsVad;
    private readonly double _threshold;
    private readonly int _hop;
    private readonly StreamingMaskRules _mask;
    private readonly float[] _chunk;
    private int _filled;
    private long _samples;
    private long _frames;
    private long _decidedChunks;
    private bool _lastDecision;
    private bool _finished;

    /// <param name="vad">The model run; disposed with this detector when <paramref name="ownsVad"/>.</param>
    /// <param name="lookaheadFrames">Frames a decision waits for before it is committed (the session's latency).</param>
    /// <param name="retainedFrames">Committed frames that stay readable.</param>
    /// <param name="wholeClip">Decide once at <see cref="Finish"/>, as the offline detector does (no provisional decisions).</param>
    public OnnxStreamingSpeechDetector(OnnxVad vad, OnnxSpeechDetectorOptions options, int lookaheadFrames, int retainedFrames, bool ownsVad = true, bool wholeClip = false)
    {
        Core.Options.OptionsValidationException.ThrowIfAny(options.GetValidationErrors());
        _vad = vad;
        _ownsVad = ownsVad;
        _threshold = options.Threshold;
        _hop = options.Mask.HopSamples;
        _mask = new StreamingMaskRules(options.Mask, lookaheadFrames, retainedFrames, decideAsFramesArrive: !wholeClip);
        _chunk = new float[vad.ChunkSamples];
    }

    /// <summary>A live detector for one session: its own model state on the shared model, the session's latency as lookahead.</summary>
    public static OnnxStreamingSpeechDetector ForSession(string modelPath, OnnxSpeechDetectorOptions options, double latencySeconds, OnnxModelRegistry? registry = null)
    {
        var vad = new OnnxVad(modelPath, options.Vad, registry);
        try
        {
            int lookahead = (int)Math.Round(latencySeconds / options.Mask.HopSeconds);
            // As many past frames as the live diarizer reads back: its windows reach a few seconds behind the newest frame.
            return new OnnxStreamingSpeechDetector(vad, options, lookahead, retainedFrames: 4096);
        }
        catch
        {
            vad.Dispose();
            throw;
        }
    }

    public bool ReadsSamples => true;

    public long Committed => _mask.Committed;

    public long ProvisionalEnd => _mask.ProvisionalEnd;

    /// <summary>Model runs so far.</summary>
    public long Chunks => _decidedChunks;

    public bool IsSpeech(long frame) => _mask.IsSpeech(frame);

    public bool IsPause(long frame) => false;

    public void Push(double energyDb, double voicing, ReadOnlySpan<float> hopSamples)
    {
        if (_finished)
        {
            throw new InvalidOperationException("Push after Finish: start a new detector for a new stream.");
        }
        _frames++;
        AddSamples(hopSamples);
    }

    /// <summary>Samples past the last frame's hop (offline: the clip's tail), which the model hears but no frame starts in.</summary>
    public void AddTrailingSamples(ReadOnlySpan<float> samples) => AddSamples(samples);

    public void Finish()
    {
        if (_finished)
        {
            return;
        }
        _finished = true;
        if (_filled > 0)
        {
            // The last chunk is padded with silence, as the model's own wrapper does.
            _chunk.AsSpan(_filled).Clear();
            DecideChunk();
        }
        // Frames whose first sample no chunk holds (none unless the stream ended mid-hop) take the last decision.
        ReleaseFrames(_frames);
        _mask.Finish();
    }

    public void Dispose()
    {
        if (_ownsVad)
        {
            _vad.Dispose();
        }
    }

    private void AddSamples(ReadOnlySpan<float> samples)
    {
        while (samples.Length > 0)
        {
            int n = Math.Min(samples.Length, _chunk.Length - _filled);
            samples[..n].CopyTo(_chunk.AsSpan(_filled));
            samples = samples[n..];
            _filled += n;
            _samples += n;
            if (_filled == _chunk.Length)
            {
                DecideChunk();
            }
        }
        // A frame whose first sample lies in a decided chunk takes its decision at once.
        ReleaseFrames(Math.Min(_frames, (_decidedChunks * _chunk.Length + _hop - 1) / _hop));
    }

    private void DecideChunk()
    {
        _lastDecision = _vad.ProcessChunk(_chunk) >= _threshold;
        _decidedChunks++;
        _filled = 0;
        // Frames starting in this chunk, as far as they have arrived.
        ReleaseFrames(Math.Min(_frames, (_decidedChunks * _chunk.Length + _hop - 1) / _hop));
    }

    private void ReleaseFrames(long upTo)
    {
        while (_mask.Received < upTo)
        {
            _mask.Add(_lastDecision);
        }
    }
}
