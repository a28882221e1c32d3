// What the recursive splitter reads: points (single windows, or runs of windows folded together) whose raw statistics
// can be normalised over any subset of them.
namespace StreamDiarize.Core.Embedding;

/// <summary>
/// The points <see cref="Clustering.RecursiveSplitter"/> splits. Offline every point is one window
/// (<see cref="WindowStatistics"/>); the live diarizer also has pre-clusters, runs of consecutive windows of one speaker
/// folded into sums (<see cref="FoldedWindowStatistics"/>). Points come in the session's order of windows:
/// <see cref="FirstWindow"/> increases with the point index.
/// </summary>
public interface ISplitPoints
{
    int Count { get; }

    /// <summary>Length of a normalised row.</summary>
    int Dims { get; }

    /// <summary>Windows with splitting statistics the point stands for; 0 when it has none (it then sits the splitting out).</summary>
    int SplitWindows(int point);

    /// <summary>Index, in the session's sequence of windows, of the point's first window.</summary>
    long FirstWindow(int point);

    /// <summary>Index of the point's last window (its first for a single window).</summary>
    long LastWindow(int point);

    /// <summary>
    /// Unbroken runs of consecutive windows the point is made of: 1 for a window or a folded run; more once runs of one
    /// speaker from different turns are joined. Turn-taking counts <c>SplitWindows - Runs</c> adjacent pairs inside the
    /// point, none of them a change.
    /// </summary>
    int Runs(int point);

    /// <summary>
    /// Rows (<see cref="Dims"/> long, in the order given) for <paramref name="points"/>, normalised over the windows of
    /// those points only: each statistic z-scored, the pitch pair z-scored over the windows that have it (0 for a point
    /// without) and weighted, each row scaled to unit length. A folded point's row is that of its windows' mean.
    /// </summary>
    double[] Normalise(ReadOnlySpan<int> points);
}
