// Says once, at start, where the daemon answers: the gRPC address, the HTTP address and the live page's URL.
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StreamDiarize.Server;

/// <summary>
/// Replaces ASP.NET Core's two anonymous "Now listening on" lines (Microsoft.Hosting.Lifetime is at Warning in
/// config/appsettings.json) with one line naming each endpoint's job.
/// </summary>
internal sealed class StartupBanner(IServer server, IHostApplicationLifetime lifetime, IOptions<ServerOptions> options, ILogger<StartupBanner> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Announce);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Announce()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        var o = options.Value;
        string? grpc = addresses.FirstOrDefault(a => PortOf(a) == o.GrpcPort);
        string? http = addresses.FirstOrDefault(a => PortOf(a) == o.HttpPort);
        if (grpc is null || http is null)
        {
            // Kestrel:Endpoints replaced the simple endpoints: name what is listening.
            logger.LogInformation("StreamDiarize listening on {Addresses} (Kestrel:Endpoints); Ctrl-C or SIGTERM stops it", string.Join(", ", addresses));
            return;
        }
        string page = Browsable(http) + "/";
        logger.LogInformation(
            "StreamDiarize ready: gRPC (HTTP/2) on {GrpcAddress} (streamdiarize stream AUDIO --server {GrpcClientAddress}); HTTP/1.1 on {HttpAddress} (/healthz, /metrics); live page {PageUrl}; Ctrl-C or SIGTERM stops it",
            grpc, Browsable(grpc), http, page);
    }

    private static int PortOf(string address) =>
        Uri.TryCreate(address.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Port : -1;

    /// <summary>An address a browser or client on this machine can open (a wildcard or 0.0.0.0 becomes 127.0.0.1).</summary>
    private static string Browsable(string address) =>
        address.Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://+", "://127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
}
