// Runs one whole clip through a live session as fast as it can: `file --streaming`, the tests and the benchmarks.
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Streaming.Sinks;

namespace StreamDiarize.Streaming;

public static class StreamingRunner
{
    /// <summary>The final turns (after every Relabel and Merge) and the sink that saw all events.</summary>
    public sealed record Result(List<SpeakerSegment> Segments, LedgerSink Events);

    public static async Task<Result> RunAsync(
        AudioClip clip, ISessionComponentsFactory factory, SessionOptions session,
        int minChunkSamples = 1600, int maxChunkSamples = 1600, int seed = 0,
        IReadOnlyList<IEventSink>? extraSinks = null, CancellationToken cancellationToken = default)
    {
        var components = factory.Create(session);
        var ledger = new LedgerSink();
        var sinks = new List<IEventSink> { ledger };
        if (extraSinks is not null)
        {
            sinks.AddRange(extraSinks);
        }
        var pipeline = new DiarizationPipeline(components.Analyzer, components.Diarizer, sinks);
        await using var source = new ClipAudioSource(clip, minChunkSamples, maxChunkSamples, seed);
        await pipeline.RunAsync(source, cancellationToken).ConfigureAwait(false);
        return new Result(ledger.Ledger.Snapshot(includeProvisional: false), ledger);
    }
}
