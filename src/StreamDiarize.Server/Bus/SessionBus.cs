// The replica's link to the other replicas (Server:Bus): NATS JetStream for session events, a key-value bucket for the directory.
using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;
using StreamDiarize.Protocol.V1;
using StreamDiarize.Server.Metrics;
using StreamDiarize.Server.Sessions;

namespace StreamDiarize.Server.Bus;

/// <summary>
/// At start: connects, creates (or updates) the event stream and the directory bucket, and follows the directory.
/// For each local session: claims its id in the directory (cluster-wide unique per tenant), publishes its events
/// (<see cref="SessionPublisher"/>) and refreshes its entry at every heartbeat. For a session another replica owns:
/// lists it from the directory and, when someone watches it, mirrors it from the stream (<see cref="RemoteSessionMirror"/>).
/// Every heartbeat also checks the other replicas' leases: a replica silent for Server:Bus:LeaseSeconds is dead, and
/// one live replica (whichever wins the directory's compare-and-set) ends each of its sessions with SessionEnded
/// {REPLICA_LOST} on the session's subject, then removes it from the directory.
/// </summary>
public sealed class SessionBus : IHostedLifecycleService, IAsyncDisposable
{
    private readonly BusOptions _options;
    private readonly SessionRegistry _registry;
    private readonly ServerMetrics _metrics;
    private readonly ILogger<SessionBus> _logger;
    private readonly ServerDrain _drain;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, Tracked<SessionEntry>> _sessions = new();
    private readonly ConcurrentDictionary<string, Tracked<ReplicaEntry>> _replicas = new();
    private readonly ConcurrentDictionary<string, SessionPublisher> _publishers = new();
    private readonly ConcurrentDictionary<string, RemoteSessionMirror> _mirrors = new();
    private readonly TaskCompletionSource _directoryLoaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private NatsConnection? _nats;
    private INatsJSContext? _js;
    private INatsKVStore? _kv;
    private Task? _watch;
    private Task? _heartbeat;
    private ulong _replicaRevision;
    private int _disposed;

    public SessionBus(IOptions<ServerOptions> options, SessionRegistry registry, ServerMetrics metrics, ServerDrain drain, ILogger<SessionBus> logger)
    {
        _options = options.Value.Bus;
        _registry = registry;
        _metrics = metrics;
        _drain = drain;
        _logger = logger;
        ReplicaId = _options.ReplicaId.Length > 0 ? _options.ReplicaId : DefaultReplicaId();
    }

    public string ReplicaId { get; }

    /// <summary>True while the connection to NATS is open.</summary>
    public bool Connected => _nats?.ConnectionState == NatsConnectionState.Open;

    private TimeSpan Lease => TimeSpan.FromSeconds(_options.LeaseSeconds);

