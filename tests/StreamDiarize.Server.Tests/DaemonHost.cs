// The real daemon (ServerHost + Kestrel) on 127.0.0.1 with free ports, and a gRPC client for it.
using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Protocol.V1;
using StreamDiarize.Server.Sessions;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Server.Tests;

public sealed class DaemonHost : IAsyncDisposable
{
    private DaemonHost(WebApplication app, int grpcPort, int httpPort)
    {
        App = app;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
        GrpcAddress = $"http://127.0.0.1:{grpcPort}";
        Channel = GrpcChannel.ForAddress(GrpcAddress);
        Client = new Diarizer.DiarizerClient(Channel);
    }

    public WebApplication App { get; }

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public string GrpcAddress { get; }

    public GrpcChannel Channel { get; }

    public Diarizer.DiarizerClient Client { get; }

    public SessionRegistry Registry => App.Services.GetRequiredService<SessionRegistry>();

    /// <summary>Starts the daemon with <paramref name="factory"/> (null: whatever ServerHost registers by default) and extra Server settings.</summary>
    public static Task<DaemonHost> StartAsync(ISessionComponentsFactory? factory = null, params (string Key, string Value)[] settings) =>
        StartAsync(factory, configureServices: null, settings);

    /// <summary>As above, with a hook to add services (a log collector) after the test defaults.</summary>
    public static async Task<DaemonHost> StartAsync(ISessionComponentsFactory? factory, Action<IServiceCollection>? configureServices, params (string Key, string Value)[] settings)
    {
        return await FreePorts.StartOnFreshPortsAsync(2, ports => TryStartAsync(ports, factory, configureServices, settings));
    }

    private static async Task<DaemonHost> TryStartAsync(int[] ports, ISessionComponentsFactory? factory, Action<IServiceCollection>? configureServices, (string Key, string Value)[] settings)
    {
        int grpcPort = ports[0], httpPort = ports[1];
        var overrides = new List<KeyValuePair<string, string?>>
        {
            new("Server:Host", "127.0.0.1"),
            new("Server:GrpcPort", grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("Server:HttpPort", httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            // The daemon runs inside the test process, whose CPU other tests share: the busy-cores rule is off unless a
            // test turns it on (AdmissionTests does).
        };
        if (!settings.Any(s => s.Key == "Server:Admission:MaxCpuShare"))
        {
            overrides.Add(new("Server:Admission:MaxCpuShare", "0"));
        }
        overrides.AddRange(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        var app = ServerHost.Build([], new ServerHostOptions
        {
            Overrides = overrides,
            ConfigureServices = services =>
            {
                services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
                if (factory is not null)
                {
                    services.AddSingleton(factory);
                }
                configureServices?.Invoke(services);
            },
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
        return new DaemonHost(app, grpcPort, httpPort);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
