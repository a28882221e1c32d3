// Average-linkage agglomerative clustering on cosine distance, cut by a distance threshold and by cluster-count limits.
namespace StreamDiarize.Core.Clustering;

/// <summary>
/// scipy's linkage(method="average", metric="cosine") then fcluster(t, "distance"), capped by "maxclust", as the
/// research pipeline does, plus speaker-count limits. The dendrogram is built with the nearest-neighbour chain
/// (O(n^2) time on a condensed distance matrix, n(n-1)/2 doubles); above <see cref="AgglomerativeClustererOptions.MaxExactWindows"/>
/// items, consecutive items are first averaged in equal groups (windows overlap by most of their length, so
/// neighbours are near-duplicates) and the groups are clustered with their sizes as weights. Pure and thread-safe.
/// </summary>
public sealed class AgglomerativeClusterer : IWeightedClusterer
{
    public AgglomerativeClusterer(AgglomerativeClustererOptions? options = null)
    {
        Options = (options ?? new AgglomerativeClustererOptions()).Validate();
    }

    public AgglomerativeClustererOptions Options { get; }

    /// <summary>
    /// Labels for the <c>embeddings.Length / dims</c> rows (row-major), numbered 0, 1, ... in order of first
    /// appearance. The threshold decides the count, which is then raised to <c>limits.Min</c> or lowered to
    /// <c>limits.Max</c> (or <see cref="AgglomerativeClustererOptions.MaxClustersDefault"/>); never more clusters than rows.
    /// </summary>
    public int[] Cluster(ReadOnlySpan<double> embeddings, int dims, ClusterCountLimits limits = default) => Cluster(embeddings, [], dims, limits);

    /// <summary>
    /// As <see cref="Cluster(ReadOnlySpan{double}, int, ClusterCountLimits)"/> for rows that each stand for
    /// <paramref name="weights"/>[i] windows (empty: one each), compared by <paramref name="similarity"/>; grouped rows
    /// are averaged by weight.
    /// </summary>
    public int[] Cluster(ReadOnlySpan<double> embeddings, ReadOnlySpan<double> weights, int dims, ClusterCountLimits limits = default,
        RowSimilarity similarity = RowSimilarity.Cosine)
    {
        if (dims < 1 || embeddings.Length % dims != 0)
        {
            throw new ArgumentException($"{embeddings.Length} values do not split into rows of {dims}.", nameof(embeddings));
        }
        int min = Math.Max(1, limits.Min);
        int max = limits.Max ?? Options.MaxClustersDefault;
        if (max < min || max > Options.MaxClusters)
        {
            throw new ArgumentOutOfRangeException(nameof(limits), limits,
                $"Cluster limits must satisfy 1 <= min <= max <= MaxClusters ({Options.MaxClusters}).");
        }
        int n = embeddings.Length / dims;
        if (!weights.IsEmpty && weights.Length != n)
        {
            throw new ArgumentException($"{weights.Length} weights for {n} rows.", nameof(weights));
        }
        var labels = new int[n];
        if (n == 0 || (n < Options.MinWindowsToCluster && min <= 1))
        {
            return labels;
        }

        // Group consecutive rows when there are too many to hold every pairwise distance.
        int groupSize = (n + Options.MaxExactWindows - 1) / Options.MaxExactWindows;
        int items = (n + groupSize - 1) / groupSize;
        var points = new double[items * dims];
        var groupWeights = new double[items];
        for (int i = 0; i < n; i++)
        {
            int g = i / groupSize;
            var row = embeddings.Slice(i * dims, dims);
            if (weights.IsEmpty)
            {
                groupWeights[g]++;
                for (int k = 0; k < dims; k++)
                {
                    points[g * dims + k] += row[k];
                }
            }
            else
            {
                groupWeights[g] += weights[i];
                for (int k = 0; k < dims; k++)
                {
                    points[g * dims + k] += weights[i] * row[k];
                }
            }
        }
        for (int g = 0; g < items; g++)
        {
            for (int k = 0; k < dims; k++)
            {
                points[g * dims + k] /= groupWeights[g];
            }
        }

        var itemLabels = ClusterWeighted(points, groupWeights, dims, min, max, similarity);
        for (int i = 0; i < n; i++)
        {
            labels[i] = itemLabels[i / groupSize];
        }
        return labels;
    }

    /// <summary>
    /// Clusters weighted points (each standing for <c>weights[i]</c> windows, e.g. pre-clusters of a long session):
    /// average linkage cut at the distance threshold, then clamped to <c>[min, max]</c> clusters. Labels by first appearance.
    /// </summary>
    public int[] ClusterWeighted(ReadOnlySpan<double> points, ReadOnlySpan<double> weights, int dims, int min, int max,
        RowSimilarity similarity = RowSimilarity.Cosine)
    {
        int items = weights.Length;
        if (items == 0)
        {
            return [];
        }
        var merges = Linkage(points, dims, weights, similarity);
        int applied = 0;
        while (applied < merges.Length && merges[applied].Distance <= Options.DistanceThreshold)
        {
            applied++;
        }
        int target = Math.Clamp(items - applied, Math.Min(Math.Max(1, min), items), Math.Min(Math.Max(1, max), items));
        return Cut(merges, items, items - target);
    }

    /// <summary>One merge of the dendrogram: clusters represented by items <see cref="A"/> and <see cref="B"/> join at <see cref="Distance"/>.</summary>
    public readonly record struct Merge(int A, int B, double Distance);