    private static string DefaultReplicaId()
    {
        var host = new string(Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-').ToArray());
        return $"{host[..Math.Min(host.Length, 48)]}-{Random.Shared.Next(0x1000000):x6}";
    }

    /// <summary>Runs before any hosted service starts (Kestrel included), so no call arrives before the bus is up.</summary>
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        _nats = new NatsConnection(new NatsOpts { Url = _options.Url, Name = "streamdiarize-" + ReplicaId, MaxReconnectRetry = -1 });
        try
        {
            await _nats.ConnectAsync().ConfigureAwait(false);
            _js = new NatsJSContext(_nats);
            await _js.CreateOrUpdateStreamAsync(new StreamConfig(_options.StreamName, [BusNames.AllEvents(_options.SubjectPrefix)])
            {
                Description = "StreamDiarize session events (docs/SCALING.md)",
                MaxAge = TimeSpan.FromSeconds(_options.MaxAgeSeconds),
                MaxBytes = _options.MaxBytes,
                Storage = StreamConfigStorage.File,
                Discard = StreamConfigDiscard.Old,
                NumReplicas = _options.Replicas,
                DuplicateWindow = TimeSpan.FromMinutes(2),
            }, cancellationToken).ConfigureAwait(false);
            var kv = new NatsKVContext(_js);
            _kv = await kv.CreateOrUpdateStoreAsync(new NatsKVConfig(_options.DirectoryBucket)
            {
                Description = "StreamDiarize live sessions and replica heartbeats (docs/SCALING.md)",
                History = 1,
                Storage = NatsKVStorageType.File,
                NumberOfReplicas = _options.Replicas,
            }, cancellationToken).ConfigureAwait(false);
            _replicaRevision = await _kv.PutAsync(BusNames.DirectoryReplicaKey(ReplicaId), DirectoryJson.Serialize(HeartbeatEntry()), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new Core.Options.OptionsValidationException([
                $"Server:Bus:Url {_options.Url}: cannot use NATS JetStream there ({ex.Message}): start a NATS server with JetStream (nats-server -js), " +
                "check the address, or leave Server:Bus:Url empty to run one process without a bus"]);
        }
        _watch = Task.Run(WatchDirectoryAsync, CancellationToken.None);
        _heartbeat = Task.Run(HeartbeatAsync, CancellationToken.None);
        // ListSessions should know the other replicas' sessions from the first call on; a slow start only delays that.
        try
        {
            await _directoryLoaded.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("Bus: the session directory was not read within 10 s; serving meanwhile, other replicas' sessions appear as it arrives");
        }
        _logger.LogInformation("Bus: replica {Replica} joined {Url}: stream {Stream}, directory {Bucket}, {Sessions} sessions listed on other replicas",
            ReplicaId, _options.Url, _options.StreamName, _options.DirectoryBucket, _sessions.Count(s => s.Value.Value.Replica != ReplicaId));
    }

    /// <summary>
    /// Makes a new local session known to every replica: claims its id in the directory, publishes its SessionStarted
    /// and attaches its publisher. False when another replica runs a session with that tenant and id. When the bus does
    /// not answer, the session runs here only (logged): its own client is served either way.
    /// </summary>
    public async Task<bool> AnnounceAsync(LiveSession session, CancellationToken ct)
    {
        if (_js is null || _kv is null)
        {
            return true;
        }
        string key = BusNames.SessionKey(session.Tenant, session.Id);
        string subject = BusNames.EventsSubject(_options.SubjectPrefix, key);
        string instance = Guid.NewGuid().ToString("N");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            ulong first = await SessionPublisher.PublishStartedAsync(_js, subject, instance, session.Started, timeout.Token).ConfigureAwait(false);
            var entry = new SessionEntry
            {
                Tenant = session.Tenant, Id = session.Id, Replica = ReplicaId, Instance = instance, Source = session.Source,
                StartTime = session.StartTime, FirstSequence = first,
            };
            var created = await _kv.TryCreateAsync(BusNames.DirectorySessionKey(key), DirectoryJson.Serialize(entry), cancellationToken: timeout.Token).ConfigureAwait(false);
            if (!created.Success)
            {
                if (created.Error is NatsKVCreateException)
                {
                    return false;
                }
                throw created.Error;
            }
            var publisher = new SessionPublisher(_js, subject, entry, created.Value, session, _options.OutboxEvents,
                n => _metrics.Refusals.WithLabels("bus_dropped").Inc(n), _logger, _stopping.Token);
            _publishers[key] = publisher;
            session.Outbox = publisher;
            publisher.Start(RetireAsync);
            return true;
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            _logger.LogWarning("Session {SessionId} runs on replica {Replica} only: the bus did not answer ({Reason}); other replicas neither list nor watch it",
                session.Id, ReplicaId, ex.Message);
            return true;
        }
    }

