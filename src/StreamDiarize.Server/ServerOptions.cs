// The daemon's limits and session defaults, bound from the "Server" configuration section and validated together.
using StreamDiarize.Core.Streaming;
using StreamDiarize.Server.Models;
using StreamDiarize.Server.Security;

namespace StreamDiarize.Server;

public sealed class ServerOptions : Core.Options.IValidatedSettings
{
    public const string SectionName = "Server";

    /// <summary>Interface the simple endpoints listen on ("127.0.0.1", "localhost", "0.0.0.0"). Ignored when Kestrel:Endpoints is set.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Port of the HTTP/2 endpoint that serves gRPC.</summary>
    public int GrpcPort { get; set; } = 50051;

    /// <summary>Port of the HTTP/1.1 endpoint that serves /healthz, /metrics and the live page (/, /api/sessions).</summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary>Live Diarize sessions at once; one more is refused with RESOURCE_EXHAUSTED.</summary>
    public int MaxSessions { get; set; } = 512;

    /// <summary>Largest audio chunk (bytes of PCM) in one message; larger ones are refused with RESOURCE_EXHAUSTED.</summary>
    public int MaxMessageBytes { get; set; } = 1 << 20;

    /// <summary>Longest session, in seconds of audio received; past it the session ends with RESOURCE_EXHAUSTED.</summary>
    public double MaxSessionSeconds { get; set; } = 4 * 3600;

    /// <summary>Longest session in wall-clock seconds, whatever the audio; past it the session ends with its final turns and RESOURCE_EXHAUSTED.</summary>
    public double MaxSessionWallSeconds { get; set; } = 6 * 3600;

    /// <summary>A call that sends no config, or a session that sends no audio, for this long is ended (DEADLINE_EXCEEDED).</summary>
    public double IdleTimeoutSeconds { get; set; } = 30;

    /// <summary>On SIGTERM, how long open calls get to receive their last events before the process exits anyway.</summary>
    public double ShutdownGraceSeconds { get; set; } = 5;

    /// <summary>
    /// `serve` only: on SIGTERM, how long running sessions may go on (health NOT_SERVING, new sessions refused with
    /// UNAVAILABLE) before they are ended with their final turns. 0: end them at once (then ShutdownGraceSeconds applies).
    /// </summary>
    public double DrainGraceSeconds { get; set; }

    /// <summary>The NATS JetStream bus shared by replicas (docs/SCALING.md); off while Server:Bus:Url is empty.</summary>
    public Bus.BusOptions Bus { get; set; } = new();

    /// <summary>Events a watcher's buffer holds; when it is full the oldest are dropped and counted.</summary>
    public int WatcherBufferEvents { get; set; } = 256;

    /// <summary>Audio chunks buffered between the request stream and the pipeline before the reader waits.</summary>
    public int AudioBufferChunks { get; set; } = 16;

    /// <summary>Defaults for what a SessionConfig leaves unset.</summary>
    public SessionDefaults Session { get; set; } = new();

    /// <summary>API keys and tenants (docs/SECURITY.md). Without keys the daemon serves loopback only, unless <see cref="Insecure"/>.</summary>
    public AuthOptions Auth { get; set; } = new();

    /// <summary>TLS for both endpoints (Server:Tls:CertificatePath and KeyPath, or a .pfx and Password).</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>Serve a non-loopback interface without keys (`serve --insecure`): anyone who can reach the port uses the daemon.</summary>
    public bool Insecure { get; set; }

    /// <summary>Serve gRPC server reflection (behind the keys when they are on). Off hides the API's shape from strangers.</summary>
    public bool Reflection { get; set; } = true;

    /// <summary>Live sessions one tenant may run at once; one more is refused with RESOURCE_EXHAUSTED.</summary>
    public int MaxSessionsPerTenant { get; set; } = 512;

    /// <summary>Watchers (Watch calls and live pages) one tenant may have open at once.</summary>
    public int MaxWatchersPerTenant { get; set; } = 1024;

    /// <summary>Admission control: refuse new sessions while the running ones fall behind real time (docs/RELIABILITY.md).</summary>
    public Admission.AdmissionOptions Admission { get; set; } = new();

