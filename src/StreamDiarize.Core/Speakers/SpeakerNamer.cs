// Offline naming, a step after diarization: each found speaker's voice model against the profiles, one to one.
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Speakers;

/// <summary>What naming decided for one found speaker.</summary>
/// <param name="Speaker">The diarizer's id (S0, S1, ...).</param>
/// <param name="Name">The profile it was found to be, or null (anonymous).</param>
/// <param name="Distance">Its distance to the nearest profile (∞ without profiles).</param>
/// <param name="Nearest">That nearest profile's name, named or not.</param>
public sealed record SpeakerMatch(string Speaker, string? Name, double SpeechSeconds, double Distance, string? Nearest);

/// <summary>A diarization whose turns carry profile names where a speaker was recognised, and what was decided per speaker.</summary>
public sealed record NamedDiarization(DiarizationResult Result, IReadOnlyList<SpeakerMatch> Speakers);

/// <summary>
/// Names the speakers of a finished diarization of the built-in kind. Stateless and thread-safe. The diarization itself
/// is not changed except that a speaker recognised as a profile another speaker already has joins it
/// (<see cref="SpeakerIdentificationOptions.JoinSplitSpeakers"/>).
/// </summary>
public sealed class SpeakerNamer
{
    private readonly FeatureVoiceModeller _modeller;

    public SpeakerNamer(FeatureVoiceModeller modeller, SpeakerIdentificationOptions? options = null)
    {
        _modeller = modeller;
        Options = (options ?? new SpeakerIdentificationOptions()).Validate();
    }

    public SpeakerIdentificationOptions Options { get; }

    /// <summary>The found speakers, their speech seconds, and the distance of each to each profile (rows speakers, columns profiles).</summary>
    public (IReadOnlyList<string> Speakers, double[] SpeechSeconds, double[,] Distances) Score(AudioClip clip, IReadOnlyList<SpeakerSegment> turns,
        IReadOnlyList<VoiceProfile> profiles)
    {
        var models = _modeller.ModelSpeakers(clip, turns);
        var speakers = models.Keys.OrderBy(s => s, StringComparer.Ordinal).ToArray();
        var session = new GaussianStats(models.Count > 0 ? models.Values.First().Dims : 1);
        foreach (var s in speakers)
        {
            session.Add(models[s]);
        }
        var floor = _modeller.Floor(session);
        var seconds = new double[speakers.Length];
        var distances = new double[speakers.Length, profiles.Count];
        for (int i = 0; i < speakers.Length; i++)
        {
            seconds[i] = models[speakers[i]].Count * _modeller.HopSeconds;
            for (int j = 0; j < profiles.Count; j++)
            {
                distances[i, j] = FeatureVoiceModeller.Distance(models[speakers[i]], ProfileStats(profiles[j], session.Dims), floor);
            }
        }
        return (speakers, seconds, distances);
    }

    /// <summary>Names the speakers of <paramref name="result"/> (the diarization of <paramref name="clip"/>) from <paramref name="profiles"/>.</summary>
    /// <exception cref="ArgumentException">A profile was made by another kind of embedder.</exception>
    public NamedDiarization Name(AudioClip clip, DiarizationResult result, IReadOnlyList<VoiceProfile> profiles)
    {
        var (speakers, seconds, distances) = Score(clip, result.Segments, profiles);
        var decisions = Decide(speakers, seconds, distances, profiles.Select(p => p.Name).ToArray(), Options.FeaturesThreshold);
        return new NamedDiarization(Rename(result, decisions), decisions);
    }

    /// <summary>
    /// The decision on scores: speakers with enough speech matched one to one under the threshold; then, when joining
    /// is on, a leftover speaker under the threshold of a profile that another speaker holds joins that speaker.
    /// </summary>
    public IReadOnlyList<SpeakerMatch> Decide(IReadOnlyList<string> speakers, double[] seconds, double[,] distances, IReadOnlyList<string> names,
        double threshold)
    {
        int rows = speakers.Count;
        int cols = names.Count;
        var eligible = new List<int>();
        for (int i = 0; i < rows; i++)
        {
            if (seconds[i] >= Options.MinSpeakerSpeechSeconds)
            {
                eligible.Add(i);
            }
        }
        var sub = new double[eligible.Count, cols];
        for (int r = 0; r < eligible.Count; r++)
        {
            for (int j = 0; j < cols; j++)
            {
                sub[r, j] = distances[eligible[r], j];
            }
        }
        var assigned = SpeakerMatcher.Match(sub, threshold);
        var nameOf = new string?[rows];
        var taken = new bool[cols];
        for (int r = 0; r < eligible.Count; r++)
        {
            if (assigned[r] >= 0)
            {
                nameOf[eligible[r]] = names[assigned[r]];
                taken[assigned[r]] = true;
            }
        }
        var matches = new SpeakerMatch[rows];
        for (int i = 0; i < rows; i++)
        {
            int nearest = -1;
            for (int j = 0; j < cols; j++)
            {
                if (nearest < 0 || distances[i, j] < distances[i, nearest])
                {
                    nearest = j;
                }
            }
            double d = nearest >= 0 ? distances[i, nearest] : double.PositiveInfinity;
            if (nameOf[i] is null && Options.JoinSplitSpeakers && nearest >= 0 && taken[nearest] && d <= threshold)
            {
                nameOf[i] = names[nearest];
            }
            matches[i] = new SpeakerMatch(speakers[i], nameOf[i], seconds[i], d, nearest >= 0 ? names[nearest] : null);
        }
        return matches;
    }

    /// <summary>The turns with each named speaker's id replaced by its name; anonymous ids stay as they were.</summary>
    public static DiarizationResult Rename(DiarizationResult result, IReadOnlyList<SpeakerMatch> matches)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in matches)
        {
            if (m.Name is not null)
            {
                map[m.Speaker] = m.Name;
            }
        }
        var turns = new List<SpeakerSegment>(result.Segments.Count);
        foreach (var t in result.Segments)
        {
            var speaker = map.GetValueOrDefault(t.Speaker, t.Speaker);
            // A joined speaker's turn that continues its partner's becomes one turn.
            if (turns.Count > 0 && turns[^1].Speaker == speaker && t.StartSeconds - turns[^1].EndSeconds < 1e-6)
            {
                turns[^1] = turns[^1] with { EndSeconds = Math.Max(turns[^1].EndSeconds, t.EndSeconds) };
                continue;
            }
            turns.Add(t with { Speaker = speaker });
        }
        int count = turns.Select(t => t.Speaker).Distinct(StringComparer.Ordinal).Count();
        return result with { Segments = turns, SpeakerCount = count };
    }

    private static GaussianStats ProfileStats(VoiceProfile profile, int dims)
    {
        if (profile.Kind != FeatureVoiceModeller.KindName || profile.Model is not GaussianVoiceModel g)
        {
            throw new ArgumentException(
                $"profile '{profile.Name}' was made with the '{profile.Kind}' embedder and cannot be compared with speakers of the '{FeatureVoiceModeller.KindName}' embedder: enroll the person again with that embedder");
        }
        if (g.Stats.Dims != dims)
        {
            throw new ArgumentException($"profile '{profile.Name}' has {g.Stats.Dims} coefficients; this configuration models {dims}: enroll the person again");
        }
        return g.Stats;
    }
}
