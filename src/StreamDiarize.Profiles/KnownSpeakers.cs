// `--known all|NAME,...` and SessionConfig.known_speakers: which stored profiles a diarization may name.
using StreamDiarize.Core.Speakers;

namespace StreamDiarize.Profiles;

/// <summary>The profiles a run names speakers from, chosen by a selection text.</summary>
public static class KnownSpeakers
{
    public const string All = "all";

    /// <summary>
    /// The profiles named by <paramref name="selection"/> ("all", or names separated by commas) of kind
    /// <paramref name="kind"/>. Null and empty select none.
    /// </summary>
    /// <exception cref="EnrollmentException">A name has no profile, or a chosen profile has another kind; the message says what to do.</exception>
    public static IReadOnlyList<VoiceProfile> Select(IProfileStore store, IReadOnlyList<string> selection, string kind)
    {
        if (selection.Count == 0)
        {
            return [];
        }
        var stored = store.List();
        if (selection.Count == 1 && selection[0].Trim().Equals(All, StringComparison.OrdinalIgnoreCase))
        {
            // "all" means every profile this embedder can compare; others are skipped, not an error.
            return stored.Where(p => p.Kind == kind).ToList();
        }
        var chosen = new List<VoiceProfile>();
        foreach (var raw in selection)
        {
            var name = raw.Trim();
            var profile = stored.FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                ?? throw new EnrollmentException(stored.Count == 0
                    ? $"no profile named '{name}': the store '{store.Location}' has none yet; enroll the person first (streamdiarize enroll {name} CLIP.wav)"
                    : $"no profile named '{name}' in '{store.Location}': known are {string.Join(", ", stored.Select(p => p.Name))}; enroll the person first (streamdiarize enroll {name} CLIP.wav)");
            if (profile.Kind != kind)
            {
                throw new EnrollmentException(
                    $"profile '{profile.Name}' was made with the '{profile.Kind}' embedder and cannot name speakers of the '{kind}' embedder: enroll the person again with it (--replace)");
            }
            if (!chosen.Contains(profile))
            {
                chosen.Add(profile);
            }
        }
        return chosen;
    }

    /// <summary>Splits "A,B, C" into names; "all" stays one entry.</summary>
    public static IReadOnlyList<string> Parse(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
