// Writes the session's final turns as RTTM when the stream ends normally (a failed stream writes nothing).
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Streaming.Sinks;

public sealed class RttmFileSink(string path, string fileId) : LedgerSink
{
    public override ValueTask CompleteAsync(Exception? error, CancellationToken cancellationToken)
    {
        if (error is null)
        {
            Rttm.WriteFile(path, fileId, Ledger.Snapshot(includeProvisional: false));
        }
        return ValueTask.CompletedTask;
    }
}
