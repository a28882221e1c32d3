// Settings of naming speakers from voice profiles: the calibrated thresholds and how much speech a decision needs.
namespace StreamDiarize.Core.Speakers;

/// <summary>Defaults calibrated on the real-voice development conversations (docs/SPEAKERS.md).</summary>
public sealed record SpeakerIdentificationOptions
{
    /// <summary>
    /// The built-in kind names a speaker when its per-frame log-likelihood ratio to a profile (nats) is at most this.
    /// Calibrated in docs/SPEAKERS.md (bench/StreamDiarize.Bench.Speakers).
    /// </summary>
    public double FeaturesThreshold { get; init; } = 0.25;

    /// <summary>A neural embedder's kind names a speaker when the cosine distance of the mean embeddings is at most this (not calibrated: no model here).</summary>
    public double EmbeddingThreshold { get; init; } = 0.35;

    /// <summary>A found speaker with less speech than this is never named: too little to be sure.</summary>
    public double MinSpeakerSpeechSeconds { get; init; } = 4;

    /// <summary>An enrollment (all its clips together) needs at least this much speech.</summary>
    public double MinEnrollmentSpeechSeconds { get; init; } = 5;

    /// <summary>A found speaker that matches a profile already given to another found speaker joins it (a voice split in two).</summary>
    public bool JoinSplitSpeakers { get; init; } = true;

    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (!(FeaturesThreshold is > 0 and < 100))
        {
            errors.Add($"FeaturesThreshold {FeaturesThreshold} is invalid: use a positive number of nats per frame (0.25 by default)");
        }
        if (!(EmbeddingThreshold is > 0 and < 2))
        {
            errors.Add($"EmbeddingThreshold {EmbeddingThreshold} is invalid: use a cosine distance between 0 and 2 (0.35 by default)");
        }
        if (!(MinSpeakerSpeechSeconds is >= 0 and <= 600))
        {
            errors.Add($"MinSpeakerSpeechSeconds {MinSpeakerSpeechSeconds} is invalid: use 0 to 600 seconds (4 by default)");
        }
        if (!(MinEnrollmentSpeechSeconds is >= 1 and <= 600))
        {
            errors.Add($"MinEnrollmentSpeechSeconds {MinEnrollmentSpeechSeconds} is invalid: use 1 to 600 seconds (5 by default)");
        }
        return errors;
    }

    public SpeakerIdentificationOptions Validate()
    {
        Options.OptionsValidationException.ThrowIfAny(GetValidationErrors());
        return this;
    }
}
