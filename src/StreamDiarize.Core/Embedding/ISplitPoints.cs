// What the recursive splitter reads: points (single windows, or runs of windows folded together) whose raw statistics
// can be normalised over any subset of them, and the order of their windows in the session.
namespace StreamDiarize.Core.Embedding;

/// <summary>
/// The points <see cref="Clustering.RecursiveSplitter"/> splits. Offline every point is one window
/// (<see cref="WindowStatistics"/>); the live diarizer also has pre-clusters, runs of windows of one speaker folded into
/// sums (<see cref="FoldedWindowStatistics"/>).
/// </summary>
public interface ISplitPoints
{
    int Count { get; }

    /// <summary>Length of a normalised row.</summary>
    int Dims { get; }

    /// <summary>Windows with splitting statistics the point stands for; 0 when it has none (it then sits the splitting out).</summary>
    int SplitWindows(int point);

    /// <summary>
    /// The session's windows in time order, consecutive windows next to each other: the point holding each, or -1 for
    /// a window without splitting statistics. The turn-taking check reads labels along it, so a folded point counts as
    /// the run of windows it was made of. It may leave out the oldest windows (the live diarizer forgets them).
    /// </summary>
    ReadOnlySpan<int> WindowPoints { get; }

    /// <summary>
    /// Rows (<see cref="Dims"/> long, in the order given) for <paramref name="points"/>, normalised over the windows of
    /// those points only: each statistic z-scored, the pitch pair z-scored over the windows that have it (0 for a
    /// window without) and weighted, each window's row scaled to unit length. A folded point's row stands for the mean
    /// of its windows' unit rows (<see cref="Similarity"/> says how rows are compared).
    /// </summary>
    double[] Normalise(ReadOnlySpan<int> points);

    /// <summary>
    /// <see cref="Clustering.RowSimilarity.Cosine"/> for unit rows of single windows;
    /// <see cref="Clustering.RowSimilarity.DotProduct"/> when rows are means of unit rows.
    /// </summary>
    Clustering.RowSimilarity Similarity { get; }
}
