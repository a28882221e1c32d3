// Turns a wire SessionConfig into validated session options and PCM format, naming the field in every error.
using Grpc.Core;
using StreamDiarize.Audio;
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Server.Services;

/// <summary>A session's validated choices, and the config echoed back in SessionStarted with defaults filled in.</summary>
public sealed record SessionPlan(string SessionId, SessionOptions Options, RawPcmFormat Format, bool IncludeProvisional, SessionConfig Effective);

public static class SessionConfigReader
{
    /// <summary>Validates <paramref name="config"/>; throws INVALID_ARGUMENT listing every problem, each with its field and allowed values.</summary>
    /// <param name="choices">The session factory's component kinds, to check embedder and vad by; null: the daemon's usual kinds.</param>
    public static SessionPlan Read(SessionConfig config, SessionDefaults defaults, ComponentRegistry? choices = null)
    {
        var errors = new List<string>();
        string id = config.HasSessionId && config.SessionId.Length > 0 ? config.SessionId : NewId();
        if (!SessionIds.IsValid(id))
        {
            errors.Add($"session_id '{id}' is invalid: use {SessionIds.Rule}, or leave it empty for a generated id");
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
            errors.AddRange(candidate.GetSettingErrors().Select(Named));
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
        var optionErrors = options.GetSettingErrors();
        errors.AddRange(optionErrors.Select(Named));
        // A choice that is not even of the form KIND[:ARG] is reported once, above.
        errors.AddRange((choices ?? DaemonKinds.Value).SettingErrors(options).Where(e => !optionErrors.Any(o => o.Key == e.Key)).Select(Named));

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

    // The proto field of each setting an error is keyed by: SessionOptions and RawPcmFormat word errors for people.
    private static readonly Dictionary<string, string> ProtoFields = new(StringComparer.Ordinal)
    {
        [nameof(SessionOptions.LatencySeconds)] = "latency_seconds",
        [nameof(SessionOptions.ExactSpeakers)] = "exact_speakers",
        [nameof(SessionOptions.MinSpeakers)] = "min_speakers",
        [nameof(SessionOptions.MaxSpeakers)] = "max_speakers",
        [nameof(SessionOptions.Embedder)] = "embedder",
        [nameof(SessionOptions.SpeechDetector)] = "vad",
        [nameof(SessionOptions.Clusterer)] = "Server:Session:Clusterer",
        [nameof(RawPcmFormat.SampleRateHz)] = "format.sample_rate_hz",
        [nameof(RawPcmFormat.Channels)] = "format.channels",
        [nameof(RawPcmFormat.Encoding)] = "format.encoding",
    };

    private static string Named(SettingError error) => (ProtoFields.TryGetValue(error.Key, out var field) ? field + ": " : "") + error.Message;

    // What the daemon's own factory offers (features, energy, agglomerative, onnx:PATH), for factories that do not say.
    private static readonly Lazy<ComponentRegistry> DaemonKinds = new(() => new Onnx.OnnxSessionFactory().Registry);

    private static string NewId() => Guid.NewGuid().ToString("N")[..12];
}
