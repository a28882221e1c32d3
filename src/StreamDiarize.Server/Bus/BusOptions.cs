// Server:Bus: the NATS JetStream bus that lets several `serve` replicas share sessions (docs/SCALING.md). Off when Url is empty.
namespace StreamDiarize.Server.Bus;

public sealed class BusOptions
{
    /// <summary>The NATS server(s), e.g. nats://127.0.0.1:4222 (comma-separated for a cluster). Empty: no bus, one process as before.</summary>
    public string Url { get; set; } = "";

    /// <summary>This replica's name in the session directory; empty: the host name and a random suffix (new at every start).</summary>
    public string ReplicaId { get; set; } = "";

    /// <summary>First token of every subject, so several deployments can share one NATS account.</summary>
    public string SubjectPrefix { get; set; } = "streamdiarize";

    /// <summary>The JetStream stream that keeps session events.</summary>
    public string StreamName { get; set; } = "STREAMDIARIZE_EVENTS";

    /// <summary>The key-value bucket holding the live session directory and the replicas' heartbeats.</summary>
    public string DirectoryBucket { get; set; } = "streamdiarize-directory";

    /// <summary>How long the stream keeps a session's events (the longest replay a watcher can get).</summary>
    public double MaxAgeSeconds { get; set; } = 24 * 3600;

    /// <summary>The stream's size cap; the oldest events go first past it.</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>Copies JetStream keeps of the stream and the bucket (1 for one NATS server, 3 for a three-node cluster).</summary>
    public int Replicas { get; set; } = 1;

    /// <summary>How often a replica renews its lease and refreshes its sessions' entries (audio seconds, speakers, watchers).</summary>
    public double HeartbeatSeconds { get; set; } = 1;

    /// <summary>A replica whose heartbeat is older than this is dead: its sessions are ended with END_REASON_REPLICA_LOST.</summary>
    public double LeaseSeconds { get; set; } = 3;

    /// <summary>Events a session may have waiting for the bus; past it the oldest are dropped (logged, counted) rather than slowing the session.</summary>
    public int OutboxEvents { get; set; } = 4096;

    public bool Enabled => !string.IsNullOrWhiteSpace(Url);

    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (!Enabled)
        {
            return errors;
        }
        foreach (var url in Url.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("nats" or "tls" or "ws" or "wss"))
            {
                errors.Add($"Server:Bus:Url '{url}' is invalid: give nats://HOST:PORT (several separated by commas), or leave it empty for one process without a bus");
            }
        }
        if (ReplicaId.Length > 0 && !BusNames.IsToken(ReplicaId))
        {
            errors.Add($"Server:Bus:ReplicaId '{ReplicaId}' is invalid: use letters, digits and '-' (up to 64), or leave it empty for the host name");
        }
        if (!BusNames.IsToken(SubjectPrefix))
        {
            errors.Add($"Server:Bus:SubjectPrefix '{SubjectPrefix}' is invalid: use letters, digits and '-' (one subject token)");
        }
        if (!BusNames.IsToken(StreamName))
        {
            errors.Add($"Server:Bus:StreamName '{StreamName}' is invalid: use letters, digits, '-' and '_'");
        }
        if (!BusNames.IsToken(DirectoryBucket))
        {
            errors.Add($"Server:Bus:DirectoryBucket '{DirectoryBucket}' is invalid: use letters, digits, '-' and '_'");
        }
        if (!(MaxAgeSeconds >= 60) || MaxAgeSeconds > 365 * 24 * 3600)
        {
            errors.Add($"Server:Bus:MaxAgeSeconds {MaxAgeSeconds} is invalid: use 60 to {365 * 24 * 3600} (a year)");
        }
        if (MaxBytes < 1 << 20)
        {
            errors.Add($"Server:Bus:MaxBytes {MaxBytes} is invalid: use at least {1 << 20} (1 MiB)");
        }
        if (Replicas is < 1 or > 5)
        {
            errors.Add($"Server:Bus:Replicas {Replicas} is invalid: use 1 to 5 (JetStream's limit), at most the NATS cluster's size");
        }
        if (!(HeartbeatSeconds >= 0.1) || HeartbeatSeconds > 60)
        {
            errors.Add($"Server:Bus:HeartbeatSeconds {HeartbeatSeconds} is invalid: use 0.1 to 60");
        }
        if (!(LeaseSeconds >= 2 * HeartbeatSeconds) || LeaseSeconds > 600)
        {
            errors.Add($"Server:Bus:LeaseSeconds {LeaseSeconds} is invalid: use at least twice Server:Bus:HeartbeatSeconds ({2 * HeartbeatSeconds}) and at most 600");
        }
        if (OutboxEvents is < 16 or > 1_000_000)
        {
            errors.Add($"Server:Bus:OutboxEvents {OutboxEvents} is invalid: use 16 to 1000000");
        }
        return errors;
    }
}
