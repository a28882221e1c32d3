// Diarization error rate (NIST md-eval conventions) and Jaccard error rate (dscore), computed exactly on segment boundaries.
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Scoring;

/// <summary>
/// Scores a hypothesis diarization against a reference for one file.
/// </summary>
/// <remarks>
/// <para>Each speaker's segments are first merged (union); zero-length segments are dropped. The time line is cut at
/// every segment and collar boundary, and each elementary interval of length d with R reference and H hypothesis
/// speakers, C of them correctly mapped pairs, adds d·R to scored time, d·max(0, R−H) to miss, d·max(0, H−R) to false
/// alarm and d·(min(R, H) − C) to confusion. There is no UEM: the whole time line is evaluated.</para>
/// <para>Collar: <see cref="DerOptions.CollarSeconds"/> on each side of every reference segment start and end (as
/// given, before merging) is a no-score zone. md-eval's <c>-c 0.25</c> equals pyannote.metrics' <c>collar=0.5</c>.</para>
/// <para>Mapping: one-to-one, maximising reference/hypothesis overlap seconds (Hungarian algorithm); a pair with no
/// overlap is not mapped. By default the overlap is measured over the whole evaluated time, collars included, as
/// md-eval does. On the 12 AMI clips with a single hypothesis speaker this reproduces the published totals (88.9 %
/// over 0–30 s and 22.8 % over the reference speech at collar 0.25); measuring it over the scored time only
/// (<see cref="SpeakerMappingRegion.Scored"/>) gives 88.5 % and 22.4 %, because in trn08 the collars flip which
/// of two speakers talks longest.</para>
/// <para>JER (dscore): per reference speaker with scored time, 1 − |ref ∩ hyp| / |ref ∪ hyp| against its mapped
/// hypothesis speaker (1 when unmapped), averaged over reference speakers; unmapped hypothesis speakers add nothing.
/// Unlike dscore, which maps again to minimise JER and ignores collars, this reuses the DER mapping and the DER
/// scored region, so both numbers describe the same comparison.</para>
/// </remarks>
public static class DerScorer
{
    /// <summary>
    /// Error over scored time. With no scored time (empty reference, or all of it in collars) the rate is 0 when
    /// there is no error and 1 (100 %) when there is false alarm, rather than infinity, as pyannote.metrics does.
    /// </summary>
    public static double ErrorRate(double errorSeconds, double scoredSeconds) =>
        scoredSeconds > 0 ? errorSeconds / scoredSeconds : (errorSeconds > 0 ? 1.0 : 0.0);

    /// <summary>Scores <paramref name="hypothesis"/> against <paramref name="reference"/> for one file.</summary>
    /// <exception cref="ArgumentException">A segment has a NaN or infinite time, or ends before it starts.</exception>
    public static DerResult Score(
        string fileId,
        IReadOnlyList<SpeakerSegment> reference,
        IReadOnlyList<SpeakerSegment> hypothesis,
        DerOptions? options = null)
    {
        options ??= new DerOptions();
        options.Validate();

        var refTracks = MergeBySpeaker(reference, nameof(reference));
        var hypTracks = MergeBySpeaker(hypothesis, nameof(hypothesis));
        var noScore = CollarZones(reference, options.CollarSeconds);
        var intervals = Elementary(refTracks, hypTracks, noScore, options.SkipOverlap);

        // Overlap seconds of every reference/hypothesis speaker pair, over the region the mapping looks at.
        var overlap = new double[refTracks.Count, hypTracks.Count];
        foreach (var interval in intervals)
        {
            if (!interval.Scored && options.MappingRegion == SpeakerMappingRegion.Scored)
            {
                continue;
            }
            foreach (var r in interval.Ref)
            {
                foreach (var h in interval.Hyp)
                {
                    overlap[r, h] += interval.Seconds;
                }
            }
        }
        var mapped = HungarianAlgorithm.Maximize(overlap);
        for (var r = 0; r < mapped.Length; r++)
        {
            if (mapped[r] >= 0 && overlap[r, mapped[r]] <= 0)
            {
                mapped[r] = -1;
            }
        }

        double scored = 0, miss = 0, falseAlarm = 0, confusion = 0, hypSeconds = 0;
        var refScored = new double[refTracks.Count];
        var hypScored = new double[hypTracks.Count];
        var correct = new double[refTracks.Count];
        foreach (var interval in intervals)
        {
            if (!interval.Scored)
            {
                continue;
            }
            var d = interval.Seconds;
            var nRef = interval.Ref.Count;
            var nHyp = interval.Hyp.Count;
            var nCorrect = 0;
            foreach (var r in interval.Ref)
            {
                refScored[r] += d;
                if (mapped[r] >= 0 && interval.Hyp.Contains(mapped[r]))
                {
                    nCorrect++;
                    correct[r] += d;
                }
            }
            foreach (var h in interval.Hyp)
            {
                hypScored[h] += d;
            }
            scored += d * nRef;
            hypSeconds += d * nHyp;
            miss += d * Math.Max(0, nRef - nHyp);
            falseAlarm += d * Math.Max(0, nHyp - nRef);
            confusion += d * (Math.Min(nRef, nHyp) - nCorrect);
        }

        var speakerJer = new Dictionary<string, double>(StringComparer.Ordinal);
        var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var r = 0; r < refTracks.Count; r++)
        {
            var h = mapped[r];
            if (h >= 0)
            {
                mapping.Add(refTracks[r].Speaker, hypTracks[h].Speaker);
            }
            if (refScored[r] <= 0)
            {
                continue;
            }
            var union = h >= 0 ? refScored[r] + hypScored[h] - correct[r] : refScored[r];
            speakerJer.Add(refTracks[r].Speaker, h >= 0 ? 1.0 - (correct[r] / union) : 1.0);
        }

