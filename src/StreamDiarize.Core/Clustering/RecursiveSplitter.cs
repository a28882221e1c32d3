// Looks for speakers inside each cluster: re-normalises the cluster's windows over the cluster alone and clusters again.
using StreamDiarize.Core.Embedding;

namespace StreamDiarize.Core.Clustering;

/// <summary>
/// The session-level threshold is relative: embeddings are z-scored over the session, so in a meeting of many voices
/// the spread between two groups of voices (say, male and female) sets the scale and the voices inside a group look
/// alike. This stage takes each large cluster, normalises its windows over that cluster only, and runs the same
/// average-linkage rule inside it; parts that split off are examined again, down to <see cref="RecursiveSplitOptions.MaxDepth"/>.
/// Parts smaller than <see cref="RecursiveSplitOptions.MinPartWindows"/> are not speakers: their windows join the
/// nearest final cluster by cosine similarity to its centroid in the session space. Pure and thread-safe.
/// </summary>
public sealed class RecursiveSplitter
{
    private readonly AgglomerativeClusterer inner;

    public RecursiveSplitter(RecursiveSplitOptions? options = null, AgglomerativeClustererOptions? clustering = null)
    {
        Options = (options ?? new RecursiveSplitOptions()).Validate();
        inner = new AgglomerativeClusterer((clustering ?? new AgglomerativeClustererOptions()) with { DistanceThreshold = Options.DistanceThreshold });
    }

    public RecursiveSplitOptions Options { get; }

