// Publishes one local session's events to its JetStream subject, in order, never slowing the session.
using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using StreamDiarize.Protocol.V1;
using StreamDiarize.Server.Sessions;

namespace StreamDiarize.Server.Bus;

/// <summary>
/// The session offers its wire events under its lock (<see cref="IEventOutbox"/>); one task publishes them, each
/// awaiting JetStream's acknowledgement, so the stream holds them in the session's order. Each message carries a
/// Nats-Msg-Id (instance.sequence), so a retried publish is stored once. The buffer drops its oldest events when the
/// bus is slower than the session (a NATS outage): the session and its own client never wait for the bus.
/// When the session is over, a session that ended without SessionEnded (cancelled, failed) gets a closing marker,
/// so watchers on other replicas end too, and the directory entry is deleted.
/// </summary>
internal sealed class SessionPublisher : IEventOutbox
{
    public const string ClosedHeader = "StreamDiarize-Closed";

    private readonly Channel<DiarizeEvent> _events;
    private readonly INatsJSContext _js;
    private readonly ILogger _logger;
    private readonly Action<long> _onDropped;
    private readonly CancellationToken _stopping;
    private readonly string _subject;
    private long _sequence = 1;
    private long _dropped;

    public SessionPublisher(INatsJSContext js, string subject, SessionEntry entry, ulong directoryRevision, LiveSession session, int capacity,
        Action<long> onDropped, ILogger logger, CancellationToken stopping)
    {
        _js = js;
        _subject = subject;
        Entry = entry;
        DirectoryRevision = directoryRevision;
        Session = session;
        _logger = logger;
        _onDropped = onDropped;
        _stopping = stopping;
        _events = Channel.CreateBounded<DiarizeEvent>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false },
            _ => Interlocked.Increment(ref _dropped));
    }

    public LiveSession Session { get; }

    /// <summary>The entry as last written to the directory (the heartbeat refreshes it).</summary>
    public SessionEntry Entry { get; set; }

    public ulong DirectoryRevision { get; set; }

    /// <summary>The directory entry was taken over (this replica's lease was judged lost): stop refreshing it.</summary>
    public bool LeaseLost { get; set; }

    public Task? Completion { get; private set; }

    public string DirectoryKey => BusNames.DirectorySessionKey(BusNames.SessionKey(Entry.Tenant, Entry.Id));

    public void Offer(DiarizeEvent e) => _events.Writer.TryWrite(e);

    public void Complete() => _events.Writer.TryComplete();

    /// <summary>Starts publishing; <paramref name="whenDone"/> runs once the last event is stored (or given up).</summary>
    public void Start(Func<SessionPublisher, Task> whenDone) => Completion = Task.Run(async () =>
    {
        try
        {
            await RunAsync().ConfigureAwait(false);
        }
        finally
        {
            await whenDone(this).ConfigureAwait(false);
        }
    });

    /// <summary>Publishes SessionStarted, the first message of the session's run; returns its stream sequence.</summary>
    public static async Task<ulong> PublishStartedAsync(INatsJSContext js, string subject, string instance, DiarizeEvent started, CancellationToken ct)
    {
        var ack = await js.PublishAsync(subject, started.ToByteArray(), NatsRawSerializer<byte[]>.Default,
            new NatsJSPubOpts { MsgId = instance + ".0" }, cancellationToken: ct).ConfigureAwait(false);
        ack.EnsureSuccess();
        return ack.Seq;
    }

    private async Task RunAsync()
    {
        bool ended = false;
        try
        {
            await foreach (var e in _events.Reader.ReadAllAsync(_stopping).ConfigureAwait(false))
            {
                ReportDropped();
                await PublishAsync(e.ToByteArray(), null).ConfigureAwait(false);
                ended |= e.EventCase == DiarizeEvent.EventOneofCase.SessionEnded;
            }
            ReportDropped();
            if (!ended)
            {
                var headers = new NatsHeaders { [ClosedHeader] = "true" };
                await PublishAsync([], headers).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            _logger.LogWarning("Session {SessionId}: the server stopped before every event reached the bus; watchers on other replicas see the session end when its lease runs out", Session.Id);
        }
    }

    private void ReportDropped()
    {
        long dropped = Interlocked.Exchange(ref _dropped, 0);
        if (dropped > 0)
        {
            _onDropped(dropped);
            _logger.LogWarning("Session {SessionId}: {Count} events were dropped before reaching the bus (Server:Bus:OutboxEvents full: the bus was slow or away); watchers on other replicas miss them",
                Session.Id, dropped);
        }
    }

    /// <summary>Publishes until JetStream stores the message; the message id makes a retry after a lost acknowledgement harmless.</summary>
    private async Task PublishAsync(byte[] data, NatsHeaders? headers)
    {
        string id = Entry.Instance + "." + _sequence++;
        var delay = TimeSpan.FromMilliseconds(50);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                var ack = await _js.PublishAsync(_subject, data, NatsRawSerializer<byte[]>.Default, new NatsJSPubOpts { MsgId = id }, headers, _stopping)
                    .ConfigureAwait(false);
                if (!ack.Duplicate)
                {
                    ack.EnsureSuccess(); // a duplicate is a retry whose first try was stored: done
                }
                return;
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException && !_stopping.IsCancellationRequested)
            {
                if (attempt == 1 || attempt % 20 == 0)
                {
                    _logger.LogWarning("Session {SessionId}: publishing to the bus failed ({Reason}); retrying", Session.Id, ex.Message);
                }
                await Task.Delay(delay, _stopping).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(2000, delay.TotalMilliseconds * 2));
            }
        }
    }
}
