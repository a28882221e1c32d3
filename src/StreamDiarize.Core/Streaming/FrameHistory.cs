// The recent frames of a live session, as rings indexed by frame, with their streaming speech decisions.
using StreamDiarize.Core.Embedding;
using StreamDiarize.Core.Speech;

namespace StreamDiarize.Core.Streaming;

/// <summary>
/// Keeps what window statistics and embeddings read of the last <see cref="RingFrames"/> frames: the coefficients
/// the statistics use, voicing, pitch lag and, for a window embedder, the hop's samples. Each frame's band energy and
/// voicing go to the speech detector, whose decisions (committed a latency after their frame) are read through here.
/// Pushing a frame allocates nothing.
/// </summary>
public sealed class FrameHistory
{
    private readonly AnalysisFrameLayout _layout;
    private readonly int _firstCoefficient;
    private readonly int _coefficients;
    private readonly float[] _coefficientRing;
    private readonly float[] _voicingRing;
    private readonly float[] _lagRing;
    private readonly float[] _sampleRing;
    private readonly int _ringSamples;

    /// <param name="layout">The frames' layout; with <see cref="AnalysisFrameLayout.HopSamples"/> the samples are kept too.</param>
    /// <param name="firstCoefficient">The first MFCC the statistics use (c1 skips the energy-like c0).</param>
    /// <param name="ringFrames">Frames kept: enough for the latency, a window either side and the detector's warm-up.</param>
    /// <param name="speech">Takes every frame's cues (and samples, when it reads them); its decisions are the history's.</param>
    public FrameHistory(AnalysisFrameLayout layout, int firstCoefficient, int ringFrames, IStreamingSpeechDetector speech)
    {
        _layout = layout;
        _firstCoefficient = firstCoefficient;
        _coefficients = layout.MfccCount - firstCoefficient;
        RingFrames = ringFrames;
        Speech = speech;
        _coefficientRing = new float[ringFrames * _coefficients];
        _voicingRing = new float[ringFrames];
        _lagRing = new float[ringFrames];
        _ringSamples = ringFrames * layout.HopSamples;
        _sampleRing = new float[_ringSamples];
    }

    public IStreamingSpeechDetector Speech { get; }

    public int RingFrames { get; }

    /// <summary>Frames pushed so far; the next frame must have this index.</summary>
    public long Received { get; private set; }

    /// <summary>Samples carried by the frames so far (0 without samples).</summary>
    public long ReceivedSamples => Received * _layout.HopSamples;

    public void Push(long frameIndex, ReadOnlySpan<float> frame)
    {
        if (frameIndex != Received)
        {
            throw new ArgumentException($"frame {frameIndex} arrived, {Received} was expected: frames must come in order", nameof(frameIndex));
        }
        if (frame.Length < _layout.Dims)
        {
            throw new ArgumentException($"an analysis frame has {frame.Length} values; this diarizer needs {_layout.Dims}", nameof(frame));
        }
        Received++;
        int slot = (int)(frameIndex % RingFrames);
        _layout.Mfcc(frame).Slice(_firstCoefficient, _coefficients).CopyTo(_coefficientRing.AsSpan(slot * _coefficients, _coefficients));
        var samples = _layout.Samples(frame);
        samples.CopyTo(_sampleRing.AsSpan((int)(frameIndex * _layout.HopSamples % Math.Max(1, _ringSamples)), _layout.HopSamples));
        _voicingRing[slot] = AnalysisFrameLayout.Voicing(frame);
        _lagRing[slot] = AnalysisFrameLayout.PitchLag(frame);
        Speech.Push(AnalysisFrameLayout.EnergyDb(frame), AnalysisFrameLayout.Voicing(frame), Speech.ReadsSamples ? samples : []);
    }

    public bool IsSpeech(long frame) => Speech.IsSpeech(frame);

    public bool IsPause(long frame) => Speech.IsPause(frame);

    public float Voicing(long frame) => _voicingRing[frame % RingFrames];

    public float PitchLag(long frame) => _lagRing[frame % RingFrames];

    public ReadOnlySpan<float> Coefficients(long frame) => _coefficientRing.AsSpan((int)(frame % RingFrames) * _coefficients, _coefficients);

    /// <summary>Copies samples from <paramref name="firstSample"/> on into <paramref name="destination"/>; they must still be in the ring.</summary>
    public void CopySamples(long firstSample, Span<float> destination)
    {
        if (firstSample < ReceivedSamples - _ringSamples)
        {
            throw new InvalidOperationException($"samples from {firstSample} on are older than the sample ring ({_ringSamples} samples) holds");
        }
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = _sampleRing[(int)((firstSample + i) % _ringSamples)];
        }
    }

    /// <summary>The frames as the shared window statistics read them (<see cref="WindowVectorizer"/>).</summary>
    public WindowFrames AsWindowFrames() => new(this);

    public readonly struct WindowFrames(FrameHistory history) : IWindowFrames
    {
        public bool IsSpeech(long frame) => history.IsSpeech(frame);

        public double Voicing(long frame) => history.Voicing(frame);

        public double PitchLag(long frame) => history.PitchLag(frame);

        public ReadOnlySpan<float> Coefficients(long frame) => history.Coefficients(frame);
    }
}