    /// <summary>Per-tenant message rate (docs/SECURITY.md): over it a call is refused, a session ended, with RESOURCE_EXHAUSTED.</summary>
    public Admission.RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>Models sessions may choose by name (Server:Models:NAME:Path, :Kind embedder|vad); clients never give paths.</summary>
    public Dictionary<string, ModelDeclaration> Models { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A microphone session the daemon runs itself (`serve --mic`), for watchers and the live page.</summary>
    public MicrophoneOptions Microphone { get; set; } = new();

    /// <summary>Folder of the voice-profile store (`serve --data`, shared with the CLI); empty: the per-user data folder.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Voice profiles in sessions: how much of each session's voices is kept to enroll a speaker from (docs/SPEAKERS.md).</summary>
    public SessionProfileOptions Profiles { get; set; } = new();

    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Host))
        {
            errors.Add("Server:Host is empty: give an interface such as 127.0.0.1");
        }
        if (GrpcPort is < 0 or > 65535)
        {
            errors.Add($"Server:GrpcPort {GrpcPort} is invalid: use 0 to 65535");
        }
        if (HttpPort is < 0 or > 65535)
        {
            errors.Add($"Server:HttpPort {HttpPort} is invalid: use 0 to 65535");
        }
        if (!AuthOptions.IsLoopback(Host.Trim()) && !Auth.Enabled && !Insecure)
        {
            errors.Add($"Server:Host {Host} is reachable from other machines and no API keys are configured: configure keys (Server:Auth:Keys or Server:Auth:KeyFile, docs/SECURITY.md), " +
                       "serve 127.0.0.1 only, or pass --insecure (Server:Insecure=true) to let anyone who reaches the port use the daemon");
        }
        errors.AddRange(Auth.GetValidationErrors());
        errors.AddRange(Tls.GetValidationErrors());
        errors.AddRange(Tls.ClientCertificateErrors(Auth.ClientCertificates.Count > 0));
        if (Auth.Enabled && Microphone.Enabled && string.IsNullOrWhiteSpace(Microphone.Tenant))
        {
            errors.Add("Server:Microphone:Tenant is empty while API keys are on: name the tenant whose keys may watch the microphone session");
        }
        if (MaxSessionsPerTenant is < 1 or > 100_000)
        {
            errors.Add($"Server:MaxSessionsPerTenant {MaxSessionsPerTenant} is invalid: use 1 to 100000");
        }
        if (MaxWatchersPerTenant is < 1 or > 1_000_000)
        {
            errors.Add($"Server:MaxWatchersPerTenant {MaxWatchersPerTenant} is invalid: use 1 to 1000000");
        }
        if (GrpcPort == HttpPort && GrpcPort != 0)
        {
            errors.Add($"Server:GrpcPort and Server:HttpPort are both {GrpcPort}: gRPC needs its own HTTP/2 port");
        }
        if (MaxSessions is < 1 or > 100_000)
        {
            errors.Add($"Server:MaxSessions {MaxSessions} is invalid: use 1 to 100000");
        }
        if (MaxMessageBytes is < 1024 or > 64 << 20)
        {
            errors.Add($"Server:MaxMessageBytes {MaxMessageBytes} is invalid: use 1024 to {64 << 20}");
        }
        if (!(MaxSessionSeconds > 0) || MaxSessionSeconds > 7 * 24 * 3600)
        {
            errors.Add($"Server:MaxSessionSeconds {MaxSessionSeconds} is invalid: use more than 0 and at most {7 * 24 * 3600} (a week)");
        }
        if (!(MaxSessionWallSeconds > 0) || MaxSessionWallSeconds > 7 * 24 * 3600)
        {
            errors.Add($"Server:MaxSessionWallSeconds {MaxSessionWallSeconds} is invalid: use more than 0 and at most {7 * 24 * 3600} (a week)");
        }
        if (!(IdleTimeoutSeconds >= 0.5) || IdleTimeoutSeconds > 24 * 3600)
        {
            errors.Add($"Server:IdleTimeoutSeconds {IdleTimeoutSeconds} is invalid: use 0.5 to {24 * 3600} seconds");
        }
        if (!(ShutdownGraceSeconds >= 0) || ShutdownGraceSeconds > 600)
        {
            errors.Add($"Server:ShutdownGraceSeconds {ShutdownGraceSeconds} is invalid: use 0 to 600 seconds");
        }
        if (!(DrainGraceSeconds >= 0) || DrainGraceSeconds > 24 * 3600)
        {
            errors.Add($"Server:DrainGraceSeconds {DrainGraceSeconds} is invalid: use 0 to {24 * 3600} seconds");
        }
        errors.AddRange(Bus.GetValidationErrors());
        if (WatcherBufferEvents is < 1 or > 1_000_000)
        {
            errors.Add($"Server:WatcherBufferEvents {WatcherBufferEvents} is invalid: use 1 to 1000000");
        }
        if (AudioBufferChunks is < 1 or > 4096)
        {
            errors.Add($"Server:AudioBufferChunks {AudioBufferChunks} is invalid: use 1 to 4096");
        }
        // The embedder and vad are model names here, checked against the catalog rather than as factory spellings.
        errors.AddRange((Session.ToSessionOptions() with { Embedder = ModelCatalog.Features, SpeechDetector = ModelCatalog.Energy }).GetValidationErrors().Select(e => "Server:Session: " + e));
        errors.AddRange(ModelCatalog.Validate(Models, Session.Embedder, Session.Vad));
        errors.AddRange(Microphone.GetValidationErrors());
        errors.AddRange(Profiles.GetValidationErrors());
        errors.AddRange(Admission.GetValidationErrors());
        errors.AddRange(RateLimit.GetValidationErrors());
        return errors;
    }
}

