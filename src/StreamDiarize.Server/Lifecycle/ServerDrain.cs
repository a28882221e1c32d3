// Whether this replica is draining: after SIGTERM it finishes its sessions but takes no new ones, and says so on health.
namespace StreamDiarize.Server;

/// <summary>Set once, never cleared: a draining process only ever exits.</summary>
public sealed class ServerDrain
{
    private int _draining;

    public bool IsDraining => Volatile.Read(ref _draining) == 1;

    /// <summary>True for the call that started the drain.</summary>
    public bool Begin() => Interlocked.Exchange(ref _draining, 1) == 0;
}
