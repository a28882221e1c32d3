// Which speaker each frame belongs to, from turns: the one rule a voice model of a speaker reads its frames by,
// offline (a recording and its RTTM) and live (a session's final turns).
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Speakers;

public static class TurnOwnership
{
    /// <summary>Owner of a frame no turn holds.</summary>
    public const int None = -1;

    /// <summary>Owner of a frame two speakers' turns hold (overlap): no speaker's model reads it.</summary>
    public const int Shared = -2;

    /// <summary>
    /// For frames <paramref name="firstFrame"/> .. + <paramref name="frames"/>, the index into <c>Names</c> of the one
    /// speaker whose turns hold it, or <see cref="None"/> / <see cref="Shared"/>. A turn holds frames
    /// round(start / hop) to round(end / hop), exclusive. Names are in the order of their first turn.
    /// </summary>
    public static (int[] Owner, List<string> Names) SoloOwners(IReadOnlyList<SpeakerSegment> turns, long firstFrame, int frames, double hopSeconds)
    {
        var owner = new int[frames];
        Array.Fill(owner, None);
        var names = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var turn in turns)
        {
            if (!index.TryGetValue(turn.Speaker, out int s))
            {
                s = names.Count;
                index[turn.Speaker] = s;
                names.Add(turn.Speaker);
            }
            long from = Math.Max(firstFrame, (long)Math.Round(turn.StartSeconds / hopSeconds));
            long to = Math.Min(firstFrame + frames, (long)Math.Round(turn.EndSeconds / hopSeconds));
            for (long f = from; f < to; f++)
            {
                int i = (int)(f - firstFrame);
                owner[i] = owner[i] == None || owner[i] == s ? s : Shared;
            }
        }
        return (owner, names);
    }
}
