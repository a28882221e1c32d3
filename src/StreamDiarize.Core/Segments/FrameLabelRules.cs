// The rules that turn window labels into frame labels: nearest window centre, and what a bridged pause becomes.
// The offline diarizer and the live turn emitter both call them, so the two paths label frames alike.
namespace StreamDiarize.Core.Segments;

/// <summary>Window centres (frame indices) in increasing order.</summary>
public interface IWindowCentres
{
    int Count { get; }

    long Centre(int window);
}

public static class FrameLabelRules
{
    /// <summary>
    /// The window nearest <paramref name="frame"/>, the earlier on a tie, starting the search at window
    /// <paramref name="from"/> (the answer for an earlier frame): frames and centres both increase, so a forward scan
    /// that stops when the next centre is not strictly closer is enough.
    /// </summary>
    public static int NearestWindow<TCentres>(TCentres centres, int from, long frame)
        where TCentres : IWindowCentres, allows ref struct
    {
        int w = from;
        while (w + 1 < centres.Count && Math.Abs(centres.Centre(w + 1) - frame) < Math.Abs(centres.Centre(w) - frame))
        {
            w++;
        }
        return w;
    }

    /// <summary>
    /// The label of a bridged pause between speech labelled <paramref name="before"/> and <paramref name="after"/>
    /// (-1 for silence): the speaker who talks on both sides, otherwise silence, since nearest-centre labelling may
    /// split a pause between its two speakers. Live, a pause between two ids that may still merge
    /// (<paramref name="bothConfirmed"/> false) stays with the speaker before it: silence is final, and it would be
    /// lost for good if they merged.
    /// </summary>
    public static int PauseLabel(int before, int after, bool bothConfirmed = true) =>
        before >= 0 && after >= 0 && (before == after || !bothConfirmed) ? before : -1;

    /// <summary>Centres held in an array, as the offline path has them.</summary>
    public readonly ref struct ArrayCentres(ReadOnlySpan<int> centres) : IWindowCentres
    {
        private readonly ReadOnlySpan<int> _centres = centres;

        public int Count => _centres.Length;

        public long Centre(int window) => _centres[window];
    }
}
