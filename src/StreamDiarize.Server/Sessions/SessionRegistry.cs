// The live sessions, by id: what ListSessions lists, Watch looks up and shutdown stops.
using System.Collections.Concurrent;

namespace StreamDiarize.Server.Sessions;

public enum AddResult
{
    Added,
    Full,
    DuplicateId,
}

/// <summary>Thread-safe. Adding checks the limit and the id under one lock, so the limit holds under a burst of calls.</summary>
public sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<string, LiveSession> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _addLock = new();

    public int Count => _sessions.Count;

    public AddResult TryAdd(LiveSession session, int maxSessions)
    {
        lock (_addLock)
        {
            if (_sessions.ContainsKey(session.Id))
            {
                return AddResult.DuplicateId;
            }
            if (_sessions.Count >= maxSessions)
            {
                return AddResult.Full;
            }
            _sessions[session.Id] = session;
            return AddResult.Added;
        }
    }

    public bool TryGet(string id, out LiveSession session) => _sessions.TryGetValue(id, out session!);

    public void Remove(LiveSession session) => _sessions.TryRemove(new KeyValuePair<string, LiveSession>(session.Id, session));

    /// <summary>Oldest first.</summary>
    public IReadOnlyList<LiveSession> Snapshot() => [.. _sessions.Values.OrderBy(s => s.StartTime)];
}
