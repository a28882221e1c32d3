// What one live session may choose: speaker hints, latency and embedder. Validated once, every error listed.
namespace StreamDiarize.Core.Streaming;

public sealed record SessionOptions
{
    public const double MinLatencySeconds = 0.25;
    public const double MaxLatencySeconds = 10;
    public const int MaxSpeakerLimit = 100;

    /// <summary>Exact number of speakers, when known.</summary>
    public int? ExactSpeakers { get; init; }

    public int? MinSpeakers { get; init; }

    /// <summary>Upper bound on speakers; unknown counts stop here (default 20).</summary>
    public int MaxSpeakers { get; init; } = 20;

    /// <summary>Segments older than this (stream time behind the newest audio) become final.</summary>
    public double LatencySeconds { get; init; } = 1.0;

    /// <summary>"features" (the embedded default) or "onnx:PATH" for a neural speaker embedding model.</summary>
    public string Embedder { get; init; } = "features";

    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (LatencySeconds is < MinLatencySeconds or > MaxLatencySeconds || double.IsNaN(LatencySeconds))
        {
            errors.Add($"latency {LatencySeconds} s is invalid: use {MinLatencySeconds} to {MaxLatencySeconds} seconds");
        }
        if (ExactSpeakers is < 1 or > MaxSpeakerLimit)
        {
            errors.Add($"exact speakers {ExactSpeakers} is invalid: use 1 to {MaxSpeakerLimit}, or leave it unset");
        }
        if (MinSpeakers is < 1 or > MaxSpeakerLimit)
        {
            errors.Add($"min speakers {MinSpeakers} is invalid: use 1 to {MaxSpeakerLimit}, or leave it unset");
        }
        if (MaxSpeakers is < 1 or > MaxSpeakerLimit)
        {
            errors.Add($"max speakers {MaxSpeakers} is invalid: use 1 to {MaxSpeakerLimit}");
        }
        if (MinSpeakers is int lo && lo > MaxSpeakers)
        {
            errors.Add($"min speakers {lo} is above max speakers {MaxSpeakers}");
        }
        if (ExactSpeakers is int k && (k > MaxSpeakers || (MinSpeakers is int m && k < m)))
        {
            errors.Add($"exact speakers {k} is outside min/max speakers ({MinSpeakers?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unset"}..{MaxSpeakers})");
        }
        if (string.IsNullOrWhiteSpace(Embedder) || (Embedder != "features" && !Embedder.StartsWith("onnx:", StringComparison.Ordinal)))
        {
            errors.Add($"embedder '{Embedder}' is invalid: use 'features' or 'onnx:PATH'");
        }
        return errors;
    }
}

/// <summary>The per-session parts of the pipeline that hold state; read-only resources inside them are shared.</summary>
public sealed record SessionComponents(IFrameAnalyzer Analyzer, IFrameDiarizer Diarizer);

/// <summary>Builds a fresh analyzer and diarizer for each session. Implementations share filter banks and models.</summary>
public interface ISessionComponentsFactory
{
    SessionComponents Create(SessionOptions options);
}