        return new DerResult(fileId, scored, miss, falseAlarm, confusion, hypSeconds, speakerJer, mapping);
    }

    private sealed record Track(string Speaker, List<(double Start, double End)> Spans);

    private sealed record Interval(double Seconds, List<int> Ref, List<int> Hyp, bool Scored);

    /// <summary>One track per speaker, in order of first appearance, with its segments merged into disjoint spans.</summary>
    private static List<Track> MergeBySpeaker(IReadOnlyList<SpeakerSegment> segments, string paramName)
    {
        var bySpeaker = new Dictionary<string, List<(double Start, double End)>>(StringComparer.Ordinal);
        var tracks = new List<Track>();
        foreach (var s in segments)
        {
            if (!double.IsFinite(s.StartSeconds) || !double.IsFinite(s.EndSeconds) || s.EndSeconds < s.StartSeconds)
            {
                throw new ArgumentException(
                    $"segment {s.StartSeconds}..{s.EndSeconds} of '{s.Speaker}' cannot be scored: times must be finite and end >= start", paramName);
            }
            if (s.EndSeconds == s.StartSeconds)
            {
                continue;
            }
            if (!bySpeaker.TryGetValue(s.Speaker, out var spans))
            {
                spans = [];
                bySpeaker.Add(s.Speaker, spans);
                tracks.Add(new Track(s.Speaker, spans));
            }
            spans.Add((s.StartSeconds, s.EndSeconds));
        }
        foreach (var track in tracks)
        {
            var merged = Union(track.Spans);
            track.Spans.Clear();
            track.Spans.AddRange(merged);
        }
        return tracks;
    }

    private static List<(double Start, double End)> CollarZones(IReadOnlyList<SpeakerSegment> reference, double collar)
    {
        var zones = new List<(double Start, double End)>();
        if (collar <= 0)
        {
            return zones;
        }
        foreach (var s in reference)
        {
            if (s.EndSeconds > s.StartSeconds)
            {
                zones.Add((s.StartSeconds - collar, s.StartSeconds + collar));
                zones.Add((s.EndSeconds - collar, s.EndSeconds + collar));
            }
        }
        return Union(zones);
    }

    /// <summary>Sorted disjoint spans covering the same time; touching spans join.</summary>
    private static List<(double Start, double End)> Union(List<(double Start, double End)> spans)
    {
        var sorted = spans.OrderBy(s => s.Start).ThenBy(s => s.End).ToList();
        var merged = new List<(double Start, double End)>(sorted.Count);
        foreach (var span in sorted)
        {
            if (merged.Count > 0 && span.Start <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, span.End));
            }
            else
            {
                merged.Add(span);
            }
        }
        return merged;
    }

    /// <summary>Cuts the time line at every boundary and lists who speaks in each piece and whether it is scored.</summary>
    private static List<Interval> Elementary(List<Track> refTracks, List<Track> hypTracks, List<(double Start, double End)> noScore, bool skipOverlap)
    {
        var cuts = new SortedSet<double>();
        foreach (var span in refTracks.Concat(hypTracks).SelectMany(t => t.Spans).Concat(noScore))
        {
            cuts.Add(span.Start);
            cuts.Add(span.End);
        }

        // Spans are sorted and disjoint, so one cursor per track sweeps the time line once.
        var refCursor = new int[refTracks.Count];
        var hypCursor = new int[hypTracks.Count];
        var zoneCursor = 0;
        var intervals = new List<Interval>();
        var boundaries = cuts.ToArray();
        for (var k = 0; k + 1 < boundaries.Length; k++)
        {
            var start = boundaries[k];
            var refActive = Active(refTracks, refCursor, start);
            var hypActive = Active(hypTracks, hypCursor, start);
            if (refActive.Count == 0 && hypActive.Count == 0)
            {
                continue;
            }
            var inCollar = IsInside(noScore, ref zoneCursor, start);
            var scored = !inCollar && !(skipOverlap && refActive.Count >= 2);
            intervals.Add(new Interval(boundaries[k + 1] - start, refActive, hypActive, scored));
        }
        return intervals;
    }

    private static List<int> Active(List<Track> tracks, int[] cursors, double time)
    {
        var active = new List<int>();
        for (var t = 0; t < tracks.Count; t++)
        {
            if (IsInside(tracks[t].Spans, ref cursors[t], time))
            {
                active.Add(t);
            }
        }
        return active;
    }

    private static bool IsInside(List<(double Start, double End)> spans, ref int cursor, double time)
    {
        while (cursor < spans.Count && spans[cursor].End <= time)
        {
            cursor++;
        }
        return cursor < spans.Count && spans[cursor].Start <= time;
    }
}