    /// <summary>
    /// Refines <paramref name="labels"/> (one per window, from clustering <paramref name="session"/>): returns new
    /// labels 0..k-1 (numbered by first appearance) with k at most <paramref name="maxClusters"/> and never fewer clusters than given. Without window
    /// statistics (a neural embedder), or with splitting off, the labels come back unchanged.
    /// </summary>
    public int[] Split(int[] labels, WindowEmbeddings session, int maxClusters)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Split(labels, session.Data, session.Dims, null, session.Statistics, maxClusters);
    }

    /// <summary>
    /// Refines <paramref name="labels"/> of weighted points (the live diarizer's windows and pre-clusters):
    /// <paramref name="sessionRows"/> are the points in the session's space (<paramref name="sessionDims"/> each), in
    /// which leftovers find their nearest cluster; <paramref name="weights"/> the windows each point stands for (null:
    /// one each); <paramref name="points"/> the same points' raw statistics for the normalisation inside a cluster
    /// (null: no splitting). Returns labels 0..k-1 numbered by first appearance, k at most <paramref name="maxClusters"/> and never fewer than given.
    /// </summary>
    public int[] Split(int[] labels, double[] sessionRows, int sessionDims, double[]? weights, ISplitPoints? points, int maxClusters)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(sessionRows);
        int n = labels.Length;
        if (sessionRows.Length != (long)n * sessionDims || (weights is not null && weights.Length != n))
        {
            throw new ArgumentException($"{n} labels for {sessionRows.Length / Math.Max(1, sessionDims)} rows and {weights?.Length ?? n} weights.", nameof(labels));
        }
        if (Options.MaxDepth == 0 || points is null || n == 0)
        {
            return labels;
        }
        if (points.Count != n)
        {
            throw new ArgumentException($"{n} labels for {points.Count} points of statistics.", nameof(points));
        }
        var space = new Space(points, weights);
        var tops = labels.Select((label, point) => (label, point)).GroupBy(x => x.label).OrderBy(g => g.Key)
            .Select(g => g.Select(x => x.point).ToArray()).ToList();
        var groups = new List<int[]>();
        var leftovers = new List<int>();
        int budget = maxClusters - tops.Count;
        // Largest first, so that a cap on the count goes to the clusters most likely to hold several voices.
        var order = Enumerable.Range(0, tops.Count).OrderByDescending(i => space.Windows(tops[i])).ToArray();
        var parts = new List<int[]>[tops.Count];
        foreach (int i in order)
        {
            parts[i] = [];
            Descend(tops[i], 1, space, parts[i], leftovers, ref budget);
        }
        foreach (var p in parts)
        {
            // A part can be left empty when every point of it lacked statistics (they are leftovers now).
            groups.AddRange(p.Where(g => g.Length > 0));
        }
        var result = new int[n];
        for (int g = 0; g < groups.Count; g++)
        {
            foreach (int w in groups[g])
            {
                result[w] = g;
            }
        }
        if (leftovers.Count > 0)
        {
            AssignToNearest(leftovers, groups, sessionRows, sessionDims, weights, result);
        }
        LabelNumbering.ByFirstAppearance(result);
        return result;
    }

    /// <summary>The points with their weights: windows in the session (for the size rules) and windows with statistics.</summary>
    private sealed class Space(ISplitPoints points, double[]? weights)
    {
        public ISplitPoints Points { get; } = points;

        public double Windows(int[] members)
        {
            double total = 0;
            foreach (int m in members)
            {
                total += weights is null ? 1 : weights[m];
            }
            return total;
        }

        public double SplitWindows(IEnumerable<int> members)
        {
            double total = 0;
            foreach (int m in members)
            {
                total += Points.SplitWindows(m);
            }
            return total;
        }
    }

    private void Descend(int[] members, int depth, Space space, List<int[]> output, List<int> leftovers, ref int budget)
    {
        if (depth > Options.MaxDepth || space.Windows(members) < Options.MinWindows || budget <= 0)
        {
            output.Add(members);
            return;
        }
        // Points without splitting statistics sit this level out and later join their nearest cluster.
        var statistics = space.Points;
        var missing = members.Where(m => statistics.SplitWindows(m) == 0).ToArray();
        if (missing.Length > 0)
        {
            leftovers.AddRange(missing);
            members = members.Where(m => statistics.SplitWindows(m) > 0).ToArray();
            if (space.SplitWindows(members) < Options.MinWindows)
            {
                output.Add(members);
                return;
            }
        }
        var local = statistics.Normalise(members);
        var weights = new double[members.Length];
        for (int i = 0; i < members.Length; i++)
        {
            weights[i] = statistics.SplitWindows(members[i]);
        }
        var labels = inner.Cluster(local, weights, statistics.Dims, new ClusterCountLimits(1, inner.Options.MaxClusters), statistics.Similarity);
        if (TrySplit(members, labels, depth, space, output, leftovers, ref budget))
        {
            return;
        }
        // The cut at the threshold failed the checks (one part cutting through a voice is enough for that): the top
        // two-way split of the same tree may still separate two groups of voices.
        if (labels.Length > 0 && labels.Max() + 1 > 2)
        {
            var two = inner.Cluster(local, weights, statistics.Dims, new ClusterCountLimits(1, 2), statistics.Similarity);
            if (TrySplit(members, two, depth, space, output, leftovers, ref budget))
            {
                return;
            }
        }
        output.Add(members);
    }

    /// <summary>
    /// Keeps the split given by <paramref name="labels"/> and descends into its parts when at least two parts are large
    /// enough and the turn-taking check passes; false (nothing done) otherwise.
    /// </summary>
    private bool TrySplit(int[] members, int[] labels, int depth, Space space, List<int[]> output, List<int> leftovers, ref int budget)
    {
        int k = labels.Length == 0 ? 0 : labels.Max() + 1;
        var parts = new List<int>[k];
        for (int c = 0; c < k; c++)
        {
            parts[c] = [];
        }
        for (int i = 0; i < labels.Length; i++)
        {
            parts[labels[i]].Add(members[i]);
        }
        var size = parts.Select(space.SplitWindows).ToArray();
        var kept = Enumerable.Range(0, k).Where(c => size[c] >= Options.MinPartWindows).OrderByDescending(c => size[c]).Select(c => parts[c]).ToList();
        if (kept.Count < 2)
        {
            return false;
        }
        double switches = SwitchRate(members, labels, space.Points);
        if (switches > Options.MaxSwitchRate)
        {
            return false;
        }
        // Within the budget: the largest parts stay separate, the rest are leftovers that join their nearest cluster.
        int keep = Math.Min(kept.Count, budget + 1);
        budget -= keep - 1;
        for (int c = 0; c < k; c++)
        {
            if (size[c] < Options.MinPartWindows)
            {
                leftovers.AddRange(parts[c]);
            }
        }
        foreach (var m in kept.Skip(keep))
        {
            leftovers.AddRange(m);
        }
        foreach (var m in kept.Take(keep))
        {
            Descend([.. m], depth + 1, space, output, leftovers, ref budget);
        }
        return true;
    }

    /// <summary>
    /// Among consecutive windows (adjacent in the session) of the cluster, the fraction whose labels differ, after a
    /// majority vote over each window and its <see cref="RecursiveSplitOptions.SmoothingWindows"/> neighbours on each
    /// side (so a single stray window is not a change of speaker). A window takes the label of the point holding it
    /// (<see cref="ISplitPoints.WindowPoints"/>), so a folded point is the run of windows it was made of.
    /// </summary>
    private double SwitchRate(int[] members, int[] labels, ISplitPoints points)
    {
        int half = Options.SmoothingWindows;
        int k = labels.Length == 0 ? 0 : labels.Max() + 1;
        var labelOf = new int[points.Count];
        Array.Fill(labelOf, -1);
        for (int i = 0; i < members.Length; i++)
        {
            labelOf[members[i]] = labels[i];
        }
        // The cluster's windows in order, each with its label and whether it follows the previous one directly.
        var sequence = points.WindowPoints;
        var laid = new List<int>();
        var adjacent = new List<bool>();
        int previous = int.MinValue;
        for (int position = 0; position < sequence.Length; position++)
        {
            if (sequence[position] >= 0 && labelOf[sequence[position]] >= 0)
            {
                laid.Add(labelOf[sequence[position]]);
                adjacent.Add(position == previous + 1);
                previous = position;
            }
        }
        int count = laid.Count;
        var smoothed = new int[count];
        var votes = new int[Math.Max(1, k)];
        for (int i = 0; i < count; i++)
        {
            Array.Clear(votes);
            // Neighbours count only along an unbroken run of adjacent windows.
            votes[laid[i]]++;
            for (int j = i - 1; j >= Math.Max(0, i - half) && adjacent[j + 1]; j--)
            {
                votes[laid[j]]++;
            }
            for (int j = i + 1; j <= Math.Min(count - 1, i + half) && adjacent[j]; j++)
            {
                votes[laid[j]]++;
            }
            int best = laid[i];
            for (int c = 0; c < k; c++)
            {
                if (votes[c] > votes[best])
                {
                    best = c;
                }
            }
            smoothed[i] = best;
        }
        int pairs = 0;
        int differ = 0;
        for (int i = 1; i < count; i++)
        {
            if (adjacent[i])
            {
                pairs++;
                differ += smoothed[i] != smoothed[i - 1] ? 1 : 0;
            }
        }
        return pairs == 0 ? 0 : (double)differ / pairs;
    }

    /// <summary>
    /// Each leftover point takes the cluster whose centroid (session space, weighted by windows, renormalised) is most
    /// cosine-similar.
    /// </summary>
    private static void AssignToNearest(List<int> leftovers, List<int[]> groups, double[] sessionRows, int dims, double[]? weights, int[] result)
    {
        var centroids = new double[groups.Count * dims];
        for (int g = 0; g < groups.Count; g++)
        {
            var c = centroids.AsSpan(g * dims, dims);
            foreach (int w in groups[g])
            {
                var row = sessionRows.AsSpan(w * dims, dims);
                double weight = weights?[w] ?? 1;
                for (int k = 0; k < dims; k++)
                {
                    c[k] += weight * row[k];
                }
            }
            double norm = 0;
            foreach (double x in c)
            {
                norm += x * x;
            }
            double inv = 1.0 / (Math.Sqrt(norm) + 1e-12);
            for (int k = 0; k < dims; k++)
            {
                c[k] *= inv;
            }
        }
        foreach (int w in leftovers)
        {
            var row = sessionRows.AsSpan(w * dims, dims);
            int best = 0;
            double bestDot = double.NegativeInfinity;
            for (int g = 0; g < groups.Count; g++)
            {
                var c = centroids.AsSpan(g * dims, dims);
                double dot = 0;
                for (int k = 0; k < dims; k++)
                {
                    dot += row[k] * c[k];
                }
                if (dot > bestDot)
                {
                    bestDot = dot;
                    best = g;
                }
            }
            result[w] = best;
        }
    }
}