/// <summary>Session defaults as configuration binds them (SessionOptions itself is an immutable record).</summary>
public sealed class SessionDefaults
{
    public int? ExactSpeakers { get; set; }

    public int? MinSpeakers { get; set; }

    public int MaxSpeakers { get; set; } = 20;

    public double LatencySeconds { get; set; } = 1.0;

    public string Embedder { get; set; } = "features";

    /// <summary>The speech detector: energy, or a vad model declared in Server:Models (SessionConfig.vad names one too).</summary>
    public string Vad { get; set; } = "energy";

    /// <summary>The clusterer of re-clustering: agglomerative, or a kind the session factory registers.</summary>
    public string Clusterer { get; set; } = "agglomerative";

    public bool IncludeProvisional { get; set; }

    public SessionOptions ToSessionOptions() => new()
    {
        ExactSpeakers = ExactSpeakers,
        MinSpeakers = MinSpeakers,
        MaxSpeakers = MaxSpeakers,
        LatencySeconds = LatencySeconds,
        Embedder = Embedder,
        SpeechDetector = Vad,
        Clusterer = Clusterer,
    };
}

/// <summary>Server:Profiles: what sessions keep for EnrollFromSession.</summary>
public sealed class SessionProfileOptions
{
    /// <summary>
    /// Seconds of each session's newest voice features kept, so a speaker can be enrolled from a time range of it
    /// (EnrollFromSession): 7.8 KiB per second of audio, up to 2.3 MiB a session at 300 s, growing with the session; 0 keeps none.
    /// </summary>
    public double SessionHistorySeconds { get; set; } = 300;

    public IReadOnlyList<string> GetValidationErrors() =>
        SessionHistorySeconds is >= 0 and <= SessionOptions.MaxVoiceHistorySeconds
            ? []
            : [$"Server:Profiles:SessionHistorySeconds {SessionHistorySeconds} is invalid: use 0 (enrolling from sessions off) to {SessionOptions.MaxVoiceHistorySeconds} seconds (300 by default)"];
}

/// <summary>The daemon's own microphone session, bound from Server:Microphone (the CLI's --mic, --device, --backend, --mic-session).</summary>
public sealed class MicrophoneOptions
{
    /// <summary>Run the session at all.</summary>
    public bool Enabled { get; set; }

    /// <summary>Capture device as `streamdiarize mic --list-devices` names it; empty for the system's default input.</summary>
    public string? Device { get; set; }

    /// <summary>auto (PulseAudio if a server answers, else ALSA), pulse or alsa.</summary>
    public string Backend { get; set; } = "auto";

    /// <summary>With API keys on: the tenant whose keys list, watch and follow the microphone session.</summary>
    public string? Tenant { get; set; }

    /// <summary>The id watchers, ListSessions and the live page know the session by.</summary>
    public string SessionId { get; set; } = "mic";

    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        string[] backends = ["auto", "pulse", "alsa"];
        if (!backends.Contains(Backend.Trim().ToLowerInvariant()))
        {
            errors.Add($"Server:Microphone:Backend '{Backend}' is invalid: use auto, pulse or alsa");
        }
        if (!SessionIds.IsValid(SessionId))
        {
            errors.Add($"Server:Microphone:SessionId '{SessionId}' is invalid: use {SessionIds.Rule}");
        }
        return errors;
    }
}
