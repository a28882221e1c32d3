// What a caller may know about the speaker count: exactly k, or at least / at most; validated before any audio is read.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Options;

namespace StreamDiarize.Core.Pipeline;

/// <summary>Speaker-count hints. Give <see cref="ExactSpeakers"/> alone, or any of <see cref="MinSpeakers"/> and <see cref="MaxSpeakers"/>.</summary>
public sealed record SpeakerHints
{
    public static SpeakerHints None { get; } = new();

    public int? ExactSpeakers { get; init; }

    public int? MinSpeakers { get; init; }

    public int? MaxSpeakers { get; init; }

    /// <summary>
    /// Enrolled voices (Gaussians of the segment representation's features, as <c>features/v1</c> profiles hold them):
    /// the segment clustering never merges two of them into one speaker and joins the parts of one. Ignored by the
    /// window representation. Empty: none.
    /// </summary>
    public IReadOnlyList<Clustering.GaussianStats> KnownVoices { get; init; } = [];

    /// <summary>Every problem with these hints; <paramref name="maxClusters"/> is the most speakers the clusterer may make.</summary>
    /// <param name="nameOf">
    /// How the caller names each hint (the CLI: --num-speakers, --min-speakers, --max-speakers), given its property
    /// name; null keeps the property names. The rules are the same wherever the hints come from.
    /// </param>
    public IReadOnlyList<string> GetValidationErrors(int maxClusters, Func<string, string>? nameOf = null)
    {
        nameOf ??= name => name;
        string exactName = nameOf(nameof(ExactSpeakers)), minName = nameOf(nameof(MinSpeakers)), maxName = nameOf(nameof(MaxSpeakers));
        var errors = new List<string>();
        if (ExactSpeakers is { } exact)
        {
            if (exact < 1 || exact > maxClusters)
            {
                errors.Add($"{exactName} {exact} is invalid: use 1 to {maxClusters}, or leave it unset.");
            }
            if (MinSpeakers is not null || MaxSpeakers is not null)
            {
                errors.Add($"{exactName} cannot be combined with {minName} or {maxName}: give an exact count or a range.");
            }
        }
        if (MinSpeakers is { } min && (min < 1 || min > maxClusters))
        {
            errors.Add($"{minName} {min} is invalid: use 1 to {maxClusters}, or leave it unset.");
        }
        if (MaxSpeakers is { } max && (max < 1 || max > maxClusters))
        {
            errors.Add($"{maxName} {max} is invalid: use 1 to {maxClusters}, or leave it unset.");
        }
        if (MinSpeakers is { } lo && MaxSpeakers is { } hi && lo > hi)
        {
            errors.Add($"{minName} {lo} is above {maxName} {hi}: the range is empty.");
        }
        return errors;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every error, or returns these hints.</summary>
    public SpeakerHints Validate(int maxClusters)
    {
        OptionsValidationException.ThrowIfAny(GetValidationErrors(maxClusters));
        return this;
    }

    /// <summary>
    /// The clusterer's limits. With no maximum given, the clusterer's default cap applies, raised to the minimum
    /// when the minimum asks for more.
    /// </summary>
    public ClusterCountLimits ToLimits(int defaultMax)
    {
        if (ExactSpeakers is { } exact)
        {
            return ClusterCountLimits.Exactly(exact);
        }
        int min = MinSpeakers ?? 1;
        return new ClusterCountLimits(min, MaxSpeakers ?? Math.Max(defaultMax, min));
    }
}
