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
    /// labels 0..k-1 with k at most <paramref name="maxClusters"/> and never fewer clusters than given. Without window
    /// statistics (a neural embedder), or with splitting off, the labels come back unchanged.
    /// </summary>
    public int[] Split(int[] labels, WindowEmbeddings session, int maxClusters)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(session);
        if (labels.Length != session.Count)
        {
            throw new ArgumentException($"{labels.Length} labels for {session.Count} windows.", nameof(labels));
        }
        var statistics = session.Statistics;
        if (Options.MaxDepth == 0 || statistics is null || session.Count == 0)
        {
            return labels;
        }
        var tops = labels.Select((label, window) => (label, window)).GroupBy(x => x.label).OrderBy(g => g.Key)
            .Select(g => g.Select(x => x.window).ToArray()).ToList();
        var groups = new List<int[]>();
        var leftovers = new List<int>();
        int budget = maxClusters - tops.Count;
        // Largest first, so that a cap on the count goes to the clusters most likely to hold several voices.
        var order = Enumerable.Range(0, tops.Count).OrderByDescending(i => tops[i].Length).ToArray();
        var parts = new List<int[]>[tops.Count];
        foreach (int i in order)
        {
            parts[i] = [];
            Descend(tops[i], 1, statistics, parts[i], leftovers, ref budget);
        }
        foreach (var p in parts)
        {
            groups.AddRange(p);
        }
        var result = new int[labels.Length];
        for (int g = 0; g < groups.Count; g++)
        {
            foreach (int w in groups[g])
            {
                result[w] = g;
            }
        }
        if (leftovers.Count > 0)
        {
            AssignToNearest(leftovers, groups, session, result);
        }
        return result;
    }

    private void Descend(int[] windows, int depth, WindowStatistics statistics, List<int[]> output, List<int> leftovers, ref int budget)
    {
        if (depth > Options.MaxDepth || windows.Length < Options.MinWindows || budget <= 0)
        {
            output.Add(windows);
            return;
        }
        // Windows without splitting statistics sit this level out and later join their nearest cluster.
        var missing = windows.Where(w => !statistics.HasRow(w)).ToArray();
        if (missing.Length > 0)
        {
            leftovers.AddRange(missing);
            windows = windows.Where(statistics.HasRow).ToArray();
            if (windows.Length < Options.MinWindows)
            {
                output.Add(windows);
                return;
            }
        }
        var local = statistics.Normalise(windows);
        var labels = inner.Cluster(local, statistics.Dims, new ClusterCountLimits(1, inner.Options.MaxClusters));
        if (TrySplit(windows, labels, depth, statistics, output, leftovers, ref budget))
        {
            return;
        }
        // The cut at the threshold failed the checks (one part cutting through a voice is enough for that): the top
        // two-way split of the same tree may still separate two groups of voices.
        if (labels.Length > 0 && labels.Max() + 1 > 2)
        {
            var two = inner.Cluster(local, statistics.Dims, new ClusterCountLimits(1, 2));
            if (TrySplit(windows, two, depth, statistics, output, leftovers, ref budget))
            {
                return;
            }
        }
        output.Add(windows);
    }

    /// <summary>
    /// Keeps the split given by <paramref name="labels"/> and descends into its parts when at least two parts are large
    /// enough and the turn-taking check passes; false (nothing done) otherwise.
    /// </summary>
    private bool TrySplit(int[] windows, int[] labels, int depth, WindowStatistics statistics, List<int[]> output, List<int> leftovers, ref int budget)
    {
        int k = labels.Length == 0 ? 0 : labels.Max() + 1;
        var members = new List<int>[k];
        for (int c = 0; c < k; c++)
        {
            members[c] = [];
        }
        for (int i = 0; i < labels.Length; i++)
        {
            members[labels[i]].Add(windows[i]);
        }
        var kept = members.Where(m => m.Count >= Options.MinPartWindows).OrderByDescending(m => m.Count).ToList();
        if (kept.Count < 2)
        {
            return false;
        }
        double switches = SwitchRate(windows, labels);
        if (switches > Options.MaxSwitchRate)
        {
            return false;
        }
        // Within the budget: the largest parts stay separate, the rest are leftovers that join their nearest cluster.
        int keep = Math.Min(kept.Count, budget + 1);
        budget -= keep - 1;
        foreach (var m in members.Where(m => m.Count < Options.MinPartWindows))
        {
            leftovers.AddRange(m);
        }
        foreach (var m in kept.Skip(keep))
        {
            leftovers.AddRange(m);
        }
        foreach (var m in kept.Take(keep))
        {
            Descend([.. m], depth + 1, statistics, output, leftovers, ref budget);
        }
        return true;
    }

    /// <summary>
    /// Among consecutive windows (adjacent in the session) of the cluster, the fraction whose labels differ, after a
    /// majority vote over each window and its <see cref="RecursiveSplitOptions.SmoothingWindows"/> neighbours on each
    /// side (so a single stray window is not a change of speaker).
    /// </summary>
    private double SwitchRate(int[] windows, int[] labels)
    {
        int half = Options.SmoothingWindows;
        int k = labels.Length == 0 ? 0 : labels.Max() + 1;
        var smoothed = new int[labels.Length];
        var votes = new int[Math.Max(1, k)];
        for (int i = 0; i < labels.Length; i++)
        {
            Array.Clear(votes);
            // Neighbours count only along an unbroken run of adjacent windows.
            votes[labels[i]]++;
            for (int j = i - 1; j >= Math.Max(0, i - half) && windows[j] == windows[j + 1] - 1; j--)
            {
                votes[labels[j]]++;
            }
            for (int j = i + 1; j <= Math.Min(labels.Length - 1, i + half) && windows[j] == windows[j - 1] + 1; j++)
            {
                votes[labels[j]]++;
            }
            int best = labels[i];
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
        for (int i = 1; i < windows.Length; i++)
        {
            if (windows[i] == windows[i - 1] + 1)
            {
                pairs++;
                differ += smoothed[i] != smoothed[i - 1] ? 1 : 0;
            }
        }
        return pairs == 0 ? 0 : (double)differ / pairs;
    }

    /// <summary>Each leftover window takes the cluster whose centroid (session space, renormalised) is most cosine-similar.</summary>
    private static void AssignToNearest(List<int> leftovers, List<int[]> groups, WindowEmbeddings session, int[] result)
    {
        int dims = session.Dims;
        var centroids = new double[groups.Count * dims];
        for (int g = 0; g < groups.Count; g++)
        {
            var c = centroids.AsSpan(g * dims, dims);
            foreach (int w in groups[g])
            {
                var row = session.Row(w);
                for (int k = 0; k < dims; k++)
                {
                    c[k] += row[k];
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
            var row = session.Row(w);
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
