// Turns a wire SessionConfig into validated session options and PCM format, naming the field in every error.
using System.Text.RegularExpressions;
using Grpc.Core;
using StreamDiarize.Audio;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Server.Services;

/// <summary>A session's validated choices, and the config echoed back in SessionStarted with defaults filled in.</summary>
public sealed record SessionPlan(string SessionId, SessionOptions Options, RawPcmFormat Format, bool IncludeProvisional, SessionConfig Effective);

public static partial class SessionConfigReader
{
    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex SessionIdPattern();

    /// <summary>Validates <paramref name="config"/>; throws INVALID_ARGUMENT listing every problem, each with its field and allowed values.</summary>
    /// <param name="choices">The session factory's component kinds, to check embedder and vad by; null: the daemon's usual kinds.</param>
    public static SessionPlan Read(SessionConfig config, SessionDefaults defaults, ComponentRegistry? choices = null)
    {
        var errors = new List<string>();
        string id = config.HasSessionId && config.SessionId.Length > 0 ? config.SessionId : NewId();
        if (!SessionIdPattern().IsMatch(id))
        {
            errors.Add($"session_id '{id}' is invalid: use 1 to 64 letters, digits, '.', '-' or '_', or leave it empty for a generated id");
        }

        RawPcmFormat? format = null;
        if (config.Format is null)
        {
            errors.Add("format is missing: give encoding (PCM_S16LE or PCM_F32LE), sample_rate_hz (8000 to 48000) and channels (1 to 8)");
        }
        else
        {
            var encoding = config.Format.Encoding switch
            {
                AudioEncoding.PcmS16Le => RawEncoding.S16LE,
                AudioEncoding.PcmF32Le => (RawEncoding?)RawEncoding.F32LE,
                _ => null,
            };
            if (encoding is null)
            {
                errors.Add($"format.encoding {config.Format.Encoding} is invalid: use PCM_S16LE or PCM_F32LE");
            }
            var candidate = new RawPcmFormat(encoding ?? RawEncoding.S16LE, config.Format.SampleRateHz, config.Format.Channels);
            foreach (var e in candidate.Validate())
            {
                errors.Add((e.StartsWith("sample rate", StringComparison.Ordinal) ? "format.sample_rate_hz: " : e.StartsWith("channel", StringComparison.Ordinal) ? "format.channels: " : "format.encoding: ") + e);
            }
            format = candidate;
        }

        var options = defaults.ToSessionOptions() with
        {
            ExactSpeakers = config.HasExactSpeakers ? config.ExactSpeakers : defaults.ExactSpeakers,
            MinSpeakers = config.HasMinSpeakers ? config.MinSpeakers : defaults.MinSpeakers,
            MaxSpeakers = config.HasMaxSpeakers ? config.MaxSpeakers : defaults.MaxSpeakers,
            LatencySeconds = config.HasLatencySeconds ? config.LatencySeconds : defaults.LatencySeconds,
            Embedder = config.HasEmbedder ? config.Embedder : defaults.Embedder,
            SpeechDetector = config.HasVad ? config.Vad : defaults.Vad,
        };
        errors.AddRange(options.GetValidationErrors().Select(NameField));
        errors.AddRange((choices ?? DaemonKinds.Value).Problems(options).Where(p => !errors.Contains(NameField(p))).Select(NameField));

        if (errors.Count > 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "invalid SessionConfig: " + string.Join("; ", errors)));
        }

        bool provisional = config.HasIncludeProvisional ? config.IncludeProvisional : defaults.IncludeProvisional;
        var effective = new SessionConfig
        {
            SessionId = id,
            Format = config.Format!.Clone(),
            MaxSpeakers = options.MaxSpeakers,
            LatencySeconds = options.LatencySeconds,
            Embedder = options.Embedder,
            Vad = options.SpeechDetector,
            IncludeProvisional = provisional,
        };
        if (options.ExactSpeakers is int exact)
        {
            effective.ExactSpeakers = exact;
        }
        if (options.MinSpeakers is int min)
        {
            effective.MinSpeakers = min;
        }
        return new SessionPlan(id, options, format!, provisional, effective);
    }

    // SessionOptions words its errors for people ("latency 0.1 s ..."); the wire names the proto field first.
    private static string NameField(string error) => error switch
    {
        _ when error.StartsWith("latency", StringComparison.Ordinal) => "latency_seconds: " + error,
        _ when error.StartsWith("exact speakers", StringComparison.Ordinal) => "exact_speakers: " + error,
        _ when error.StartsWith("min speakers", StringComparison.Ordinal) => "min_speakers: " + error,
        _ when error.StartsWith("max speakers", StringComparison.Ordinal) => "max_speakers: " + error,
        _ when error.StartsWith("embedder", StringComparison.Ordinal) => "embedder: " + error,
        _ when error.StartsWith("vad", StringComparison.Ordinal) => "vad: " + error,
        _ => error,
    };

    // What the daemon's own factory offers (features, energy, agglomerative, onnx:PATH), for factories that do not say.
    private static readonly Lazy<ComponentRegistry> DaemonKinds = new(() => new Onnx.OnnxSessionFactory().Registry);

    private static string NewId() => Guid.NewGuid().ToString("N")[..12];
}
