// What one live session may choose: speaker hints, latency, and its embedder, speech detector and clusterer. Validated once, every error listed.
namespace StreamDiarize.Core.Streaming;

public sealed record SessionOptions
{
    public const double MinLatencySeconds = 0.25;
    public const double MaxLatencySeconds = 10;
    public const int MaxSpeakerLimit = 100;
    public const double MaxVoiceHistorySeconds = 3600;

    /// <summary>Exact number of speakers, when known.</summary>
    public int? ExactSpeakers { get; init; }

    public int? MinSpeakers { get; init; }

    /// <summary>Upper bound on speakers; unknown counts stop here (default 20).</summary>
    public int MaxSpeakers { get; init; } = 20;

    /// <summary>Segments older than this (stream time behind the newest audio) become final.</summary>
    public double LatencySeconds { get; init; } = 1.0;

    /// <summary>"features" (the embedded default) or "onnx:PATH" for a neural speaker embedding model.</summary>
    public string Embedder { get; init; } = "features";

    /// <summary>The live speech detector: "energy" (the embedded default) or "onnx:PATH" for a Silero-style VAD model.</summary>
    public string SpeechDetector { get; init; } = "energy";

    /// <summary>The clusterer of re-clustering: "agglomerative" (the embedded default), or a kind a factory registers.</summary>
    public string Clusterer { get; init; } = "agglomerative";

    /// <summary>Enrolled voices whose live speakers are named (<see cref="Speakers.LiveSpeakerNamer"/>); empty names no one.</summary>
    public IReadOnlyList<Speakers.VoiceProfile> KnownSpeakers { get; init; } = [];

    /// <summary>
    /// Seconds of the newest voice features the session keeps so that a speaker can be enrolled from a time range of it
    /// (<see cref="SessionComponents.Voices"/>); 0 keeps none. The operator's setting, not the client's.
    /// </summary>
    public double VoiceHistorySeconds { get; init; }

    /// <summary>
    /// The rate the session's audio was recorded at, before it was resampled for the session (null: unknown). Below the
    /// features' rate (16 kHz), the features leave out the band above its Nyquist frequency, as offline
    /// (<see cref="Features.FeaturizerOptions.ForSourceRate"/>); at or above it, or unknown, nothing changes.
    /// </summary>
    public int? SourceSampleRateHz { get; init; }

    /// <summary>
    /// Signalled when the session must end quickly (the server is shutting down, and every open session ends at once
    /// within its grace): the end of the stream then skips the work that only refines the record, the recomputation of
    /// every remembered distance on the session's floor (<see cref="OnlineDiarizerOptions.FinalSessionFloor"/>, up to
    /// about 0.4 s a session). Not part of a session's configuration: the host sets it.
    /// </summary>
    public CancellationToken Hurry { get; init; }

    public IReadOnlyList<string> GetValidationErrors() => [.. GetSettingErrors().Select(e => e.Message)];

    /// <summary>Every problem, keyed by the property it is about (the server names the proto field by the key).</summary>
    public IReadOnlyList<Options.SettingError> GetSettingErrors()
    {
        var errors = new List<Options.SettingError>();
        void Add(string key, string message) => errors.Add(new(key, message));
        if (LatencySeconds is < MinLatencySeconds or > MaxLatencySeconds || double.IsNaN(LatencySeconds))
        {
            Add(nameof(LatencySeconds), $"latency {LatencySeconds} s is invalid: use {MinLatencySeconds} to {MaxLatencySeconds} seconds");
        }
        if (ExactSpeakers is < 1 or > MaxSpeakerLimit)
        {
            Add(nameof(ExactSpeakers), $"exact speakers {ExactSpeakers} is invalid: use 1 to {MaxSpeakerLimit}, or leave it unset");
        }
        if (MinSpeakers is < 1 or > MaxSpeakerLimit)
        {
            Add(nameof(MinSpeakers), $"min speakers {MinSpeakers} is invalid: use 1 to {MaxSpeakerLimit}, or leave it unset");
        }
        if (MaxSpeakers is < 1 or > MaxSpeakerLimit)
        {
            Add(nameof(MaxSpeakers), $"max speakers {MaxSpeakers} is invalid: use 1 to {MaxSpeakerLimit}");
        }
        if (MinSpeakers is int lo && lo > MaxSpeakers)
        {
            Add(nameof(MinSpeakers), $"min speakers {lo} is above max speakers {MaxSpeakers}");
        }
        if (ExactSpeakers is int k && (k > MaxSpeakers || (MinSpeakers is int m && k < m)))
        {
            Add(nameof(ExactSpeakers), $"exact speakers {k} is outside min/max speakers ({MinSpeakers?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unset"}..{MaxSpeakers})");
        }
        if (!(VoiceHistorySeconds is >= 0 and <= MaxVoiceHistorySeconds))
        {
            Add(nameof(VoiceHistorySeconds), $"voice history {VoiceHistorySeconds} s is invalid: use 0 (keep none) to {MaxVoiceHistorySeconds} seconds");
        }
        // Which kinds exist is the session factory's registry's to say (ComponentRegistry.Problems); here, only the form.
        foreach (var (key, role, text) in new[] { (nameof(Embedder), "embedder", Embedder), (nameof(SpeechDetector), "vad", SpeechDetector), (nameof(Clusterer), "clusterer", Clusterer) })
        {
            if (ComponentSpec.Parse(text) is null)
            {
                Add(key, $"{role} '{text}' is invalid: name a kind, such as 'features', 'energy' or 'onnx:PATH'");
            }
        }
        return errors;
    }
}

/// <summary>The per-session parts of the pipeline that hold state; read-only resources inside them are shared.</summary>
public sealed record SessionComponents(IFrameAnalyzer Analyzer, IFrameDiarizer Diarizer)
{
    /// <summary>The session's recent voice features, to enroll a speaker from (<see cref="SessionOptions.VoiceHistorySeconds"/>); null when none are kept.</summary>
    public Speakers.VoiceFrameHistory? Voices { get; init; }
}

/// <summary>Builds a fresh analyzer and diarizer for each session. Implementations share filter banks and models.</summary>
public interface ISessionComponentsFactory
{
    SessionComponents Create(SessionOptions options);
}
