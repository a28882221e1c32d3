// Agglomerative clustering of full-covariance Gaussians by the Bayesian information criterion (ΔBIC).
namespace StreamDiarize.Core.Clustering;

/// <summary>
/// Each item is a set of frames summarised by <see cref="GaussianStats"/>. The pair whose union costs the least
/// likelihood, against a model-size penalty, merges first, until every merge would cost more than the penalty
/// (ΔBIC &gt; 0): that decides the speaker count from the data, with no threshold on a distance scale. The
/// log-likelihood ratio is invariant to any linear transform of the features, so no per-file normalisation (which a
/// dominant speaker would swamp) is needed. Pure: no I/O, no state between calls.
/// </summary>
public static class BicClusterer
{
    /// <summary>
    /// ΔBIC of merging <paramref name="a"/> and <paramref name="b"/>: ½(n log|Σ| − nₐ log|Σₐ| − n_b log|Σ_b|) − λ P log n,
    /// with P = ½(d + d(d+1)/2) parameters. Negative means one Gaussian explains both sets better.
    /// </summary>
    public static double DeltaBic(GaussianStats a, double costA, GaussianStats b, double costB, double lambda, ReadOnlySpan<double> floor, Span<double> scratch)
    {
        double n = a.Count + b.Count;
        double merged = GaussianStats.CostOfUnion(a, b, floor, scratch);
        return 0.5 * (merged - costA - costB) - lambda * Penalty(a.Dims, floor.Length > a.Dims) * Math.Log(n);
    }

    /// <summary>Half the free parameters of a full-covariance Gaussian in <paramref name="dims"/> dimensions (and of the one-dimensional one beside it).</summary>
    public static double Penalty(int dims, bool aux = false) => 0.5 * (dims + dims * (dims + 1) / 2.0 + (aux ? 2 : 0));

    /// <summary>
    /// Clusters <paramref name="items"/> (left unchanged) and returns a label per item, numbered from 0 by first appearance.
    /// The count stops where no merge has ΔBIC &lt;= 0, clamped to <paramref name="limits"/>.
    /// </summary>
    public static int[] Cluster(IReadOnlyList<GaussianStats> items, double lambda, ReadOnlySpan<double> floor, ClusterCountLimits limits) =>
        ClusterWithAnchors(items, [], lambda, floor, limits);