    /// <summary>
    /// The average-linkage dendrogram of the rows, merges sorted by distance (stable, as scipy sorts them). Each row
    /// starts with its weight (the number of windows it stands for) in the Lance-Williams average.
    /// </summary>
    public static Merge[] Linkage(ReadOnlySpan<double> points, int dims, ReadOnlySpan<double> weights, RowSimilarity similarity = RowSimilarity.Cosine)
    {
        int n = points.Length / dims;
        if (n <= 1)
        {
            return [];
        }
        return LinkageOfDistances(CosineDistances(points, dims, n, asGiven: similarity != RowSimilarity.Cosine), n, weights);
    }

    /// <summary>
    /// The average-linkage dendrogram of <paramref name="n"/> items from their condensed distance matrix (scipy's pdist
    /// layout; overwritten), each item weighted by <paramref name="weights"/>[i].
    /// </summary>
    public static Merge[] LinkageOfDistances(double[] d, int n, ReadOnlySpan<double> weights)
    {
        if (n <= 1)
        {
            return [];
        }
        var size = weights.ToArray();
        var active = new bool[n];
        Array.Fill(active, true);
        var merges = new Merge[n - 1];
        var chain = new int[n];
        int chainLength = 0;
        for (int m = 0; m < n - 1; m++)
        {
            if (chainLength == 0)
            {
                int start = 0;
                while (!active[start])
                {
                    start++;
                }
                chain[chainLength++] = start;
            }
            int a, b;
            while (true)
            {
                a = chain[chainLength - 1];
                // Prefer the previous chain element on ties, so the chain cannot cycle.
                int previous = chainLength >= 2 ? chain[chainLength - 2] : -1;
                b = previous;
                double best = previous >= 0 ? d[Index(a, previous, n)] : double.PositiveInfinity;
                for (int k = 0; k < n; k++)
                {
                    if (k == a || !active[k])
                    {
                        continue;
                    }
                    double dk = d[Index(a, k, n)];
                    if (dk < best)
                    {
                        best = dk;
                        b = k;
                    }
                }
                if (b == previous)
                {
                    break;
                }
                chain[chainLength++] = b;
            }
            chainLength -= 2;
            if (a > b)
            {
                (a, b) = (b, a);
            }
            double dist = d[Index(a, b, n)];
            merges[m] = new Merge(a, b, dist);

            // The merged cluster lives on in b's slot; a is retired.
            double sa = size[a], sb = size[b];
            for (int k = 0; k < n; k++)
            {
                if (!active[k] || k == a || k == b)
                {
                    continue;
                }
                long ib = Index(b, k, n);
                d[ib] = (sa * d[Index(a, k, n)] + sb * d[ib]) / (sa + sb);
            }
            active[a] = false;
            size[b] = sa + sb;
        }
        // Stable sort by distance (the chain finds merges out of order); average linkage is monotone, so a prefix
        // of the sorted list is a valid cut.
        var order = new int[merges.Length];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        var keys = new double[merges.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = merges[i].Distance;
        }
        Array.Sort(keys, order);
        var sorted = new Merge[merges.Length];
        for (int i = 0; i < sorted.Length; i++)
        {
            sorted[i] = merges[order[i]];
        }
        // Array.Sort is not stable: restore original order among equal distances.
        int runStart = 0;
        for (int i = 1; i <= sorted.Length; i++)
        {
            if (i == sorted.Length || keys[i] != keys[runStart])
            {
                if (i - runStart > 1)
                {
                    Array.Sort(order, sorted, runStart, i - runStart);
                }
                runStart = i;
            }
        }
        return sorted;
    }

    /// <summary>Labels after the first <paramref name="mergeCount"/> merges, numbered by first appearance.</summary>
    public static int[] Cut(Merge[] merges, int n, int mergeCount)
    {
        var parent = new int[n];
        for (int i = 0; i < n; i++)
        {
            parent[i] = i;
        }
        for (int m = 0; m < mergeCount; m++)
        {
            int ra = Find(parent, merges[m].A), rb = Find(parent, merges[m].B);
            parent[ra] = rb;
        }
        var labels = new int[n];
        var names = new Dictionary<int, int>();
        for (int i = 0; i < n; i++)
        {
            int root = Find(parent, i);
            if (!names.TryGetValue(root, out int label))
            {
                label = names.Count;
                names[root] = label;
            }
            labels[i] = label;
        }
        return labels;
    }

    private static int Find(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    /// <summary>Where the pair (i, j), i != j, sits in a condensed distance matrix of n items.</summary>
    public static long Index(int i, int j, int n)
    {
        if (i > j)
        {
            (i, j) = (j, i);
        }
        // Condensed upper triangle, row by row, as scipy's pdist lays it out.
        return (long)n * i - (long)i * (i + 1) / 2 + (j - i - 1);
    }

    /// <summary>
    /// Condensed 1 - cos distances; with <paramref name="asGiven"/> the rows are taken as already scaled (1 - dot, for
    /// rows whose length carries meaning, such as folded pre-cluster means).
    /// </summary>
    private static double[] CosineDistances(ReadOnlySpan<double> points, int dims, int n, bool asGiven = false)
    {
        var norms = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = asGiven ? 1 : 0;
            if (!asGiven)
            {
                foreach (double x in points.Slice(i * dims, dims))
                {
                    s += x * x;
                }
            }
            norms[i] = Math.Sqrt(s);
        }
        var d = new double[(long)n * (n - 1) / 2];
        long p = 0;
        for (int i = 0; i < n; i++)
        {
            var u = points.Slice(i * dims, dims);
            for (int j = i + 1; j < n; j++)
            {
                var v = points.Slice(j * dims, dims);
                double dot = 0;
                for (int k = 0; k < dims; k++)
                {
                    dot += u[k] * v[k];
                }
                double denominator = norms[i] * norms[j];
                // A zero vector has no direction: treat it as unrelated to everything (distance 1).
                d[p++] = denominator > 0 ? Math.Clamp(1 - dot / denominator, 0, 2) : 1;
            }
        }
        return d;
    }
}
