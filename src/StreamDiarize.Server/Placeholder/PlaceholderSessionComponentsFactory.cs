// A stand-in session factory so the daemon runs end to end before the real streaming diarizer lands on main.
// Replace its registration in ServerHost.AddDiarizerServer (TryAddSingleton) when it does; nothing else changes.
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Server.Placeholder;

/// <summary>
/// Real causal log-mel features (the featurizer the real diarizer will use) and a deliberately simple diarizer:
/// an energy gate and leader clustering of half-second spectral-shape windows. Deterministic; accuracy is not its job.
/// </summary>
public sealed class PlaceholderSessionComponentsFactory : ISessionComponentsFactory
{
    public static readonly FeaturizerOptions Features = new FeaturizerOptions
    {
        FeatureType = FeatureType.LogMelSpectrogram,
        NumFeatureBins = 40,
        FrameMs = 25,
        StrideMs = 10,
        NormalizePerFeature = FeatureNormalization.None,
    }.AsCausal();

    public SessionComponents Create(SessionOptions options)
    {
        if (options.Embedder != "features")
        {
            throw new NotSupportedException($"the placeholder diarizer has only the 'features' embedder, not '{options.Embedder}'");
        }
        return new SessionComponents(new FeaturizerFrameAnalyzer(new StreamingFeaturizer(Features)), new LeaderClusteringDiarizer(options, Features.HopSeconds));
    }
}

/// <summary>Speech windows of 0.5 s join the nearest speaker centroid by cosine, or start a new speaker below a threshold.</summary>
internal sealed class LeaderClusteringDiarizer(SessionOptions options, double hopSeconds) : IFrameDiarizer
{
    private const int WindowFrames = 50;
    private const double SameSpeakerCosine = 0.92;
    private const double SpeechBelowPeak = 4.5; // natural-log units of mean mel energy (about 20 dB)

    private readonly List<double[]> _centroids = [];
    private readonly List<int> _centroidCounts = [];
    private double[] _window = [];
    private int _windowFrames;
    private int _speechFrames;
    private long _windowStart;
    private double _peakEnergy = double.NegativeInfinity;
    private string? _turnSpeaker;
    private double _turnStart;
    private double _turnEnd;
    private double _speechSeconds;
    private int _segments;
    private string? _current;

    private int MaxSpeakers => options.ExactSpeakers ?? options.MaxSpeakers;

    public void OnFrame(long frameIndex, ReadOnlySpan<float> frame, List<DiarizationEvent> events)
    {
        if (_window.Length != frame.Length)
        {
            _window = new double[frame.Length];
        }
        if (_windowFrames == 0)
        {
            _windowStart = frameIndex;
        }
        double energy = 0;
        for (int i = 0; i < frame.Length; i++)
        {
            energy += frame[i];
        }
        energy /= frame.Length;
        _peakEnergy = Math.Max(_peakEnergy, energy);
        if (energy > _peakEnergy - SpeechBelowPeak)
        {
            _speechFrames++;
            for (int i = 0; i < frame.Length; i++)
            {
                _window[i] += frame[i] - energy; // spectral shape, level removed
            }
        }
        _windowFrames++;
        if (_windowFrames == WindowFrames)
        {
            CloseWindow(events);
        }
    }

    public void Complete(List<DiarizationEvent> events)
    {
        if (_windowFrames > 0)
        {
            CloseWindow(events);
        }
        EndTurn(events);
        events.Add(new SessionEndedEvent(_turnEnd, _centroids.Count, _speechSeconds, _segments));
    }

    private void CloseWindow(List<DiarizationEvent> events)
    {
        double start = _windowStart * hopSeconds;
        double end = (_windowStart + _windowFrames) * hopSeconds;
        string? speaker = null;
        if (_speechFrames * 2 >= _windowFrames)
        {
            speaker = Assign(events, end);
        }
        if (speaker != _turnSpeaker)
        {
            EndTurn(events);
            _turnSpeaker = speaker;
            _turnStart = start;
        }
        _turnEnd = end;
        if (speaker != _current)
        {
            events.Add(new SpeakerChangeEvent(start, _current, speaker));
            _current = speaker;
        }
        Array.Clear(_window);
        _windowFrames = 0;
        _speechFrames = 0;
    }

    private string Assign(List<DiarizationEvent> events, double streamTime)
    {
        double norm = Math.Sqrt(_window.Sum(v => v * v)) + 1e-12;
        int best = -1;
        double bestCos = double.NegativeInfinity;
        for (int k = 0; k < _centroids.Count; k++)
        {
            var c = _centroids[k];
            double dot = 0, cn = 0;
            for (int i = 0; i < c.Length; i++)
            {
                dot += c[i] * _window[i];
                cn += c[i] * c[i];
            }
            double cos = dot / (norm * (Math.Sqrt(cn) + 1e-12));
            if (cos > bestCos)
            {
                bestCos = cos;
                best = k;
            }
        }
        if (best < 0 || (bestCos < SameSpeakerCosine && _centroids.Count < MaxSpeakers))
        {
            _centroids.Add(_window.Select(v => v / norm).ToArray());
            _centroidCounts.Add(1);
            string name = FrameGrouper.DefaultName(_centroids.Count - 1);
            events.Add(new SpeakerAddedEvent(streamTime, name));
            return name;
        }
        var centroid = _centroids[best];
        int n = ++_centroidCounts[best];
        for (int i = 0; i < centroid.Length; i++)
        {
            centroid[i] += (_window[i] / norm - centroid[i]) / n;
        }
        return FrameGrouper.DefaultName(best);
    }

    private void EndTurn(List<DiarizationEvent> events)
    {
        if (_turnSpeaker is not null && _turnEnd > _turnStart)
        {
            events.Add(new SegmentEvent(new SpeakerSegment(_turnStart, _turnEnd, _turnSpeaker), IsFinal: true));
            _speechSeconds += _turnEnd - _turnStart;
            _segments++;
        }
        _turnSpeaker = null;
    }
}
