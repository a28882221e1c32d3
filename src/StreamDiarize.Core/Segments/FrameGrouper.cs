// Labelled frames to speaker turns (the seed's group_frames), and the clean-up of turns that are too short.
namespace StreamDiarize.Core.Segments;

/// <summary>Where frame i lies in time: it starts at <c>i * StepSeconds</c> and lasts <see cref="FrameSeconds"/>.</summary>
public readonly record struct FrameTimeline(double StepSeconds, double FrameSeconds)
{
    /// <summary>The seed's arange_frames: n frames spread evenly over the audio, each covering its share.</summary>
    public static FrameTimeline EvenlySpread(int frames, double audioSeconds) =>
        frames <= 0 ? new FrameTimeline(0, 0) : new FrameTimeline(audioSeconds / frames, audioSeconds / frames);

    public double StartOf(int frame) => frame * StepSeconds;
}

public enum ShortSegmentPolicy
{
    /// <summary>Keep every turn, however short.</summary>
    Keep,

    /// <summary>Remove turns shorter than the minimum, leaving a gap.</summary>
    Drop,

    /// <summary>Give a short turn to the longer of its neighbours (the seed's turns are contiguous, so no gap appears).</summary>
    Merge,
}

public static class FrameGrouper
{
    /// <summary>
    /// Groups consecutive frames with equal labels into segments. A negative label means "no speaker"
    /// (non-speech) and ends the current segment. <paramref name="speakerName"/> maps a label to its name.
    /// </summary>
    public static List<SpeakerSegment> Group(ReadOnlySpan<int> labels, FrameTimeline timeline, Func<int, string> speakerName)
    {
        var segments = new List<SpeakerSegment>();
        int i = 0;
        while (i < labels.Length)
        {
            int label = labels[i];
            int j = i + 1;
            while (j < labels.Length && labels[j] == label)
            {
                j++;
            }
            if (label >= 0)
            {
                // A run ends where the next frame starts, or at the end of the last frame.
                double start = timeline.StartOf(i);
                double end = timeline.StartOf(j - 1) + Math.Max(timeline.FrameSeconds, timeline.StepSeconds);
                if (j < labels.Length)
                {
                    end = Math.Min(end, timeline.StartOf(j));
                }
                segments.Add(new SpeakerSegment(start, end, speakerName(label)));
            }
            i = j;
        }
        return segments;
    }

    /// <summary>The default naming: label k is speaker "S{k}".</summary>
    public static string DefaultName(int label) => "S" + label.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Applies <paramref name="policy"/> to turns shorter than <paramref name="minSeconds"/>, then joins touching turns of one speaker.</summary>
    public static List<SpeakerSegment> CleanShort(IReadOnlyList<SpeakerSegment> segments, double minSeconds, ShortSegmentPolicy policy)
    {
        var result = new List<SpeakerSegment>(segments);
        if (policy != ShortSegmentPolicy.Keep && minSeconds > 0)
        {
            // Shortest first, so a run of tiny pieces is absorbed from the inside out.
            while (true)
            {
                int shortest = -1;
                for (int k = 0; k < result.Count; k++)
                {
                    if (result[k].DurationSeconds < minSeconds && (shortest < 0 || result[k].DurationSeconds < result[shortest].DurationSeconds))
                    {
                        shortest = k;
                    }
                }
                if (shortest < 0)
                {
                    break;
                }
                if (policy == ShortSegmentPolicy.Drop)
                {
                    result.RemoveAt(shortest);
                    continue;
                }
                var s = result[shortest];
                bool hasPrev = shortest > 0 && Touches(result[shortest - 1], s);
                bool hasNext = shortest + 1 < result.Count && Touches(s, result[shortest + 1]);
                if (!hasPrev && !hasNext)
                {
                    // Alone between gaps: nothing to merge into; it is too short to be a turn.
                    result.RemoveAt(shortest);
                    continue;
                }
                bool toPrev = hasPrev && (!hasNext || result[shortest - 1].DurationSeconds >= result[shortest + 1].DurationSeconds);
                if (toPrev)
                {
                    var p = result[shortest - 1];
                    result[shortest - 1] = p with { EndSeconds = Math.Max(p.EndSeconds, s.EndSeconds) };
                }
                else
                {
                    var n = result[shortest + 1];
                    result[shortest + 1] = n with { StartSeconds = Math.Min(n.StartSeconds, s.StartSeconds) };
                }
                result.RemoveAt(shortest);
            }
        }
        return JoinTouching(result);
    }

    /// <summary>Joins consecutive turns of the same speaker separated by at most <paramref name="maxGapSeconds"/>.</summary>
    public static List<SpeakerSegment> JoinTouching(IReadOnlyList<SpeakerSegment> segments, double maxGapSeconds = 1e-6)
    {
        var result = new List<SpeakerSegment>(segments.Count);
        foreach (var s in segments)
        {
            if (result.Count > 0 && result[^1].Speaker == s.Speaker && s.StartSeconds - result[^1].EndSeconds <= maxGapSeconds)
            {
                result[^1] = result[^1] with { EndSeconds = Math.Max(result[^1].EndSeconds, s.EndSeconds) };
            }
            else
            {
                result.Add(s);
            }
        }
        return result;
    }

    private static bool Touches(SpeakerSegment a, SpeakerSegment b) => b.StartSeconds - a.EndSeconds <= 1e-6;
}
