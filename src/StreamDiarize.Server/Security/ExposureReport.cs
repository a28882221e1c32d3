// Says at start, loudly, when the daemon listens beyond this machine without authentication (`serve --insecure`).
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StreamDiarize.Server.Security;

internal sealed class ExposureReport(IOptions<ServerOptions> options, ILogger<ExposureReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.Auth.Enabled && o.Insecure && !AuthOptions.IsLoopback(o.Host))
        {
            logger.LogWarning(
                "INSECURE: serving {Host} without API keys (--insecure). Anyone who can reach ports {GrpcPort} and {HttpPort} can stream audio, list, watch and follow every session. " +
                "Configure Server:Auth keys and TLS before exposing the daemon (docs/SECURITY.md).", o.Host, o.GrpcPort, o.HttpPort);
        }
        else if (o.Auth.Enabled)
        {
            logger.LogInformation("API keys are on: every call but health needs a key; tenants see only their own sessions");
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
