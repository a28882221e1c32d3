// The daemon's limits and session defaults, bound from the "Server" configuration section and validated together.
using StreamDiarize.Core.Streaming;

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

    /// <summary>Events a watcher's buffer holds; when it is full the oldest are dropped and counted.</summary>
    public int WatcherBufferEvents { get; set; } = 256;

    /// <summary>Audio chunks buffered between the request stream and the pipeline before the reader waits.</summary>
    public int AudioBufferChunks { get; set; } = 16;

    /// <summary>Defaults for what a SessionConfig leaves unset.</summary>
    public SessionDefaults Session { get; set; } = new();

    /// <summary>A microphone session the daemon runs itself (`serve --mic`), for watchers and the live page.</summary>
    public MicrophoneOptions Microphone { get; set; } = new();

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
        if (WatcherBufferEvents is < 1 or > 1_000_000)
        {
            errors.Add($"Server:WatcherBufferEvents {WatcherBufferEvents} is invalid: use 1 to 1000000");
        }
        if (AudioBufferChunks is < 1 or > 4096)
        {
            errors.Add($"Server:AudioBufferChunks {AudioBufferChunks} is invalid: use 1 to 4096");
        }
        errors.AddRange(Session.ToSessionOptions().GetValidationErrors().Select(e => "Server:Session: " + e));
        errors.AddRange(Microphone.GetValidationErrors());
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

    /// <summary>The speech detector: energy, or onnx:PATH (SessionConfig.vad).</summary>
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

/// <summary>The daemon's own microphone session, bound from Server:Microphone (the CLI's --mic, --device, --backend, --mic-session).</summary>
public sealed class MicrophoneOptions
{
    /// <summary>Run the session at all.</summary>
    public bool Enabled { get; set; }

    /// <summary>Capture device as `streamdiarize mic --list-devices` names it; empty for the system's default input.</summary>
    public string? Device { get; set; }

    /// <summary>auto (PulseAudio if a server answers, else ALSA), pulse or alsa.</summary>
    public string Backend { get; set; } = "auto";

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
