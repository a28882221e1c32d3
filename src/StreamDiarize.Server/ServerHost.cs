// Builds the daemon: configuration, Kestrel endpoints (gRPC on HTTP/2; probes, metrics and the live page on HTTP/1.1), services and routes.
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prometheus;
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Server.Admission;
using StreamDiarize.Server.Metrics;
using StreamDiarize.Server.Bus;
using StreamDiarize.Server.Models;
using StreamDiarize.Server.Security;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Onnx;
using StreamDiarize.Server.Services;
using StreamDiarize.Server.Sessions;
using StreamDiarize.Server.Web;

namespace StreamDiarize.Server;

/// <summary>How the host is put together; every part optional.</summary>
public sealed class ServerHostOptions
{
    /// <summary>Lowest-priority configuration (the CLI passes its embedded config/appsettings.json).</summary>
    public Func<Stream>? DefaultsJson { get; init; }

    /// <summary>A JSON file given with --config; it must exist.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Highest-priority settings (the CLI's --host/--grpc-port/--http-port, tests' limits).</summary>
    public IEnumerable<KeyValuePair<string, string?>> Overrides { get; init; } = [];

    /// <summary>A hook to replace services before the defaults are added, e.g. the <see cref="ISessionComponentsFactory"/>.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>`serve`: SIGTERM, SIGINT and SIGQUIT drain the daemon first (Server:DrainGraceSeconds), see <see cref="DrainingHostLifetime"/>.</summary>
    public bool DrainOnSignals { get; init; }
}

public static class ServerHost
{
    public const string EnvironmentPrefix = "STREAMDIARIZE__";