    /// <summary>Fills <paramref name="labels"/> with each item's root in the merge forest, numbered by first appearance.</summary>
    private static int[] RootLabels(int[] parent, int[] labels)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            int r = i;
            while (parent[r] != r)
            {
                r = parent[r];
            }
            labels[i] = r;
        }
        LabelNumbering.ByFirstAppearance(labels);
        return labels;
    }

    /// <summary>Known voices considered at most: the ones some item would merge with most readily.</summary>
    public const int MaxAnchors = 32;

    /// <summary>
    /// As <see cref="Cluster"/>, with known voices (enrolled profiles) as anchors: an item may merge with an anchor as
    /// with another item, but two groups holding different anchors never merge (cannot-link). Two enrolled voices are so
    /// never merged into one speaker, and parts of one enrolled voice join through its anchor. Only anchors that some
    /// item would merge with (ΔBIC &lt;= 0), at most <see cref="MaxAnchors"/>, take part; the count limits apply to the
    /// groups that hold items. Returns a label per item, numbered from 0 by first appearance.
    /// </summary>
    /// <param name="newVoice">Live only: the weight for a voice that joined lately, with <paramref name="itemSegments"/>; null for none.</param>
    /// <param name="itemSegments">Per item, the start frame and frames of each segment it holds (for <paramref name="newVoice"/>).</param>
    public static int[] ClusterWithAnchors(IReadOnlyList<GaussianStats> items, IReadOnlyList<GaussianStats> anchors, double lambda,
        ReadOnlySpan<double> floor, ClusterCountLimits limits, NewVoiceRule? newVoice = null, IReadOnlyList<(long Start, double Frames)>[]? itemSegments = null)
    {
        int m = items.Count;
        if (m == 0)
        {
            return [];
        }
        int d = items[0].Dims;
        var scratch = new double[d * d];
        var itemCost = new double[m];
        for (int i = 0; i < m; i++)
        {
            itemCost[i] = items[i].Cost(floor, scratch);
        }
        // The anchors that some item would merge with, most readily first.
        var candidates = new List<(int Anchor, double Best, double Cost)>();
        for (int k = 0; k < anchors.Count; k++)
        {
            if (anchors[k].Dims != d || anchors[k].Count <= 0)
            {
                continue;
            }
            double cost = anchors[k].Cost(floor, scratch);
            double best = double.PositiveInfinity;
            for (int i = 0; i < m; i++)
            {
                best = Math.Min(best, DeltaBic(items[i], itemCost[i], anchors[k], cost, lambda, floor, scratch));
            }
            if (best <= 0)
            {
                candidates.Add((k, best, cost));
            }
        }
        candidates.Sort((x, y) => x.Best.CompareTo(y.Best));
        if (candidates.Count > MaxAnchors)
        {
            candidates.RemoveRange(MaxAnchors, candidates.Count - MaxAnchors);
        }

        int n = m + candidates.Count;
        var groups = new GaussianStats[n];
        var cost2 = new double[n];
        var anchorOf = new int[n];
        var hasItems = new bool[n];
        var active = new bool[n];
        var parent = new int[n];
        for (int i = 0; i < n; i++)
        {
            bool item = i < m;
            groups[i] = item ? items[i].Clone() : anchors[candidates[i - m].Anchor].Clone();
            cost2[i] = item ? itemCost[i] : candidates[i - m].Cost;
            anchorOf[i] = item ? -1 : i - m;
            hasItems[i] = item;
            active[i] = true;
            parent[i] = i;
        }
        var dist = new double[(long)n * n];
        var floorCopy = floor.ToArray();
        // The new-voice rule's state per group: the first frame of its items' speech and the items it holds (an anchor,
        // a known voice, has neither).
        var rule = newVoice is not null && itemSegments is not null && itemSegments.Length == m ? newVoice : null;
        var firstStart = new long[n];
        var members = new List<int>?[n];
        if (rule is not null)
        {
            for (int i = 0; i < n; i++)
            {
                firstStart[i] = long.MaxValue;
                members[i] = i < m ? [i] : [];
                if (i < m)
                {
                    foreach (var (start, _) in itemSegments![i])
                    {
                        firstStart[i] = Math.Min(firstStart[i], start);
                    }
                }
            }
        }
        double Pair(int i, int j) => anchorOf[i] >= 0 && anchorOf[j] >= 0 && anchorOf[i] != anchorOf[j]
            ? double.PositiveInfinity
            : DeltaBic(groups[i], cost2[i], groups[j], cost2[j], rule is null ? lambda : PairLambda(i, j), floorCopy, scratch);
        // A group of a voice that joined lately is judged at the rule's weight against an established group that went on
        // speaking after it began; a group that fell silent when it began may be the same voice sounding different.
        double PairLambda(int i, int j)
        {
            if (!hasItems[i] || !hasItems[j])
            {
                return lambda;
            }
            // One young group (NewVoiceRule.IsYoung) against one established group: older speech and at least MaxFrames.
            var (young, old) = firstStart[i] >= rule!.RecentFrom ? (i, j) : (j, i);
            if (!rule.IsYoung(firstStart[young], groups[young].Count) || firstStart[old] >= rule.RecentFrom || groups[old].Count < rule.MaxFrames)
            {
                return lambda;
            }
            double since = 0;
            foreach (int item in members[old]!)
            {
                foreach (var (start, frames) in itemSegments![item])
                {
                    since += start >= firstStart[young] ? frames : 0;
                }
            }
            return since >= groups[young].Count ? Math.Min(lambda, rule.Lambda) : lambda;
        }
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                dist[(long)i * n + j] = dist[(long)j * n + i] = Pair(i, j);
            }
        }
        int groupsWithItems = m;
        int min = Math.Max(1, limits.Min);
        int max = limits.Max ?? int.MaxValue;
        var refused = new HashSet<long>();
        while (true)
        {
            // The cheapest allowed merge; above the count limit, the cheapest merge of two groups that hold items.
            bool mustMerge = groupsWithItems > max;
            int a = -1, b = -1;
            double bestValue = double.PositiveInfinity;
            for (int i = 0; i < n; i++)
            {
                for (int j = i + 1; j < n && active[i]; j++)
                {
                    double v = dist[(long)i * n + j];
                    bool bothItems = hasItems[i] && hasItems[j];
                    if (!active[j] || double.IsPositiveInfinity(v) || refused.Contains((long)i * n + j) || (mustMerge && !bothItems) || v >= bestValue)
                    {
                        continue;
                    }
                    bestValue = v;
                    a = i;
                    b = j;
                }
            }
            if (a < 0 || (bestValue > 0 && !mustMerge))
            {
                break;
            }
            if (hasItems[a] && hasItems[b] && groupsWithItems <= min)
            {
                refused.Add((long)a * n + b);
                continue;
            }
            if (hasItems[a] && hasItems[b])
            {
                groupsWithItems--;
            }
            groups[a].Add(groups[b]);
            cost2[a] = groups[a].Cost(floor, scratch);
            anchorOf[a] = Math.Max(anchorOf[a], anchorOf[b]);
            if (rule is not null)
            {
                firstStart[a] = Math.Min(firstStart[a], firstStart[b]);
                members[a]!.AddRange(members[b]!);
            }
            hasItems[a] |= hasItems[b];
            active[b] = false;
            parent[b] = a;
            for (int j = 0; j < n; j++)
            {
                if (active[j] && j != a)
                {
                    dist[(long)Math.Min(a, j) * n + Math.Max(a, j)] = Pair(a, j);
                }
            }
        }
        return RootLabels(parent, new int[m]);
    }
}

/// <summary>
/// A live session's weight for a voice that joined lately (docs/ACCURACY.md, round 20): a group whose speech all began at
/// or after <see cref="RecentFrom"/> (a frame), while it holds less than <see cref="MaxFrames"/>, is judged at ΔBIC weight
/// <see cref="Lambda"/> (when lower than the clustering's) against a group of at least <see cref="MaxFrames"/> that spoke
/// at least as much as it since it began. <see cref="SegmentStarts"/> holds each clustered segment's start frame.
/// </summary>
public sealed record NewVoiceRule(double Lambda, double MaxFrames, long RecentFrom, long[] SegmentStarts)
{
    /// <summary>Whether a group of <paramref name="frames"/> whose earliest segment starts at <paramref name="firstStart"/> is one the rule applies to.</summary>
    public bool IsYoung(long firstStart, double frames) => firstStart >= RecentFrom && frames < MaxFrames;
}
