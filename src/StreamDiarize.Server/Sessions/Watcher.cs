// One Watch call's buffer: bounded, dropping the oldest events when the watcher reads too slowly.
using System.Threading.Channels;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Server.Sessions;

public sealed class Watcher
{
    private readonly Channel<DiarizeEvent> _events;
    private readonly Action _onDropped;
    private long _dropped;

    public Watcher(int capacity, Action onDropped)
    {
        _onDropped = onDropped;
        // DropOldest, not Wait: a watcher is a bystander. Waiting would let one slow watcher stall the session
        // (and its client) it watches; instead it loses its oldest events, is told how many, and keeps the newest.
        _events = Channel.CreateBounded<DiarizeEvent>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false },
            _ =>
            {
                Interlocked.Increment(ref _dropped);
                _onDropped();
            });
    }

    public ChannelReader<DiarizeEvent> Reader => _events.Reader;

    /// <summary>Never waits: when the buffer is full the oldest event goes.</summary>
    public void Offer(DiarizeEvent e) => _events.Writer.TryWrite(e);

    public void Complete() => _events.Writer.TryComplete();

    /// <summary>Events dropped since the last call.</summary>
    public long TakeDropped() => Interlocked.Exchange(ref _dropped, 0);
}
