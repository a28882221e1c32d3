// Where a session's events go: console, RTTM writer, gRPC stream, watchers.
using StreamDiarize.Core.Events;

namespace StreamDiarize.Streaming;

public interface IEventSink
{
    ValueTask WriteAsync(DiarizationEvent diarizationEvent, CancellationToken cancellationToken);

    /// <summary>The stream ended: normally when <paramref name="error"/> is null, else with that error.</summary>
    ValueTask CompleteAsync(Exception? error, CancellationToken cancellationToken);
}
