// The one place live commands (mic, later stream) get their per-session analyzer and diarizer from.
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Cli.Live;

internal static class SessionFactories
{
    /// <summary>
    /// SWITCH HERE when the streaming diarizer lands: replace <see cref="PlaceholderSessionFactory"/> with the real
    /// <see cref="ISessionComponentsFactory"/>. Until then live sessions run the real capture, featurizer and pipeline,
    /// but label every frame as one speaker.
    /// </summary>
    public static ISessionComponentsFactory Default { get; set; } = new PlaceholderSessionFactory();
}

/// <summary>A stand-in so that `mic` compiles and runs end to end: causal MFCC frames, one speaker "S0" throughout.</summary>
internal sealed class PlaceholderSessionFactory : ISessionComponentsFactory
{
    private static readonly FeaturizerOptions Features = new FeaturizerOptions { FeatureType = FeatureType.Mfcc, NumFeatureBins = 40, NumMfcc = 20 }.AsCausal();

    public SessionComponents Create(SessionOptions options)
    {
        var analyzer = new FeaturizerFrameAnalyzer(new StreamingFeaturizer(Features));
        return new SessionComponents(analyzer, new SingleSpeakerDiarizer(analyzer.HopSeconds));
    }

    /// <summary>Emits a final "S0" segment every half second of frames; no clustering at all.</summary>
    private sealed class SingleSpeakerDiarizer(double hopSeconds) : IFrameDiarizer
    {
        private const string Speaker = "S0";
        private long _frames;
        private double _segmentStart;

        public void OnFrame(long frameIndex, ReadOnlySpan<float> frame, List<DiarizationEvent> events)
        {
            if (_frames == 0)
            {
                events.Add(new SpeakerAddedEvent(0, Speaker));
                events.Add(new SpeakerChangeEvent(0, null, Speaker));
            }
            _frames = frameIndex + 1;
            double now = _frames * hopSeconds;
            if (now - _segmentStart >= 0.5)
            {
                events.Add(new SegmentEvent(new SpeakerSegment(_segmentStart, now, Speaker), true));
                _segmentStart = now;
            }
        }

        public void Complete(List<DiarizationEvent> events)
        {
            double end = _frames * hopSeconds;
            if (end > _segmentStart)
            {
                events.Add(new SegmentEvent(new SpeakerSegment(_segmentStart, end, Speaker), true));
            }
            events.Add(new SessionEndedEvent(end, _frames > 0 ? 1 : 0, end, (int)Math.Ceiling(end / 0.5)));
        }
    }
}
