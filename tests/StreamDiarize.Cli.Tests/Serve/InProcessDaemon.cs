// The daemon inside the test process on fresh loopback ports, for CLI commands that talk to it.
using Microsoft.AspNetCore.Builder;
using StreamDiarize.Server;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Cli.Tests.Serve;

internal static class InProcessDaemon
{
    /// <summary>Starts it with <paramref name="settings"/> on top of loopback ports and warning-level logs; the URL is its gRPC address.</summary>
    public static Task<(WebApplication App, string Url)> StartAsync(params KeyValuePair<string, string?>[] settings) =>
        FreePorts.StartOnFreshPortsAsync(2, async ports =>
        {
            int grpc = ports[0], http = ports[1];
            var app = ServerHost.Build([], new ServerHostOptions
            {
                Overrides =
                [
                    new("Server:Host", "127.0.0.1"),
                    new("Server:GrpcPort", grpc.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new("Server:HttpPort", http.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new("Logging:LogLevel:Default", "Warning"),
                    .. settings,
                ],
            });
            try
            {
                await app.StartAsync();
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }
            return (app, $"http://127.0.0.1:{grpc}");
        });
}
