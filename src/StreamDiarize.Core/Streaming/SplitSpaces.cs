// The spaces splitting told voices apart in, so the live relabel margin judges a move where the two clusters differ.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Embedding;

namespace StreamDiarize.Core.Streaming;

/// <summary>
/// For each session-level cluster that splitting divided, the normalisation over its own points (as
/// <see cref="RecursiveSplitter"/> made it at its first level): each point's row there, and each final cluster's
/// mean row, so that a point's distance to a cluster inside it is one minus their dot product (the mean similarity
/// to the cluster's windows).
/// </summary>
public sealed class SplitSpaces
{
    private readonly FoldedWindowStatistics _points;
    private readonly int[] _top;
    private readonly int[] _topOfCluster;
    private readonly int[] _rowOf;
    private readonly double[][] _rows;
    private readonly Dictionary<int, double[]> _profiles = [];

    public SplitSpaces(FoldedWindowStatistics points, int[] top, int[] labels)
    {
        _points = points;
        _top = top;
        int n = labels.Length;
        int clusters = labels.Max() + 1;
        int tops = top.Max() + 1;
        // A final cluster belongs to the session-level cluster that holds most of its windows.
        var share = new double[clusters, tops];
        for (int m = 0; m < n; m++)
        {
            share[labels[m], top[m]] += Math.Max(1, points.SplitWindows(m));
        }
        _topOfCluster = new int[clusters];
        var parts = new HashSet<int>[tops];
        for (int c = 0; c < clusters; c++)
        {
            int best = 0;
            for (int t = 1; t < tops; t++)
            {
                best = share[c, t] > share[c, best] ? t : best;
            }
            _topOfCluster[c] = best;
            (parts[best] ??= []).Add(c);
        }
        _rowOf = new int[n];
        Array.Fill(_rowOf, -1);
        _rows = new double[tops][];
        int dims = points.Dims;
        for (int t = 0; t < tops; t++)
        {
            if (parts[t] is not { Count: > 1 })
            {
                continue;
            }
            var members = new List<int>();
            for (int m = 0; m < n; m++)
            {
                if (top[m] == t && points.SplitWindows(m) > 0)
                {
                    _rowOf[m] = members.Count;
                    members.Add(m);
                }
            }
            var rows = points.Normalise(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(members));
            _rows[t] = rows;
            var weight = new Dictionary<int, double>();
            for (int r = 0; r < members.Count; r++)
            {
                int c = labels[members[r]];
                if (_topOfCluster[c] != t)
                {
                    continue;
                }
                if (!_profiles.TryGetValue(c, out var profile))
                {
                    _profiles[c] = profile = new double[dims];
                }
                double w = points.SplitWindows(members[r]);
                weight[c] = weight.GetValueOrDefault(c) + w;
                for (int k = 0; k < dims; k++)
                {
                    profile[k] += w * rows[r * dims + k];
                }
            }
            foreach (var (c, w) in weight)
            {
                var profile = _profiles[c];
                for (int k = 0; k < dims; k++)
                {
                    profile[k] /= w;
                }
            }
        }
    }

    /// <summary>Whether point <paramref name="m"/> and both clusters lie in one divided session-level cluster.</summary>
    public bool Compares(int m, int cluster, int other) =>
        _rowOf[m] >= 0 && other >= 0 && _topOfCluster[cluster] == _top[m] && _topOfCluster[other] == _top[m]
        && _profiles.ContainsKey(cluster) && _profiles.ContainsKey(other);

    public double Distance(int m, int cluster)
    {
        int dims = _points.Dims;
        var row = _rows[_top[m]].AsSpan(_rowOf[m] * dims, dims);
        return 1 - WindowSpace.Dot(row, _profiles[cluster]);
    }
}
