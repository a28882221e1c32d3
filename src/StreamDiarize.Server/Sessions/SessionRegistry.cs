// The live sessions, by tenant and id: what ListSessions lists, Watch looks up and shutdown stops. Each tenant has its
// own ids, so one tenant can neither see another's sessions nor learn their ids from a refused name.
using System.Collections.Concurrent;

namespace StreamDiarize.Server.Sessions;

public enum AddResult
{
    Added,
    Full,
    DuplicateId,
    TenantFull,
}

/// <summary>Thread-safe. Adding checks the limits and the id under one lock, so the limits hold under a burst of calls.</summary>
public sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<(string Tenant, string Id), LiveSession> _sessions = new();
    private readonly Lock _addLock = new();

    public int Count => _sessions.Count;

    /// <summary>Adds the session unless its tenant already runs one with that id, the server is at <paramref name="maxSessions"/> or the tenant at <paramref name="maxPerTenant"/>.</summary>
    public AddResult TryAdd(LiveSession session, int maxSessions, int maxPerTenant = int.MaxValue)
    {
        lock (_addLock)
        {
            if (_sessions.ContainsKey((session.Tenant, session.Id)))
            {
                return AddResult.DuplicateId;
            }
            if (_sessions.Count >= maxSessions)
            {
                return AddResult.Full;
            }
            if (_sessions.Keys.Count(k => k.Tenant == session.Tenant) >= maxPerTenant)
            {
                return AddResult.TenantFull;
            }
            _sessions[(session.Tenant, session.Id)] = session;
            return AddResult.Added;
        }
    }

    /// <summary>The session <paramref name="id"/> of <paramref name="tenant"/> ("" when authentication is off).</summary>
    public bool TryGet(string tenant, string id, out LiveSession session) => _sessions.TryGetValue((tenant, id), out session!);

    /// <summary>A session of the anonymous tenant (authentication off).</summary>
    public bool TryGet(string id, out LiveSession session) => TryGet("", id, out session);

    public void Remove(LiveSession session) => _sessions.TryRemove(new KeyValuePair<(string, string), LiveSession>((session.Tenant, session.Id), session));

    /// <summary>Every session, oldest first.</summary>
    public IReadOnlyList<LiveSession> Snapshot() => [.. _sessions.Values.OrderBy(s => s.StartTime)];

    /// <summary>The sessions of <paramref name="tenant"/>, oldest first.</summary>
    public IReadOnlyList<LiveSession> Snapshot(string tenant) => [.. _sessions.Values.Where(s => s.Tenant == tenant).OrderBy(s => s.StartTime)];

    /// <summary>Watchers following the sessions of <paramref name="tenant"/> now.</summary>
    public int WatchersOf(string tenant) => _sessions.Values.Where(s => s.Tenant == tenant).Sum(s => s.WatcherCount);
}
