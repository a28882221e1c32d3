// The clustering step of live re-clustering: weighted points in, one label per point out, within the speaker hints.
namespace StreamDiarize.Core.Clustering;

/// <summary>
/// Clusters rows of <paramref name="dims"/> values, each standing for <c>weights[i]</c> windows (a pre-cluster of
/// many, or one window). Labels are 0..k-1 with <c>min &lt;= k &lt;= max</c> where there are enough points. Must be
/// a pure function of its inputs: re-clustering reads it from one session's thread, and sessions may share it.
/// </summary>
public interface IWeightedClusterer
{
    int[] ClusterWeighted(ReadOnlySpan<double> points, ReadOnlySpan<double> weights, int dims, int min, int max, RowSimilarity similarity = RowSimilarity.Cosine);
}
