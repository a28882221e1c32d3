// `serve` with Server:DrainGraceSeconds: SIGTERM first drains (no new sessions, health NOT_SERVING), then stops the host.
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamDiarize.Server.Sessions;

namespace StreamDiarize.Server;

/// <summary>
/// Replaces the console lifetime, whose SIGTERM stops the host at once (every session then ends with
/// SERVER_SHUTDOWN within Server:ShutdownGraceSeconds). Here SIGTERM (or SIGINT, SIGQUIT) begins a drain:
/// <see cref="ServerDrain"/> turns health NOT_SERVING and new sessions are refused with UNAVAILABLE, while running
/// sessions go on until they end by themselves or Server:DrainGraceSeconds pass. Then the host stops as before: the
/// sessions still running end with their final turns and SessionEnded{SERVER_SHUTDOWN}. A second signal skips the wait.
/// </summary>
public sealed class DrainingHostLifetime(
    IHostApplicationLifetime lifetime,
    ServerDrain drain,
    SessionRegistry registry,
    IOptions<ServerOptions> options,
    ILogger<DrainingHostLifetime> logger) : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> _signals = [];

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
        {
            _signals.Add(PosixSignalRegistration.Create(signal, OnSignal));
        }
        return Task.CompletedTask;
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // the process does not die of the signal: the host stops it
        if (drain.Begin())
        {
            _ = Task.Run(DrainAsync);
        }
        else
        {
            logger.LogWarning("{Signal} again while draining: stopping now", context.Signal);
            lifetime.StopApplication();
        }
    }

    private async Task DrainAsync()
    {
        double grace = options.Value.DrainGraceSeconds;
        logger.LogInformation("Draining: health is NOT_SERVING and new sessions are refused; {Count} running sessions get up to {Grace} s (Server:DrainGraceSeconds) to end",
            registry.Count, grace);
        var clock = Stopwatch.StartNew();
        while (registry.Count > 0 && clock.Elapsed.TotalSeconds < grace)
        {
            await Task.Delay(100).ConfigureAwait(false);
        }
        logger.LogInformation("Drained after {Seconds:F1} s: {Count} sessions still running end now with their final turns", clock.Elapsed.TotalSeconds, registry.Count);
        lifetime.StopApplication();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var s in _signals)
        {
            s.Dispose();
        }
    }
}
