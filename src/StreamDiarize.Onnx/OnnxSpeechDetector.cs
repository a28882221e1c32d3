// A Silero-style neural VAD as the diarizer's speech stage: chunk probabilities to a 10 ms mask, then the same
// gap filling and island rules as the energy detector, so it can stand in for it with `--vad onnx:PATH`.
using StreamDiarize.Core.Speech;

namespace StreamDiarize.Onnx;

public sealed record OnnxSpeechDetectorOptions
{
    /// <summary>A chunk is speech when the model's probability reaches this.</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>Hop and rules of the mask (gap filling, islands); the voicing gate is not used.</summary>
    public EnergySpeechDetectorOptions Mask { get; init; } = new();

    public OnnxVadOptions Vad { get; init; } = new();

    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (!(Threshold > 0 && Threshold < 1))
        {
            errors.Add($"Threshold {Threshold} is invalid: use a probability between 0 and 1");
        }
        errors.AddRange(Mask.GetValidationErrors());
        errors.AddRange(Vad.GetValidationErrors());
        return errors;
    }
}

/// <summary>Runs an <see cref="OnnxVad"/> over a whole clip, through the live detector. One instance per thread: the VAD holds recurrent state.</summary>
public sealed class OnnxSpeechDetector : ISpeechDetector, IDisposable
{
    private readonly OnnxVad _vad;
    private readonly OnnxSpeechDetectorOptions _options;

    public OnnxSpeechDetector(string modelPath, OnnxSpeechDetectorOptions? options = null, OnnxModelRegistry? registry = null)
    {
        _options = options ?? new OnnxSpeechDetectorOptions();
        Core.Options.OptionsValidationException.ThrowIfAny(_options.GetValidationErrors());
        _vad = new OnnxVad(modelPath, _options.Vad, registry);
    }

    public int SampleRateHz => _options.Mask.SampleRateHz;

    public double FrameHopSeconds => _options.Mask.HopSeconds;

    /// <summary>Model runs so far (tests check the model really decided).</summary>
    public long Chunks { get; private set; }

    /// <summary>The live detector (<see cref="OnnxStreamingSpeechDetector"/>) run over the whole clip, with the whole clip as lookahead.</summary>
    public SpeechMask Detect(ReadOnlySpan<float> samples)
    {
        _vad.Reset();
        int hop = _options.Mask.HopSamples;
        int frames = samples.Length < _options.Mask.FrameSamples ? 0 : 1 + (samples.Length - _options.Mask.FrameSamples) / hop;
        var stream = new OnnxStreamingSpeechDetector(_vad, _options, lookaheadFrames: frames, retainedFrames: frames, ownsVad: false, wholeClip: true);
        for (int f = 0; f < frames; f++)
        {
            stream.Push(0, 0, samples.Slice(f * hop, hop));
        }
        stream.AddTrailingSamples(samples[(frames * hop)..]);
        stream.Finish();
        Chunks += stream.Chunks;
        var mask = new bool[frames];
        for (int f = 0; f < frames; f++)
        {
            mask[f] = stream.IsSpeech(f);
        }
        return new SpeechMask(mask, FrameHopSeconds);
    }

    public void Dispose() => _vad.Dispose();
}
