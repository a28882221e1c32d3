// Finds and lists sessions for Watch, ListSessions and the live page: this process's own, and with a bus every replica's.
using StreamDiarize.Server.Bus;

namespace StreamDiarize.Server.Sessions;

/// <summary>One live session as ListSessions and /api/sessions report it, wherever it runs.</summary>
public sealed record SessionSummary(string Id, DateTimeOffset StartTime, double AudioSeconds, int Speakers, string Source, int Watchers, string Replica);

/// <summary>
/// Without a bus, the registry alone. With one (<see cref="SessionBus"/>), a session another replica runs is listed
/// from the directory and watched through a mirror of its event stream, so every replica answers for every session.
/// Tenants stay apart everywhere: a session is found and listed only under its own tenant.
/// </summary>
public sealed class SessionLocator(SessionRegistry registry, SessionBus? bus = null)
{
    /// <summary>The session <paramref name="id"/> of <paramref name="tenant"/>, local or (with a bus) mirrored; null when none is live.</summary>
    public async ValueTask<LiveSession?> FindAsync(string tenant, string id, CancellationToken ct)
    {
        if (registry.TryGet(tenant, id, out var local))
        {
            return local;
        }
        return bus is null ? null : await bus.FindRemoteAsync(tenant, id, ct).ConfigureAwait(false);
    }

    /// <summary>The live sessions of <paramref name="tenant"/> on every replica, oldest first.</summary>
    public IReadOnlyList<SessionSummary> List(string tenant)
    {
        string me = bus?.ReplicaId ?? "";
        var list = new List<SessionSummary>();
        foreach (var s in registry.Snapshot(tenant))
        {
            int watchers = s.WatcherCount;
            list.Add(new SessionSummary(s.Id, s.StartTime, s.Audio.SecondsReceived, s.SpeakersSoFar, s.Source, watchers, me));
        }
        if (bus is not null)
        {
            for (int i = 0; i < list.Count; i++)
            {
                // This replica's own sessions: add the watchers other replicas serve for them.
                var own = list[i];
                list[i] = own with { Watchers = bus.WatchersEverywhere(new SessionEntry { Tenant = tenant, Id = own.Id, Replica = me, Instance = "", Source = own.Source }, own.Watchers) };
            }
            foreach (var e in bus.RemoteSessions(tenant))
            {
                list.Add(new SessionSummary(e.Id, e.StartTime, e.AudioSeconds, e.Speakers, e.Source, bus.WatchersEverywhere(e, e.Watchers), e.Replica));
            }
        }
        list.Sort((a, b) => a.StartTime.CompareTo(b.StartTime));
        return list;
    }

    /// <summary>Watchers the tenant has open on this replica (its quota is per replica).</summary>
    public int WatchersOf(string tenant) => registry.WatchersOf(tenant) + (bus?.MirrorWatchersOf(tenant) ?? 0);

    /// <summary>Makes a new local session known to the other replicas; false when another replica already runs that id for the tenant.</summary>
    public Task<bool> AnnounceAsync(LiveSession session, CancellationToken ct) => bus?.AnnounceAsync(session, ct) ?? Task.FromResult(true);
}