    /// <summary>Health checks with this tag answer readiness (taking new sessions), not liveness.</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// The daemon, ready to run. Configuration, lowest to highest: <see cref="ServerHostOptions.DefaultsJson"/>,
    /// ./appsettings.json, --config, STREAMDIARIZE__ variables, command-line <paramref name="args"/> (Server:MaxSessions=10),
    /// then <see cref="ServerHostOptions.Overrides"/>. A Kestrel:Endpoints section replaces the simple Server:Host/ports endpoints.
    /// </summary>
    public static Microsoft.AspNetCore.Builder.WebApplication Build(string[] args, ServerHostOptions? hostOptions = null)
    {
        hostOptions ??= new ServerHostOptions();
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = Directory.GetCurrentDirectory() });
        var config = builder.Configuration;
        config.Sources.Clear();
        if (hostOptions.DefaultsJson is { } defaults)
        {
            config.AddJsonStream(defaults());
        }
        config.AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true, reloadOnChange: false);
        if (hostOptions.ConfigFile is { } file)
        {
            if (!File.Exists(file))
            {
                throw new OptionsValidationException([$"--config {file}: no such file"]);
            }
            config.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
        }
        config.AddEnvironmentVariables(EnvironmentPrefix);
        config.AddCommandLine(args);
        config.AddInMemoryCollection(hostOptions.Overrides);

        var serverOptions = BindServerOptions(config);
        ExposureCheck.ThrowIfExposed(config, serverOptions);
        var diarization = BindDiarizationSettings(config);
        var onnx = BindOnnxSettings(config);
        ConfigureKestrel(builder, serverOptions);
        hostOptions.ConfigureServices?.Invoke(builder.Services);
        if (hostOptions.DrainOnSignals)
        {
            builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, DrainingHostLifetime>();
        }
        AddDiarizerServer(builder.Services, serverOptions, diarization, onnx);

        var app = builder.Build();
        MapDiarizerServer(app);
        return app;
    }

    /// <summary>Binds and validates Server; throws <see cref="OptionsValidationException"/> listing every error.</summary>
    public static ServerOptions BindServerOptions(IConfiguration config) => SettingsBinder.Bind<ServerOptions>(config, ServerOptions.SectionName);

    /// <summary>Binds and validates the Diarization section (the same settings `file` uses); throws listing every error.</summary>
    public static DiarizationSettings BindDiarizationSettings(IConfiguration config) => SettingsBinder.Bind<DiarizationSettings>(config, "Diarization");

    /// <summary>Binds and validates the Onnx section (threads, micro-batching); throws listing every error.</summary>
    public static OnnxSettings BindOnnxSettings(IConfiguration config) => SettingsBinder.Bind<OnnxSettings>(config, OnnxSettings.SectionName);

    /// <summary>
    /// The DI registration point. <see cref="ISessionComponentsFactory"/> is added with TryAdd, so a factory registered
    /// before this call (tests) wins over the default one: the live default diarizer with the configured stages, whose
    /// sessions embed windows with MFCC statistics ("features") or a speaker model ("onnx:PATH", opened once per path
    /// and disposed with the host). Its read-only tables (filter banks, windows, models) are shared by every session.
    /// </summary>
    public static IServiceCollection AddDiarizerServer(IServiceCollection services, ServerOptions options, DiarizationSettings? diarization = null, OnnxSettings? onnx = null)
    {
        diarization ??= new DiarizationSettings();
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        // SIGTERM: open calls get the grace to receive their last events (every session ends at ApplicationStopping), then the process exits.
        services.Configure<Microsoft.Extensions.Hosting.HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(options.ShutdownGraceSeconds));
        // A factory delegate, not an instance, so the container disposes the models it opened.
        services.TryAddSingleton<ISessionComponentsFactory>(_ => new OnnxSessionFactory(diarization.Default, diarization.Streaming, onnx));
        services.TryAddSingleton(new ModelCatalog(options.Models));
        services.TryAddSingleton(sp => new ApiKeyStore(options.Auth, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ApiKeyStore>>()));
        ClientCertificateAuthentication.Add(services, options.Auth);
        services.AddHostedService<ExposureReport>();
        services.AddHostedService<StartupBanner>();
        services.AddHostedService<DeclaredModelLoader>();
        services.TryAddSingleton<SessionRegistry>();
        services.TryAddSingleton<ServerDrain>();
        if (options.Bus.Enabled)
        {
            // Replicas share sessions over NATS JetStream (docs/SCALING.md); without a URL nothing of it runs.
            services.TryAddSingleton<SessionBus>();
            services.AddHostedService(sp => sp.GetRequiredService<SessionBus>());
        }
        services.TryAddSingleton<SessionLocator>();
        // Voice profiles (docs/SPEAKERS.md): the stores, reported at start, and the built-in kind's modeller.
        services.TryAddSingleton<Profiles.ProfileStores>();
        services.AddHostedService(sp => sp.GetRequiredService<Profiles.ProfileStores>());
        services.TryAddSingleton(new Core.Speakers.FeatureVoiceModeller(diarization.Default));
        services.TryAddSingleton<SessionRunner>();
        if (options.Microphone.Enabled)
        {
            services.AddHostedService<MicrophoneSessionService>();
        }
        services.TryAddSingleton<ServerMetrics>();
        services.TryAddSingleton<AdmissionControl>();
        services.TryAddSingleton(new TenantRateLimiter(options.RateLimit));
        services.AddHostedService(sp => sp.GetRequiredService<AdmissionControl>());
        services.AddGrpc(o =>
        {
            // The transport cap sits above the per-chunk limit, so an oversized chunk gets our message (with the fix) rather than the generic one.
            o.MaxReceiveMessageSize = options.MaxMessageBytes * 2 + 1024;
            o.EnableDetailedErrors = false;
        });
        if (options.Reflection)
        {
            services.AddGrpcReflection();
        }
        // Liveness ("" over gRPC, /healthz) says the process serves and is not draining; readiness
        // ("streamdiarize.v1.Diarizer", /readyz) also says whether it takes new sessions, so a load balancer sends them
        // elsewhere while it is at capacity. Both are NOT_SERVING from the moment SIGTERM arrives (a drain or a stop).
        services.AddGrpcHealthChecks(o =>
            {
                o.Services.Map("", r => !r.Tags.Contains(ReadyTag));
                o.Services.Map(Protocol.V1.Diarizer.Descriptor.FullName, _ => true);
            })
            .Add(new HealthCheckRegistration("diarizer", sp => new DiarizerHealthCheck(
                sp.GetRequiredService<ServerDrain>(), sp.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>()),
                failureStatus: null, tags: null))
            .AddCheck<AdmissionControl>("admission", tags: [ReadyTag]);
        return services;
    }

    public static void MapDiarizerServer(Microsoft.AspNetCore.Builder.WebApplication app)
    {
        var keys = app.Services.GetRequiredService<ApiKeyStore>();
        var metrics = app.Services.GetRequiredService<ServerMetrics>();
        var server = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ServerOptions>>().Value;
        // The gRPC port answers gRPC only: /metrics, /healthz and the page live on the HTTP port.
        app.Use((context, next) => server.GrpcPort != 0 && context.Connection.LocalPort == server.GrpcPort
            && !GrpcStatusResponse.IsGrpc(context.Request)
            ? Results.NotFound().ExecuteAsync(context) : next(context));
        // WebSocket upgrades are recognised from here on, and another site's page is refused before anything else
        // answers it (the refusals below tell a browser why, which is for our own pages only).
        app.UseWebSockets();
        app.Use((context, next) => WebSocketDiarizeEndpoint.RefuseForeignOrigin(context, next));
        bool certificates = server.Auth.ClientCertificates.Count > 0;
        app.Use((context, next) => ApiKeyAuthentication.InvokeAsync(context, () => next(context), keys, metrics, certificates));
        var rate = app.Services.GetRequiredService<TenantRateLimiter>();
        app.Use((context, next) => RateLimitRequest(context, () => next(context), rate, metrics));
        app.Use((context, next) => MalformedRequestGuard.InvokeAsync(context, () => next(context)));
        app.MapGrpcService<DiarizerService>();
        app.MapGrpcService<Profiles.SpeakerProfilesService>();
        app.MapGrpcHealthChecksService();
        if (server.Reflection)
        {
            app.MapGrpcReflectionService();
        }
        app.MapHealthChecks("/healthz", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { Predicate = r => !r.Tags.Contains(ReadyTag) });
        app.MapHealthChecks("/readyz", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            // The body says why, so an operator reading the probe sees "at capacity" and the lag.
            ResponseWriter = (context, report) => context.Response.WriteAsync(report.Status == HealthStatus.Healthy
                ? "Healthy" : string.Join("; ", report.Entries.Values.Where(e => e.Status != HealthStatus.Healthy).Select(e => e.Description))),
        });
        app.MapMetrics("/metrics", metrics.Registry);
        // The live timeline (docs/LIVE.md): its page at /, its JSON and Server-Sent Events under /api; the browser
        // microphone's WebSocket at /api/diarize.
        LiveWebEndpoints.MapLiveWeb(app);
    }

    /// <summary>Each call and each API request takes one message from its tenant's bucket; health probes and the page's files do not.</summary>
    private static Task RateLimitRequest(HttpContext context, Func<Task> next, TenantRateLimiter rate, ServerMetrics metrics)
    {
        bool counted = GrpcStatusResponse.IsGrpc(context.Request) ? !context.Request.Path.StartsWithSegments("/grpc.health.v1.Health")
            : context.Request.Path.StartsWithSegments("/api") || context.Request.Path == "/metrics";
        if (!counted || rate.TryAcquire(ApiKeyAuthentication.TenantOf(context)))
        {
            return next();
        }
        metrics.Refusals.WithLabels("rate_limited").Inc();
        return GrpcStatusResponse.RefuseAsync(context, Grpc.Core.StatusCode.ResourceExhausted, rate.Refusal);
    }

    private static void ConfigureKestrel(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder, ServerOptions options)
    {
        if (builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            return; // Full endpoint configuration (TLS, several interfaces) is Kestrel's own, read from the Kestrel section.
        }
        var certificate = options.Tls.Enabled ? options.Tls.Load() : null;
        var clientCertificates = options.Tls.KestrelClientCertificateMode(options.Auth.ClientCertificates.Count > 0);
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Without TLS there is no ALPN, so one endpoint cannot offer both: gRPC gets HTTP/2 only, probes HTTP/1.1 only.
            Listen(k, options.Host, options.GrpcPort, HttpProtocols.Http2, certificate, clientCertificates);
            Listen(k, options.Host, options.HttpPort, HttpProtocols.Http1, certificate, clientCertificates);
        });
    }

    private static void Listen(KestrelServerOptions kestrel, string host, int port, HttpProtocols protocols, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate,
        Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode clientCertificates)
    {
        void Configure(ListenOptions l)
        {
            l.Protocols = protocols;
            if (certificate is not null)
            {
                l.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    ClientCertificateMode = clientCertificates,
                    // Self-signed client certificates are welcome at the handshake: the certificate handler validates
                    // them and only a certificate mapped to a tenant (by its SHA-256) gets anything (ClientCertificateAuthentication).
                    ClientCertificateValidation = (_, _, _) => true,
                });
            }
        }
        if (host is "localhost")
        {
            kestrel.ListenLocalhost(port, Configure);
        }
        else if (host is "*" or "0.0.0.0" or "::")
        {
            kestrel.ListenAnyIP(port, Configure);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(host), port, Configure);
        }
    }
}
