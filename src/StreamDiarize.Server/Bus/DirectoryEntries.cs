// What the session directory (a JetStream key-value bucket) holds: one entry per live session, one per replica.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamDiarize.Server.Bus;

/// <summary>A live session, as every replica lists it. Written by its owner at start and refreshed at each heartbeat.</summary>
public sealed record SessionEntry
{
    public required string Tenant { get; init; }

    public required string Id { get; init; }

    /// <summary>The replica that owns the session (runs its pipeline and its Diarize call).</summary>
    public required string Replica { get; init; }

    /// <summary>Unique per session run, so events of an earlier session with the same id never mix in.</summary>
    public required string Instance { get; init; }

    public required string Source { get; init; }

    public DateTimeOffset StartTime { get; init; }

    /// <summary>The stream sequence of the session's SessionStarted event: where a watcher on another replica starts reading.</summary>
    public ulong FirstSequence { get; init; }

    public double AudioSeconds { get; init; }

    public int Speakers { get; init; }

    /// <summary>Watchers on the owning replica.</summary>
    public int Watchers { get; init; }
}

/// <summary>A replica's heartbeat: renewed every Server:Bus:HeartbeatSeconds; older than the lease, the replica is dead.</summary>
public sealed record ReplicaEntry
{
    public required string Id { get; init; }

    public DateTimeOffset At { get; init; }

    public int Sessions { get; init; }

    public bool Draining { get; init; }

    /// <summary>Watchers this replica serves for sessions other replicas own, by session key.</summary>
    public Dictionary<string, int> RemoteWatchers { get; init; } = [];
}

internal static class DirectoryJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <summary>The entry, or null for a value that is not one (written by something else into the bucket).</summary>
    public static T? Deserialize<T>(byte[]? bytes) where T : class
    {
        if (bytes is null || bytes.Length == 0)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
