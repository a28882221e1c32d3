// Keeps a session's turns as its events describe them; the RTTM sink, `file --streaming` and the tests read it.
using StreamDiarize.Core.Events;

namespace StreamDiarize.Streaming.Sinks;

public class LedgerSink : IEventSink
{
    public SegmentLedger Ledger { get; } = new();

    public int EventCount { get; private set; }

    public virtual ValueTask WriteAsync(DiarizationEvent diarizationEvent, CancellationToken cancellationToken)
    {
        Ledger.Apply(diarizationEvent);
        EventCount++;
        return ValueTask.CompletedTask;
    }

    public virtual ValueTask CompleteAsync(Exception? error, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
