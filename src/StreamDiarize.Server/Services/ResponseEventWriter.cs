// The only writer of a Diarize response stream: events queue in a bounded channel and one task writes them in order.
using System.Diagnostics;
using System.Threading.Channels;
using Grpc.Core;
using StreamDiarize.Protocol.V1;
using StreamDiarize.Server.Metrics;

namespace StreamDiarize.Server.Services;

/// <summary>
/// gRPC allows one pending write per stream, so every producer goes through this channel. It is bounded with
/// <see cref="BoundedChannelFullMode.Wait"/>: a client that reads slowly slows its own session, never the server's memory.
/// A failed write completes the channel with the error, so producers stop instead of waiting for ever.
/// </summary>
internal sealed class ResponseEventWriter
{
    private readonly Channel<(DiarizeEvent Event, long CausedAt)> _queue =
        Channel.CreateBounded<(DiarizeEvent, long)>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    private readonly Task _drain;

    public ResponseEventWriter(IServerStreamWriter<DiarizeEvent> stream, ServerMetrics metrics, CancellationToken cancellationToken)
    {
        _drain = Task.Run(() => DrainAsync(stream, metrics, cancellationToken), CancellationToken.None);
    }

    /// <summary>Queues an event; <paramref name="causedAt"/> is the Stopwatch timestamp of the audio that caused it, 0 for none.</summary>
    public ValueTask WriteAsync(DiarizeEvent e, long causedAt, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync((e, causedAt), cancellationToken);

    /// <summary>No more events: waits until every queued one is written, and throws if writing failed.</summary>
    public async Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        await _drain.ConfigureAwait(false);
    }

    /// <summary>Stops without writing the rest (the call is failing or cancelled); never throws.</summary>
    public async Task AbandonAsync(Exception error)
    {
        _queue.Writer.TryComplete(error);
        try
        {
            await _drain.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The call's own error is what the client gets.
        }
    }

    private async Task DrainAsync(IServerStreamWriter<DiarizeEvent> stream, ServerMetrics metrics, CancellationToken ct)
    {
        try
        {
            await foreach (var (e, causedAt) in _queue.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                await stream.WriteAsync(e, ct).ConfigureAwait(false);
                if (causedAt != 0)
                {
                    metrics.EventLatencySeconds.Observe(Stopwatch.GetElapsedTime(causedAt).TotalSeconds);
                }
            }
        }
        catch (Exception ex)
        {
            _queue.Writer.TryComplete(ex);
            throw;
        }
    }
}
