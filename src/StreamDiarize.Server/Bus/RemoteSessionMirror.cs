// A session another replica owns, rebuilt on this one from its JetStream subject, so Watch and the live page work here.
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using StreamDiarize.Contracts;
using StreamDiarize.Protocol.V1;
using StreamDiarize.Server.Sessions;

namespace StreamDiarize.Server.Bus;

/// <summary>
/// An ordered consumer reads the session's events from its SessionStarted on, and each is published into a
/// <see cref="LiveSession"/> exactly as the owner published it: the same ledger of final turns, the same watcher
/// buffers, the same replay-then-live hand-over under one lock. So a watcher here gets the owner's events in the
/// owner's order, none twice. Watchers are let in only once the mirror has caught up with the stream, so a replay is
/// the whole past. The mirror ends at SessionEnded, at the owner's closing marker, or when the directory drops the
/// session and the stream has nothing more for a moment.
/// </summary>
internal sealed class RemoteSessionMirror
{
    private readonly TaskCompletionSource<LiveSession?> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop;
    private readonly SessionEntry _entry;
    private readonly ILogger _logger;
    private LiveSession? _session;

    public RemoteSessionMirror(SessionEntry entry, ILogger logger, CancellationToken stopping)
    {
        _entry = entry;
        _logger = logger;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        Audio = new RemoteSessionAudio(entry);
    }

    public SessionEntry Entry => _entry;

    public RemoteSessionAudio Audio { get; }

    /// <summary>The mirrored session once caught up (null if it had already ended).</summary>
    public Task<LiveSession?> Ready => _ready.Task;

    public Task? Completion { get; private set; }

    public int WatcherCount => _session?.WatcherCount ?? 0;

    public void Start(INatsJSContext js, string stream, string subject, Action<RemoteSessionMirror> whenDone) => Completion = Task.Run(async () =>
    {
        try
        {
            await RunAsync(js, stream, subject).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _logger.LogWarning("Mirror of session {SessionId} (owned by {Replica}) stopped: {Reason}; its watchers here end and may watch again", _entry.Id, _entry.Replica, ex.Message);
            _ready.TrySetException(ex);
        }
        finally
        {
            _session?.End();
            _ready.TrySetResult(null);
            whenDone(this);
        }
    });

    /// <summary>The directory no longer lists the session: end after the stream's last events, if no end arrives first.</summary>
    public void DirectoryDropped() => _stop.CancelAfter(TimeSpan.FromSeconds(2));

    public void Stop() => _stop.Cancel();

    private async Task RunAsync(INatsJSContext js, string stream, string subject)
    {
        var ct = _stop.Token;
        // An ephemeral consumer with one filter subject (not the ordered consumer's filter list, which NATS servers
        // before 2.10, Debian 12's included, ignore). Its consumer sequence shows any message lost on the way.
        string name = "mirror-" + Guid.NewGuid().ToString("N");
        var consumer = await js.CreateOrUpdateConsumerAsync(stream, new ConsumerConfig(name)
        {
            FilterSubject = subject,
            DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence,
            OptStartSeq = _entry.FirstSequence,
            AckPolicy = ConsumerConfigAckPolicy.None,
            InactiveThreshold = TimeSpan.FromSeconds(30),
            MemStorage = true,
            NumReplicas = 1,
        }, ct).ConfigureAwait(false);
        try
        {
            await ConsumeAsync(consumer, subject, ct).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await js.DeleteConsumerAsync(stream, name, cleanup.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NatsException or OperationCanceledException or TimeoutException)
            {
                // The server drops it after InactiveThreshold anyway.
            }
        }
    }

    private async Task ConsumeAsync(INatsJSConsumer consumer, string subject, CancellationToken ct)
    {
        ulong expected = 1;
        await foreach (var msg in consumer.ConsumeAsync(NatsRawSerializer<byte[]>.Default, cancellationToken: ct).ConfigureAwait(false))
        {
            if (msg.Metadata is { } meta)
            {
                if (meta.Sequence.Consumer != expected)
                {
                    // A gap would silently skip events: end the mirror instead, so watchers re-watch with a replay.
                    throw new InvalidOperationException($"events {expected} to {meta.Sequence.Consumer - 1} were lost between NATS and this replica");
                }
                expected++;
            }
            if (msg.Subject != subject)
            {
                continue;
            }
            if (msg.Headers?.ContainsKey(SessionPublisher.ClosedHeader) == true)
            {
                return;
            }
            var e = DiarizeEvent.Parser.ParseFrom(msg.Data ?? []);
            if (_session is null)
            {
                // The run starts with its SessionStarted; if retention already removed it, the id stands in.
                var started = e.EventCase == DiarizeEvent.EventOneofCase.SessionStarted
                    ? e
                    : new DiarizeEvent { SessionStarted = new SessionStarted { SessionId = _entry.Id } };
                _session = new LiveSession(_entry.Id, _entry.Source, started, Audio, _entry.Tenant);
                if (e.EventCase == DiarizeEvent.EventOneofCase.SessionStarted)
                {
                    e = null;
                }
            }
            if (e is not null && Apply(_session, e))
            {
                _ready.TrySetResult(_session);
                return;
            }
            if (msg.Metadata?.NumPending == 0)
            {
                _ready.TrySetResult(_session);
            }
        }
    }

    /// <summary>Publishes one event into the mirrored session; true when it was the last.</summary>
    private static bool Apply(LiveSession session, DiarizeEvent e)
    {
        if (e.SessionEnded is { Reason: EndReason.ReplicaLost } lost && lost.SegmentCount == 0)
        {
            // The replica that declared the owner dead had no ledger: the totals are those of the final turns kept.
            var final = session.FinalSegments();
            lost.SegmentCount = final.Count;
            lost.SpeechSeconds = final.Sum(s => s.EndSeconds - s.StartSeconds);
            lost.Speakers = final.Select(s => s.Speaker).Distinct().Count();
            e.StreamTimeSeconds = final.Count > 0 ? final.Max(s => s.EndSeconds) : 0;
        }
        if (EventMapping.ToCore(e) is { } core)
        {
            session.Publish(core, e);
        }
        return e.EventCase == DiarizeEvent.EventOneofCase.SessionEnded;
    }
}

/// <summary>A remote session's audio as ListSessions and the live page see it: only the seconds its owner last reported.</summary>
internal sealed class RemoteSessionAudio(SessionEntry entry) : ISessionAudio
{
    private SessionEntry _entry = entry;

    public string Name => "bus:" + _entry.Replica + "/" + _entry.Id;

    public int SampleRateHz => 16000;

    public double SecondsReceived => Volatile.Read(ref _entry).AudioSeconds;

    public void Update(SessionEntry entry) => Volatile.Write(ref _entry, entry);

    public ValueTask<int> ReadAsync(Memory<float> buffer, CancellationToken cancellationToken) =>
        throw new NotSupportedException("a remote session's audio stays on the replica that owns it");

    public long ArrivalOf(double streamSeconds) => 0;

    public long ArrivalOfEnd() => 0;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
