// The live analyzer for the default diarizer: per 10 ms frame, band energy, voicing and MFCCs, in one vector.
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Speech;

namespace StreamDiarize.Core.Streaming;

/// <summary>
/// Emits frames laid out as <see cref="AnalysisFrameLayout"/> says (the layout <see cref="OnlineDiarizer"/> reads),
/// computed exactly as the offline default computes them. The voicing window reaches 120 samples past a frame's end, so
/// a frame leaves once those samples are in (or at the end of the stream, with zeros as the offline path pads).
/// Long chunks are processed in slices, so the sample ring stays small; nothing is allocated per frame.
/// With <c>includeSamples</c>, each frame also carries its hop's samples (frame i: samples [i * hop, (i + 1) * hop)), so a
/// diarizer that embeds windows of raw audio gets them in frame order, on its own thread, with no second channel.
/// </summary>
public sealed class DefaultFrameAnalyzer : IFrameAnalyzer
{
    private const int SliceSamples = 1024;
    private const int RingSamples = 8192;
    private const int PendingFrames = 64;

    private readonly EnergySpeechDetector _speech;
    private readonly StreamingFeaturizer _spectrum;
    private readonly StreamingFeaturizer _mfcc;
    private readonly VoicingEstimator _voicing;
    private readonly int _mfccDims;
    private readonly int _hopSamples;
    private readonly float[] _ring = new float[RingSamples];
    private readonly float[] _voicingFrame;
    private readonly double[] _energies = new double[PendingFrames];
    private readonly float[] _pendingMfcc;
    private readonly float[] _output;
    private readonly EnergySink _energySink;
    private readonly MfccSink _mfccSink;
    private long _samples;
    private long _nextOut;
    private long _mfccReady;
    private IFrameSink? _target;

    private readonly bool _includeSamples;
    private readonly AnalysisFrameLayout _layout;

    public DefaultFrameAnalyzer(DefaultDiarizerOptions stages, bool includeSamples = false)
    {
        stages.Validate();
        _speech = new EnergySpeechDetector(stages.Speech);
        _spectrum = new StreamingFeaturizer(_speech.SpectrumOptions);
        _mfcc = new StreamingFeaturizer(stages.Embedding.Features);
        _voicing = new VoicingEstimator(stages.Speech.Voicing);
        _mfccDims = _mfcc.Dims;
        _hopSamples = stages.Speech.HopSamples;
        _voicingFrame = new float[_voicing.FrameSamples];
        _pendingMfcc = new float[PendingFrames * _mfccDims];
        _includeSamples = includeSamples;
        _layout = new AnalysisFrameLayout(_mfccDims, includeSamples ? _hopSamples : 0);
        _output = new float[_layout.Dims];
        _energySink = new EnergySink(this);
        _mfccSink = new MfccSink(this);
        HopSeconds = stages.Speech.HopSeconds;
    }

    public int Dims => _output.Length;

    /// <summary>Where each value sits in the frames this analyzer emits.</summary>
    public AnalysisFrameLayout Layout => _layout;

    public double HopSeconds { get; }

    public void Push(ReadOnlySpan<float> samples, IFrameSink sink)
    {
        _target = sink;
        while (samples.Length > 0)
        {
            var slice = samples[..Math.Min(SliceSamples, samples.Length)];
            samples = samples[slice.Length..];
            for (int i = 0; i < slice.Length; i++)
            {
                _ring[(_samples + i) % RingSamples] = slice[i];
            }
            _samples += slice.Length;
            _spectrum.Push(slice, _energySink);
            _mfcc.Push(slice, _mfccSink);
            EmitReady(endOfStream: false);
        }
        _target = null;
    }

    public void Flush(IFrameSink sink)
    {
        _target = sink;
        _spectrum.Flush(_energySink);
        _mfcc.Flush(_mfccSink);
        EmitReady(endOfStream: true);
        _target = null;
    }

    private void EmitReady(bool endOfStream)
    {
        while (_nextOut < _mfccReady)
        {
            long first = _nextOut * _hopSamples + _voicing.OffsetSamples;
            long last = first + _voicing.FrameSamples;
            if (last > _samples && !endOfStream)
            {
                return;
            }
            for (int k = 0; k < _voicingFrame.Length; k++)
            {
                long s = first + k;
                _voicingFrame[k] = s >= 0 && s < _samples ? _ring[s % RingSamples] : 0f;
            }
            int slot = (int)(_nextOut % PendingFrames);
            float voicing = (float)_voicing.Compute(_voicingFrame, out int lag);
            AnalysisFrameLayout.WriteCues(_output, (float)_energies[slot], voicing, lag);
            _pendingMfcc.AsSpan(slot * _mfccDims, _mfccDims).CopyTo(_layout.MfccOf(_output));
            if (_includeSamples)
            {
                // The voicing frame reaches past this hop, so its samples are all in the ring (or past the end: zeros).
                var hop = _layout.SamplesOf(_output);
                long hopStart = _nextOut * _hopSamples;
                for (int k = 0; k < _hopSamples; k++)
                {
                    long s = hopStart + k;
                    hop[k] = s < _samples ? _ring[s % RingSamples] : 0f;
                }
            }
            _target!.OnFrame(_nextOut, _output);
            _nextOut++;
        }
    }

    private sealed class EnergySink(DefaultFrameAnalyzer owner) : IFrameSink
    {
        public void OnFrame(long frameIndex, ReadOnlySpan<float> features) =>
            owner._energies[frameIndex % PendingFrames] = owner._speech.BandEnergyOfSpectrum(features);
    }

    private sealed class MfccSink(DefaultFrameAnalyzer owner) : IFrameSink
    {
        public void OnFrame(long frameIndex, ReadOnlySpan<float> features)
        {
            features.CopyTo(owner._pendingMfcc.AsSpan((int)(frameIndex % PendingFrames) * owner._mfccDims, owner._mfccDims));
            owner._mfccReady = frameIndex + 1;
        }
    }
}
