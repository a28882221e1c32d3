// `streamdiarize serve`: runs the gRPC daemon (StreamDiarize.Server) until Ctrl+C or SIGTERM.
using System.CommandLine;
using StreamDiarize.Core.Options;
using StreamDiarize.Cli.Configuration;
using StreamDiarize.Server;

namespace StreamDiarize.Cli.Commands;

internal static class ServeCommand
{
    public static Command Create()
    {
        var host = new Option<string?>("--host") { Description = "Interface to listen on (default 127.0.0.1; 0.0.0.0 for every interface, which needs API keys or --insecure)." };
        var grpcPort = new Option<int?>("--grpc-port") { Description = "Port of the gRPC (HTTP/2) endpoint (default 50051)." };
        var httpPort = new Option<int?>("--http-port") { Description = "Port of the HTTP/1.1 endpoint with /healthz and /metrics (default 8080)." };
        var config = new Option<string?>("--config") { Description = "A JSON file with settings that override config/appsettings.json (Server, Kestrel, Logging sections)." };
        var mic = new Option<bool>("--mic") { Description = "Also diarize a microphone inside the daemon, as a session watchers and the live page follow (Server:Microphone)." };
        var device = new Option<string?>("--device") { Description = "With --mic: the capture device (see `streamdiarize mic --list-devices`); default: the system's default input." };
        var backend = new Option<string?>("--backend") { Description = "With --mic: auto (pulse if a server answers, else alsa), pulse or alsa." };
        backend.AcceptOnlyFromAmong("auto", "pulse", "alsa");
        var micSession = new Option<string?>("--mic-session") { Description = "With --mic: the microphone session's id (default \"mic\")." };
        var logFormat = new Option<string>("--log-format") { Description = "Log lines as text (default) or json (one JSON object per line, for a log shipper).", DefaultValueFactory = _ => "text" };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var data = new Option<string?>("--data") { Description = "Folder of the voice-profile store (profiles.db), shared with `enroll` and `file --known`; default: the per-user data folder." };
        var insecure = new Option<bool>("--insecure") { Description = "Allow a non-loopback --host without API keys: anyone who reaches the ports can use the daemon (docs/SECURITY.md)." };
        var command = new Command("serve", "Run the gRPC diarization daemon. Other settings: --Server:MaxSessions=100 or STREAMDIARIZE__Server__MaxSessions=100.")
        {
            host, grpcPort, httpPort, config, mic, device, backend, micSession, logFormat, insecure, data,
        };
        // Everything else is ASP.NET Core configuration from the command line (Key=Value, --Key=Value, --Key Value).
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (pr, ct) =>
        {
            var overrides = new List<KeyValuePair<string, string?>>();
            if (pr.GetValue(data) is { } dataDir)
            {
                overrides.Add(new("Server:DataDirectory", Path.GetFullPath(dataDir)));
            }
            if (pr.GetValue(host) is { } h)
            {
                overrides.Add(new("Server:Host", h));
            }
            if (pr.GetValue(grpcPort) is { } g)
            {
                overrides.Add(new("Server:GrpcPort", g.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
            if (pr.GetValue(httpPort) is { } p)
            {
                overrides.Add(new("Server:HttpPort", p.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
            if (pr.GetValue(logFormat) == "json")
            {
                // ASP.NET Core's JSON console formatter: one object per line with the message, its template values and the category.
                overrides.Add(new("Logging:Console:FormatterName", "json"));
            }
            if (pr.GetValue(insecure))
            {
                overrides.Add(new("Server:Insecure", "true"));
            }
            // The microphone flags are Server:Microphone settings, so a config file can say the same.
            if (pr.GetValue(mic))
            {
                overrides.Add(new("Server:Microphone:Enabled", "true"));
            }
            if (pr.GetValue(device) is { } d)
            {
                overrides.Add(new("Server:Microphone:Device", d));
            }
            if (pr.GetValue(backend) is { } b)
            {
                overrides.Add(new("Server:Microphone:Backend", b));
            }
            if (pr.GetValue(micSession) is { } m)
            {
                overrides.Add(new("Server:Microphone:SessionId", m));
            }
            Microsoft.AspNetCore.Builder.WebApplication app;
            try
            {
                app = ServerHost.Build([.. pr.UnmatchedTokens], new ServerHostOptions
                {
                    DefaultsJson = SettingsLoader.OpenEmbeddedDefaults,
                    ConfigFile = pr.GetValue(config),
                    Overrides = overrides,
                    DrainOnSignals = true,
                });
            }
            catch (OptionsValidationException ex)
            {
                UserText.Report(ex, pr.InvocationConfiguration.Error);
                return 2;
            }
            try
            {
                await app.RunAsync().ConfigureAwait(false);
            }
            catch (OptionsValidationException ex)
            {
                // Checks that need the running host (a declared model that does not open) fail its start.
                UserText.Report(ex, pr.InvocationConfiguration.Error);
                return 2;
            }
            catch (IOException ex)
            {
                pr.InvocationConfiguration.Error.WriteLine($"cannot listen: {ex.Message} (choose other ports with --grpc-port and --http-port)");
                return 1;
            }
            return 0;
        });
        return command;
    }
}
