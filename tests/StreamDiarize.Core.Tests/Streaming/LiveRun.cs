// Drives a live session's analyzer and diarizer directly, in chunks of random size, and keeps every event.
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Core.Tests.Streaming;

internal sealed class LiveRun : IFrameSink
{
    private readonly IFrameDiarizer _diarizer;
    private readonly List<DiarizationEvent> _pending = [];

    private LiveRun(IFrameDiarizer diarizer) => _diarizer = diarizer;

    public List<DiarizationEvent> Events { get; } = [];

    /// <summary>The final turns after every Relabel and Merge.</summary>
    public List<SpeakerSegment> Segments
    {
        get
        {
            var ledger = new SegmentLedger();
            foreach (var e in Events)
            {
                ledger.Apply(e);
            }
            return ledger.Snapshot(includeProvisional: false);
        }
    }

    /// <summary>The clip in chunks of <paramref name="minChunk"/> to <paramref name="maxChunk"/> samples (seeded), then the end of stream.</summary>
    public static LiveRun Of(AudioClip clip, SessionComponents components, int minChunk = 1600, int maxChunk = 1600, int seed = 0)
    {
        var run = new LiveRun(components.Diarizer);
        var random = new Random(seed);
        var samples = clip.Samples.AsSpan();
        while (samples.Length > 0)
        {
            int n = Math.Min(samples.Length, random.Next(minChunk, maxChunk + 1));
            components.Analyzer.Push(samples[..n], run);
            samples = samples[n..];
        }
        components.Analyzer.Flush(run);
        components.Diarizer.Complete(run.Events);
        return run;
    }

    public static LiveRun Of(AudioClip clip, SessionOptions session, int minChunk = 1600, int maxChunk = 1600, int seed = 0) =>
        Of(clip, new DefaultSessionFactory().Create(session), minChunk, maxChunk, seed);

    public void OnFrame(long frameIndex, ReadOnlySpan<float> features)
    {
        _diarizer.OnFrame(frameIndex, features, _pending);
        Events.AddRange(_pending);
        _pending.Clear();
    }
}