    /// <summary>The session's last event is stored: it leaves the directory.</summary>
    private async Task RetireAsync(SessionPublisher publisher)
    {
        _publishers.TryRemove(new KeyValuePair<string, SessionPublisher>(BusNames.SessionKey(publisher.Entry.Tenant, publisher.Entry.Id), publisher));
        if (publisher.LeaseLost || _kv is null)
        {
            return;
        }
        try
        {
            await DeleteOwnEntryAsync(_kv, publisher.DirectoryKey, publisher.Entry.Instance, publisher.DirectoryRevision, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or OperationCanceledException or TimeoutException)
        {
            _logger.LogWarning("Session {SessionId} could not leave the directory ({Reason}); the next heartbeat removes it", publisher.Session.Id, ex.Message);
        }
    }

    /// <summary>
    /// Deletes a directory entry of this replica's session run <paramref name="instance"/>; a heartbeat refresh racing
    /// with it may have moved the revision, so a refused delete re-reads the entry and tries again while it is still ours.
    /// </summary>
    private static async Task DeleteOwnEntryAsync(INatsKVStore kv, string key, string instance, ulong revision, CancellationToken ct)
    {
        for (int attempt = 0; attempt < 5; attempt++)
        {
            var deleted = await kv.TryDeleteAsync(key, new NatsKVDeleteOpts { Revision = revision }, ct).ConfigureAwait(false);
            if (deleted.Success)
            {
                return;
            }
            var current = await kv.TryGetEntryAsync<byte[]>(key, cancellationToken: ct).ConfigureAwait(false);
            if (!current.Success || DirectoryJson.Deserialize<SessionEntry>(current.Value.Value) is not { } entry || entry.Instance != instance)
            {
                return; // gone, or no longer this run's
            }
            revision = current.Value.Revision;
        }
    }

    /// <summary>The sessions other replicas run for <paramref name="tenant"/>, from the directory.</summary>
    public IReadOnlyList<SessionEntry> RemoteSessions(string tenant) =>
        [.. _sessions.Values.Select(t => t.Value).Where(e => e.Tenant == tenant && e.Replica != ReplicaId && e.FirstSequence > 0)];

    /// <summary>Watchers of a session on every replica: the owner's, plus those other replicas serve through their mirrors.</summary>
    public int WatchersEverywhere(SessionEntry entry, int local)
    {
        string key = BusNames.SessionKey(entry.Tenant, entry.Id);
        int remote = 0;
        foreach (var r in _replicas.Values)
        {
            if (r.Value.Id != ReplicaId && r.Value.RemoteWatchers.TryGetValue(key, out int n))
            {
                remote += n;
            }
        }
        return local + remote + (_mirrors.TryGetValue(key, out var m) ? m.WatcherCount : 0);
    }

    /// <summary>Watchers this replica serves for other replicas' sessions of <paramref name="tenant"/>.</summary>
    public int MirrorWatchersOf(string tenant) => _mirrors.Values.Where(m => m.Entry.Tenant == tenant).Sum(m => m.WatcherCount);

    /// <summary>
    /// The session <paramref name="id"/> of <paramref name="tenant"/> that another replica runs, mirrored here and caught
    /// up with its stream; null when the directory does not list it (or it has just ended).
    /// </summary>
    public async Task<LiveSession?> FindRemoteAsync(string tenant, string id, CancellationToken ct)
    {
        string key = BusNames.SessionKey(tenant, id);
        if (_js is null || !_sessions.TryGetValue(BusNames.DirectorySessionKey(key), out var tracked) || tracked.Value.Replica == ReplicaId || tracked.Value.FirstSequence == 0)
        {
            return null;
        }
        var entry = tracked.Value;
        var mirror = _mirrors.GetOrAdd(key, _ => new RemoteSessionMirror(entry, _logger, _stopping.Token));
        if (mirror.Entry.Instance != entry.Instance)
        {
            // A mirror of an earlier run with the same id, not yet gone: replace it.
            mirror.Stop();
            _mirrors.TryUpdate(key, new RemoteSessionMirror(entry, _logger, _stopping.Token), mirror);
            mirror = _mirrors[key];
        }
        lock (mirror)
        {
            if (mirror.Completion is null)
            {
                mirror.Start(_js, _options.StreamName, BusNames.EventsSubject(_options.SubjectPrefix, key),
                    m => _mirrors.TryRemove(new KeyValuePair<string, RemoteSessionMirror>(key, m)));
            }
        }
        return await mirror.Ready.WaitAsync(TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
    }

    private ReplicaEntry HeartbeatEntry() => new()
    {
        Id = ReplicaId,
        At = DateTimeOffset.UtcNow,
        Sessions = _registry.Count,
        Draining = _drain.IsDraining,
        RemoteWatchers = _mirrors.Where(m => m.Value.WatcherCount > 0).ToDictionary(m => m.Key, m => m.Value.WatcherCount),
    };

    private async Task WatchDirectoryAsync()
    {
        var ct = _stopping.Token;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (var e in _kv!.WatchAsync<byte[]>(opts: new NatsKVWatchOpts { OnNoData = _ => { _directoryLoaded.TrySetResult(); return ValueTask.FromResult(true); } }, cancellationToken: ct)
                                   .ConfigureAwait(false))
                {
                    OnDirectoryChange(e);
                    if (e.Delta == 0)
                    {
                        _directoryLoaded.TrySetResult();
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.LogWarning("Bus: following the directory failed ({Reason}); following it again", ex.Message);
                await Task.Delay(500, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private void OnDirectoryChange(NatsKVEntry<byte[]> e)
    {
        long now = Stopwatch.GetTimestamp();
        bool deleted = e.Operation is NatsKVOperation.Del or NatsKVOperation.Purge;
        if (e.Key.StartsWith("sessions.", StringComparison.Ordinal))
        {
            if (deleted)
            {
                if (_sessions.TryRemove(e.Key, out var gone) && _mirrors.TryGetValue(BusNames.SessionKey(gone.Value.Tenant, gone.Value.Id), out var mirror))
                {
                    mirror.DirectoryDropped();
                }
            }
            else if (DirectoryJson.Deserialize<SessionEntry>(e.Value) is { } entry)
            {
                _sessions.AddOrUpdate(e.Key, _ => new Tracked<SessionEntry>(entry, e.Revision, now), (_, old) => old with { Value = entry, Revision = e.Revision });
                if (_mirrors.TryGetValue(BusNames.SessionKey(entry.Tenant, entry.Id), out var mirror) && mirror.Entry.Instance == entry.Instance)
                {
                    mirror.Audio.Update(entry);
                }
            }
        }
        else if (e.Key.StartsWith("replicas.", StringComparison.Ordinal))
        {
            if (deleted)
            {
                _replicas.TryRemove(e.Key, out _);
            }
            else if (DirectoryJson.Deserialize<ReplicaEntry>(e.Value) is { } replica)
            {
                _replicas[e.Key] = new Tracked<ReplicaEntry>(replica, e.Revision, now);
            }
        }
    }

    private async Task HeartbeatAsync()
    {
        var ct = _stopping.Token;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.HeartbeatSeconds));
        bool failing = false;
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            try
            {
                await BeatAsync(ct).ConfigureAwait(false);
                if (failing)
                {
                    _logger.LogInformation("Bus: heartbeats go through again");
                }
                failing = false;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException)
            {
                if (!failing)
                {
                    _logger.LogWarning("Bus: heartbeat failed ({Reason}); past Server:Bus:LeaseSeconds other replicas end this replica's sessions", ex.Message);
                }
                failing = true;
            }
        }
    }

    private async Task BeatAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Lease);
        var kv = _kv!;
        var beat = await kv.TryUpdateAsync(BusNames.DirectoryReplicaKey(ReplicaId), DirectoryJson.Serialize(HeartbeatEntry()), _replicaRevision, cancellationToken: timeout.Token)
            .ConfigureAwait(false);
        if (!beat.Success)
        {
            // Another replica judged this one dead (a pause longer than the lease) and ended its sessions elsewhere.
            _logger.LogError("Bus: replica {Replica} lost its lease (no heartbeat for Server:Bus:LeaseSeconds {Lease} s); other replicas ended its sessions for their watchers. " +
                             "Its running sessions go on for their own clients only. Raise the lease if the machine pauses this long.", ReplicaId, _options.LeaseSeconds);
            _replicaRevision = await kv.PutAsync(BusNames.DirectoryReplicaKey(ReplicaId), DirectoryJson.Serialize(HeartbeatEntry()), cancellationToken: timeout.Token).ConfigureAwait(false);
        }
        else
        {
            _replicaRevision = beat.Value;
        }
        foreach (var p in _publishers.Values)
        {
            await RefreshAsync(kv, p, timeout.Token).ConfigureAwait(false);
        }
        foreach (var (key, tracked) in _sessions)
        {
            // An entry of this replica whose session is over (its delete failed while NATS was away): remove it now.
            var e = tracked.Value;
            // (Older than a lease, so a session being announced right now is never taken for one.)
            if (e.Replica == ReplicaId && !_publishers.ContainsKey(BusNames.SessionKey(e.Tenant, e.Id)) && Stopwatch.GetElapsedTime(tracked.SeenAt) > Lease)
            {
                await DeleteOwnEntryAsync(kv, key, e.Instance, tracked.Revision, timeout.Token).ConfigureAwait(false);
            }
        }
        await ReapAsync(kv, timeout.Token).ConfigureAwait(false);
    }

    private static async Task RefreshAsync(INatsKVStore kv, SessionPublisher p, CancellationToken ct)
    {
        if (p.LeaseLost)
        {
            return;
        }
        var s = p.Session;
        var entry = p.Entry with { AudioSeconds = Math.Round(s.Audio.SecondsReceived, 3), Speakers = s.SpeakersSoFar, Watchers = s.WatcherCount };
        if (entry == p.Entry)
        {
            return;
        }
        var updated = await kv.TryUpdateAsync(p.DirectoryKey, DirectoryJson.Serialize(entry), p.DirectoryRevision, cancellationToken: ct).ConfigureAwait(false);
        if (updated.Success)
        {
            p.Entry = entry;
            p.DirectoryRevision = updated.Value;
        }
        else if (updated.Error is NatsKVWrongLastRevisionException or NatsKVCreateException)
        {
            p.LeaseLost = true;
        }
    }

    /// <summary>Ends the sessions of replicas whose lease ran out, and forgets those replicas.</summary>
    private async Task ReapAsync(INatsKVStore kv, CancellationToken ct)
    {
        long now = Stopwatch.GetTimestamp();
        foreach (var (key, tracked) in _sessions)
        {
            var entry = tracked.Value;
            if (entry.Replica == ReplicaId)
            {
                continue;
            }
            long seen = _replicas.TryGetValue(BusNames.DirectoryReplicaKey(entry.Replica), out var owner) ? owner.SeenAt : tracked.SeenAt;
            var silent = Stopwatch.GetElapsedTime(seen, now);
            if (silent <= Lease)
            {
                continue;
            }
            // Whoever moves the entry's revision first reaps it; the others' compare-and-set fails.
            var claim = await kv.TryUpdateAsync(key, DirectoryJson.Serialize(entry), tracked.Revision, cancellationToken: ct).ConfigureAwait(false);
            if (!claim.Success)
            {
                continue;
            }
            var ended = new DiarizeEvent
            {
                SessionEnded = new SessionEnded
                {
                    Reason = EndReason.ReplicaLost,
                    Speakers = entry.Speakers,
                    Detail = $"replica {entry.Replica}, which ran this session, stopped answering (no heartbeat for {silent.TotalSeconds:F1} s, Server:Bus:LeaseSeconds {_options.LeaseSeconds}): " +
                             "the final turns sent before are kept; the streaming client must start a new session",
                },
            };
            var ack = await _js!.PublishAsync(BusNames.EventsSubject(_options.SubjectPrefix, BusNames.SessionKey(entry.Tenant, entry.Id)), ended.ToByteArray(),
                NatsRawSerializer<byte[]>.Default, new NatsJSPubOpts { MsgId = entry.Instance + ".lost" }, cancellationToken: ct).ConfigureAwait(false);
            if (!ack.Duplicate)
            {
                ack.EnsureSuccess();
            }
            await kv.DeleteAsync(key, new NatsKVDeleteOpts { Revision = claim.Value }, ct).ConfigureAwait(false);
            _metrics.Refusals.WithLabels("replica_lost").Inc();
            _logger.LogWarning("Bus: session {SessionId} (tenant {Tenant}) of replica {Replica} ended: the replica stopped answering {Silent:F1} s ago", entry.Id, entry.Tenant, entry.Replica, silent.TotalSeconds);
        }
        foreach (var (key, tracked) in _replicas)
        {
            if (tracked.Value.Id != ReplicaId && Stopwatch.GetElapsedTime(tracked.SeenAt, now) > Lease && !_sessions.Values.Any(s => s.Value.Replica == tracked.Value.Id))
            {
                await kv.TryDeleteAsync(key, new NatsKVDeleteOpts { Revision = tracked.Revision }, ct).ConfigureAwait(false);
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Sessions end before this (ApplicationStopping); their last events are still on the way to the bus.
        var pending = _publishers.Values.Select(p => p.Completion).OfType<Task>().ToArray();
        try
        {
            await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            _logger.LogWarning("Bus: {Count} sessions' last events did not reach the bus before the shutdown grace ran out", pending.Count(t => !t.IsCompleted));
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var m in _mirrors.Values)
        {
            m.Stop();
        }
        if (_kv is not null)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _kv.TryDeleteAsync(BusNames.DirectoryReplicaKey(ReplicaId), cancellationToken: timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NatsException or OperationCanceledException or TimeoutException)
            {
                _logger.LogDebug("Bus: could not remove this replica's heartbeat: {Reason}", ex.Message);
            }
        }
        await Task.WhenAll(new[] { _watch, _heartbeat }.OfType<Task>()).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        // Registered as a singleton and as a hosted service: the container disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_nats is not null)
        {
            await _nats.DisposeAsync().ConfigureAwait(false);
        }
        _stopping.Dispose();
    }

    private sealed record Tracked<T>(T Value, ulong Revision, long SeenAt);
}
