// Where on the time line a hypothesis is wrong, by kind, so the figure can mark it; DerScorer gives the totals.
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Visual;

public enum ErrorKind
{
    /// <summary>Reference speech that no hypothesis speaker covers (more reference than hypothesis speakers).</summary>
    Miss,

    /// <summary>Hypothesis speech beyond the reference speakers present (none, or fewer than hypothesised).</summary>
    FalseAlarm,

    /// <summary>Both speak, but the hypothesis speaker is not the one mapped to the reference speaker.</summary>
    Confusion,
}

public readonly record struct ErrorSpan(double StartSeconds, double EndSeconds, ErrorKind Kind);

public static class ErrorTimeline
{
    /// <summary>
    /// Cuts the time line at every turn boundary and classifies each piece as DerScorer counts it (no collar):
    /// with R reference and H hypothesis speakers of which C are mapped pairs, a piece is a miss when R &gt; H,
    /// a false alarm when H &gt; R, and a confusion when min(R, H) &gt; C. A piece can carry two kinds in overlapped
    /// speech; it is then listed once per kind. Touching pieces of one kind are joined.
    /// </summary>
    /// <param name="mapping">Reference speaker to hypothesis speaker, as in <c>DerResult.Mapping</c>.</param>
    public static List<ErrorSpan> Compute(
        IReadOnlyList<SpeakerSegment> reference,
        IReadOnlyList<SpeakerSegment> hypothesis,
        IReadOnlyDictionary<string, string> mapping)
    {
        var cuts = new SortedSet<double>();
        foreach (var s in reference.Concat(hypothesis))
        {
            if (s.EndSeconds > s.StartSeconds)
            {
                cuts.Add(s.StartSeconds);
                cuts.Add(s.EndSeconds);
            }
        }
        var bounds = cuts.ToArray();
        var byKind = new Dictionary<ErrorKind, List<ErrorSpan>>
        {
            [ErrorKind.Miss] = [],
            [ErrorKind.FalseAlarm] = [],
            [ErrorKind.Confusion] = [],
        };
        for (int k = 0; k + 1 < bounds.Length; k++)
        {
            double start = bounds[k], end = bounds[k + 1];
            double mid = 0.5 * (start + end);
            var refActive = ActiveSpeakers(reference, mid);
            var hypActive = ActiveSpeakers(hypothesis, mid);
            int correct = refActive.Count(r => mapping.TryGetValue(r, out var h) && hypActive.Contains(h));
            if (refActive.Count > hypActive.Count)
            {
                Add(byKind[ErrorKind.Miss], new ErrorSpan(start, end, ErrorKind.Miss));
            }
            if (hypActive.Count > refActive.Count)
            {
                Add(byKind[ErrorKind.FalseAlarm], new ErrorSpan(start, end, ErrorKind.FalseAlarm));
            }
            if (Math.Min(refActive.Count, hypActive.Count) > correct)
            {
                Add(byKind[ErrorKind.Confusion], new ErrorSpan(start, end, ErrorKind.Confusion));
            }
        }
        return byKind.Values.SelectMany(v => v).OrderBy(e => e.StartSeconds).ThenBy(e => e.Kind).ToList();
    }

    private static HashSet<string> ActiveSpeakers(IReadOnlyList<SpeakerSegment> segments, double time)
    {
        // Figures hold at most a few hundred turns: a scan per piece is fast enough and obviously right.
        var active = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in segments)
        {
            if (s.StartSeconds <= time && time < s.EndSeconds)
            {
                active.Add(s.Speaker);
            }
        }
        return active;
    }

    private static void Add(List<ErrorSpan> spans, ErrorSpan span)
    {
        if (spans.Count > 0 && span.StartSeconds - spans[^1].EndSeconds <= 1e-9)
        {
            spans[^1] = spans[^1] with { EndSeconds = span.EndSeconds };
        }
        else
        {
            spans.Add(span);
        }
    }
}
