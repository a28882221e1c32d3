// Turns a wire SessionConfig into validated session options and PCM format, naming the field in every error.
using Grpc.Core;
using StreamDiarize.Audio;
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Protocol.V1;
using StreamDiarize.Server.Models;

namespace StreamDiarize.Server.Services;

/// <summary>A session's validated choices, and the config echoed back in SessionStarted with defaults filled in.</summary>
public sealed record SessionPlan(string SessionId, SessionOptions Options, RawPcmFormat Format, bool IncludeProvisional, SessionConfig Effective);

public static class SessionConfigReader
{
    /// <summary>Validates <paramref name="config"/>; throws INVALID_ARGUMENT listing every problem, each with its field and allowed values.</summary>
    /// <param name="models">The models the operator declared: the only way a client's embedder or vad name becomes a file.</param>
    /// <param name="choices">The session factory's component kinds, to check embedder and vad by; null: the daemon's usual kinds.</param>
    /// <param name="voiceHistorySeconds">The operator's Server:Profiles:SessionHistorySeconds (not a client's choice).</param>
    public static SessionPlan Read(SessionConfig config, SessionDefaults defaults, ModelCatalog models, ComponentRegistry? choices = null, double voiceHistorySeconds = 0)
    {
        var errors = new List<string>();
        string id = config.HasSessionId && config.SessionId.Length > 0 ? config.SessionId : NewId();
        if (!SessionIds.IsValid(id))
        {
            errors.Add($"session_id {ClientText.Quote(id)} is invalid: use {SessionIds.Rule}, or leave it empty for a generated id");
        }

        var format = ReadFormat(config.Format, errors);

        var options = defaults.ToSessionOptions() with
        {
            ExactSpeakers = config.HasExactSpeakers ? config.ExactSpeakers : defaults.ExactSpeakers,
            MinSpeakers = config.HasMinSpeakers ? config.MinSpeakers : defaults.MinSpeakers,
            MaxSpeakers = config.HasMaxSpeakers ? config.MaxSpeakers : defaults.MaxSpeakers,
            LatencySeconds = config.HasLatencySeconds ? config.LatencySeconds : defaults.LatencySeconds,
            VoiceHistorySeconds = voiceHistorySeconds,
            // The audio is resampled for the session; the rate it came at tells its band (8 kHz: none above 4 kHz).
            SourceSampleRateHz = format?.SampleRateHz,
        };
        // The client names a model; only the catalog turns a name into a file, and a client string is never a path.
        string embedderName = config.HasEmbedder ? config.Embedder : defaults.Embedder;
        string vadName = config.HasVad ? config.Vad : defaults.Vad;
        string? embedderError = null;
        string? vadError = null;
        string? embedder = config.HasEmbedder ? models.ResolveClientEmbedder(embedderName, out embedderError) : models.ResolveDefaultEmbedder(embedderName);
        string? vad = config.HasVad ? models.ResolveClientVad(vadName, out vadError) : models.ResolveDefaultVad(vadName);
        errors.AddRange(new[] { embedderError, vadError }.OfType<string>());
        options = options with { Embedder = embedder ?? ModelCatalog.Features, SpeechDetector = vad ?? ModelCatalog.Energy };
        var optionErrors = options.GetSettingErrors();
        errors.AddRange(optionErrors.Select(Named));
        // A choice that is not even of the form KIND[:ARG] is reported once, above. The values are the catalog's
        // spelling (onnx:FULLPATH), so a kind this factory lacks is reported by the client's name, never the path.
        errors.AddRange((choices ?? DaemonKinds.Value).SettingErrors(options)
            .Where(e => !optionErrors.Any(o => o.Key == e.Key))
            .Select(e => e.Key switch
            {
                nameof(SessionOptions.Embedder) => new SettingError(e.Key, $"embedder {ClientText.Quote(embedderName)} cannot run in this server's session factory: use 'features'"),
                nameof(SessionOptions.SpeechDetector) => new SettingError(e.Key, $"vad {ClientText.Quote(vadName)} cannot run in this server's session factory: use 'energy'"),
                _ => e,
            })
            .Select(Named));

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
            // The names, not the server's file paths.
            Embedder = ClientName(embedderName, config.HasEmbedder),
            Vad = ClientName(vadName, config.HasVad),
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

    /// <summary>
    /// The PCM format of a session or an enrollment, or null when it is missing; every problem goes to
    /// <paramref name="errors"/>, named by its proto field.
    /// </summary>
    internal static RawPcmFormat? ReadFormat(AudioFormat? format, List<string> errors)
    {
        if (format is null)
        {
            errors.Add("format is missing: give encoding (PCM_S16LE or PCM_F32LE), sample_rate_hz (8000 to 48000) and channels (1 to 8)");
            return null;
        }
        var encoding = format.Encoding switch
        {
            AudioEncoding.PcmS16Le => RawEncoding.S16LE,
            AudioEncoding.PcmF32Le => (RawEncoding?)RawEncoding.F32LE,
            _ => null,
        };
        if (encoding is null)
        {
            errors.Add($"format.encoding {format.Encoding} is invalid: use PCM_S16LE or PCM_F32LE");
        }
        var candidate = new RawPcmFormat(encoding ?? RawEncoding.S16LE, format.SampleRateHz, format.Channels);
        errors.AddRange(candidate.GetSettingErrors().Select(Named));
        return candidate;
    }

    private static string Named(SettingError error) => (ProtoFields.TryGetValue(error.Key, out var field) ? field + ": " : "") + error.Message;

    // What the daemon's own factory offers (features, energy, agglomerative, onnx:PATH), for factories that do not say.
    private static readonly Lazy<ComponentRegistry> DaemonKinds = new(() => new Onnx.OnnxSessionFactory().Registry);

    // "onnx:NAME" as older clients wrote it is echoed as NAME; the server's own "onnx:PATH" default stays as configured.
    private static string ClientName(string name, bool fromClient) =>
        fromClient && name.StartsWith("onnx:", StringComparison.Ordinal) ? name["onnx:".Length..] : name;

    private static string NewId() => Guid.NewGuid().ToString("N")[..12];
}
