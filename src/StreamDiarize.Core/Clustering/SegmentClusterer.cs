// Speaker clustering of phrase segments, each one full-covariance Gaussian: average linkage on their log-likelihood
// ratio, outlier clusters dissolved, then ΔBIC merging of whole clusters decides the count. Shared by offline and live.
namespace StreamDiarize.Core.Clustering;

/// <summary>
/// Why this representation: on real voices, per-window statistics z-scored over the file fail when one speaker
/// dominates (the z-score centres on that speaker), while the likelihood ratio of two Gaussians is invariant to any
/// linear transform of the features, so no session normalisation is needed (research/round4/FINDINGS4.md).
/// Pure and thread-safe: no state between calls.
/// </summary>
public sealed class SegmentClusterer
{
    /// <summary>Clusters before the ΔBIC stage; the average-linkage cut over-clusters on purpose.</summary>
    private const int MaxFirstStageClusters = 64;

    public SegmentClusterer(SegmentClusteringOptions? options = null)
    {
        Options = (options ?? new SegmentClusteringOptions()).Validate();
    }

    public SegmentClusteringOptions Options { get; }

    /// <summary>The covariance floor for a session whose speech frames are summarised by <paramref name="session"/>.</summary>
    public double[] Floor(GaussianStats session)
    {
        var floor = new double[session.Dims + (session.AuxCount > 1 ? 1 : 0)];
        Floor(session, floor);
        return floor;
    }

    /// <summary>
    /// As <see cref="Floor(GaussianStats)"/>, into <paramref name="floor"/> without allocating: its first
    /// <see cref="GaussianStats.Dims"/> entries, and the pitch entry after them if it has room and the session has pitch.
    /// </summary>
    public void Floor(GaussianStats session, Span<double> floor)
    {
        int d = session.Dims;
        double n = Math.Max(1, session.Count);
        for (int k = 0; k < Math.Min(d, floor.Length); k++)
        {
            double mean = session.Sum[k] / n;
            floor[k] = Options.CovarianceFloorFraction * Math.Max(1e-6, session.Scatter[k * d + k] / n - mean * mean);
        }
        if (floor.Length > d && session.AuxCount > 1)
        {
            double mean = session.AuxSum / session.AuxCount;
            floor[d] = Options.CovarianceFloorFraction * Math.Max(1e-6, session.AuxSquares / session.AuxCount - mean * mean);
        }
    }

    /// <summary>Per-frame log-likelihood ratio of modelling two sets apart rather than together: ½(cost(a ∪ b) − cost(a) − cost(b)) / n.</summary>
    public static double Distance(GaussianStats a, double costA, GaussianStats b, double costB, ReadOnlySpan<double> floor, Span<double> scratch)
    {
        double n = a.Count + b.Count;
        return 0.5 * (GaussianStats.CostOfUnion(a, b, floor, scratch) - costA - costB) / n;
    }

    /// <summary>
    /// Condensed (scipy pdist layout) distances between every pair of <paramref name="segments"/>, on all cores.
    /// </summary>
    public static double[] Distances(IReadOnlyList<GaussianStats> segments, IReadOnlyList<double> costs, double[] floor)
    {
        int n = segments.Count;
        var dist = new double[Math.Max(0, (long)n * (n - 1) / 2)];
        if (n < 2)
        {
            return dist;
        }
        int d = segments[0].Dims;
        Parallel.For(0, n, () => new double[d * d], (i, _, scratch) =>
        {
            for (int j = i + 1; j < n; j++)
            {
                dist[AgglomerativeClusterer.Index(i, j, n)] = Distance(segments[i], costs[i], segments[j], costs[j], floor, scratch);
            }
            return scratch;
        }, _ => { });
        return dist;
    }

    /// <summary>
    /// A label per segment (all long enough to cluster), numbered by first appearance. <paramref name="distances"/> are
    /// the condensed pairwise distances if the caller keeps them (live); null computes them. The segments are not
    /// changed; the distances are overwritten only with <paramref name="distancesAreScratch"/> (a caller's reused buffer).
    /// </summary>
    /// <param name="hopSeconds">The segments' frame hop: how much speech they hold decides the ΔBIC weight (<see cref="SegmentClusteringOptions.MergeLambdaFor"/>).</param>
    /// <param name="knownVoices">
    /// Enrolled voices (their Gaussians, as the segments are modelled): the ΔBIC stage keeps them apart and joins the
    /// parts of each (<see cref="BicClusterer.ClusterWithAnchors"/>). Null or empty: none.
    /// </param>
    /// <param name="newVoice">Live only: the ΔBIC stage's weight for a voice that joined lately (<see cref="NewVoiceRule"/>); null for none.</param>
    public int[] Cluster(IReadOnlyList<GaussianStats> segments, double[] floor, ClusterCountLimits limits, double[]? distances = null,
        bool distancesAreScratch = false, double hopSeconds = 0.01, IReadOnlyList<GaussianStats>? knownVoices = null, NewVoiceRule? newVoice = null)
    {
        int n = segments.Count;
        if (newVoice is not null && newVoice.SegmentStarts.Length != n)
        {
            throw new ArgumentException($"The new-voice rule has {newVoice.SegmentStarts.Length} segment starts for {n} segments: give one per segment.", nameof(newVoice));
        }
        if (n < 2)
        {
            return new int[n];
        }
        int d = segments[0].Dims;
        var scratch = new double[d * d];
        var costs = new double[n];
        for (int i = 0; i < n; i++)
        {
            costs[i] = segments[i].Cost(floor, scratch);
        }
        var dist = distances is null ? Distances(segments, costs, floor) : distancesAreScratch ? distances : (double[])distances.Clone();
        var weights = new double[n];
        Array.Fill(weights, 1.0);
        var merges = AgglomerativeClusterer.LinkageOfDistances(dist, n, weights);
        int applied = 0;
        while (applied < merges.Length && merges[applied].Distance <= Options.DistanceThreshold)
        {
            applied++;
        }
        int min = Math.Min(Math.Max(1, limits.Min), n);
        int firstStageMax = Options.MergeLambda > 0 ? MaxFirstStageClusters : limits.Max ?? MaxFirstStageClusters;
        int target = Math.Clamp(n - applied, min, Math.Max(min, Math.Min(firstStageMax, n)));
        var labels = AgglomerativeClusterer.Cut(merges, n, n - target);

        DissolveOutliers(segments, labels, floor, min, hopSeconds);
        var clusters = Pool(segments, labels);
        bool anchored = knownVoices is { Count: > 0 } && Options.MergeLambda > 0;
        double speechFrames = 0;
        foreach (var c in clusters)
        {
            speechFrames += c.Count;
        }
        double lambda = Options.MergeLambdaFor(speechFrames * hopSeconds);
        if (Options.MergeLambda > 0 || (limits.Max is { } max && clusters.Count > max))
        {
            List<(long Start, double Frames)>[]? clusterSegments = null;
            if (newVoice is not null && newVoice.Lambda < lambda)
            {
                // The segments of each first-stage cluster, for the new-voice rule.
                clusterSegments = new List<(long Start, double Frames)>[clusters.Count];
                for (int c = 0; c < clusterSegments.Length; c++)
                {
                    clusterSegments[c] = [];
                }
                for (int i = 0; i < n; i++)
                {
                    clusterSegments[labels[i]].Add((newVoice.SegmentStarts[i], segments[i].Count));
                }
            }
            // Only where the refinement follows (offline): it moves the segments the cores left out.
            var compared = Options.MergeOnCores && Options.ReassignPasses > 0 && !anchored ? Cores(segments, labels, clusters, floor) : clusters;
            var merged = BicClusterer.ClusterWithAnchors(compared, anchored ? knownVoices! : [], lambda, floor, limits, newVoice, clusterSegments);
            for (int i = 0; i < n; i++)
            {
                labels[i] = merged[labels[i]];
            }
        }
        // Not with known voices: their anchors steered the clusters, and the refinement, which does not see them, undid
        // part of it (docs/SPEAKERS.md).
        if (!anchored)
        {
            Refine(segments, labels, floor, min, hopSeconds);
            // Offline only, as the refinement: a cluster of two voices that take turns, which the first stage joined.
            if (Options.SplitHeldOutGain > 0 && Options.ReassignPasses > 0 && Options.MergeLambda > 0
                && SplitByHeldOut(segments, labels, floor, Options.SplitHeldOutGain, Options.SplitWeightFactor * lambda,
                    Options.SplitMinRunShare, limits.Max) > 0)
            {
                Refine(segments, labels, floor, min, hopSeconds);
            }
            // Offline only, as the refinement: a catch-all cluster of odd segments of several voices is not a voice.
            if (Options.DissolveWeightFactor > 0 && Options.ReassignPasses > 0 && Options.MergeLambda > 0
                && DissolveUnsupported(segments, labels, floor, min, Options.DissolveWeightFactor * lambda, Options.DissolveMaxShare) > 0)
            {
                Refine(segments, labels, floor, min, hopSeconds);
            }
        }
        LabelNumbering.ByFirstAppearance(labels);
        return labels;
    }

    /// <summary>
    /// In place, on labels 0..k-1 (segments in time order): each cluster of at least 8 segments is cut in two on its even
    /// segments (average linkage, then each segment to the half that explains it better); the halves must explain the odd
    /// segments better than one Gaussian of the even ones, by more than <paramref name="gainPerFrame"/> nats a frame, and
    /// the same the other way round. Every segment of the cluster then goes to the nearer half found on the even ones; the
    /// split is made if ΔBIC at <paramref name="weight"/> keeps the two apart and, in time, the segments change half at
    /// least <paramref name="minRunShare"/> of the times a random order would. At most <paramref name="max"/> clusters in
    /// all. Returns how many clusters were split. See <see cref="SegmentClusteringOptions.SplitHeldOutGain"/>.
    /// </summary>
    public static int SplitByHeldOut(IReadOnlyList<GaussianStats> segments, int[] labels, double[] floor, double gainPerFrame, double weight,
        double minRunShare, int? max = null)
    {
        int k = 0;
        foreach (int l in labels)
        {
            k = Math.Max(k, l + 1);
        }
        int d = segments[0].Dims;
        var scratch = new double[d * d];
        int clusters = k, splits = 0;
        for (int c = 0; c < k; c++)
        {
            if (max is { } m && clusters >= m)
            {
                break;
            }
            var members = new List<int>();
            for (int i = 0; i < labels.Length; i++)
            {
                if (labels[i] == c)
                {
                    members.Add(i);
                }
            }
            if (members.Count < 8)
            {
                continue;
            }
            // Every other segment: the two parts hold the same turns, so neither is a later stretch of the recording.
            var a = new List<int>();
            var b = new List<int>();
            for (int i = 0; i < members.Count; i++)
            {
                (i % 2 == 0 ? a : b).Add(members[i]);
            }
            var (gainAb, framesB, halvesA) = HeldOutGain(a, b);
            var (gainBa, framesA, _) = HeldOutGain(b, a);
            double perFrame = Math.Min(gainAb / framesB, gainBa / framesA);
            if (halvesA is null || !(perFrame > gainPerFrame))
            {
                continue;
            }
            var costs = new[] { halvesA[0].Cost(floor, scratch), halvesA[1].Cost(floor, scratch) };
            var side = new int[members.Count];
            var h = new[] { new GaussianStats(d), new GaussianStats(d) };
            int[] count = [0, 0];
            int runs = 0;
            for (int i = 0; i < members.Count; i++)
            {
                side[i] = Nearest(halvesA, costs, segments[members[i]], floor, scratch);
                h[side[i]].Add(segments[members[i]]);
                count[side[i]]++;
                runs += i == 0 || side[i] != side[i - 1] ? 1 : 0;
            }
            // Runs of one half in time against the runs a random order would give: two voices take turns; one voice
            // heard in two rooms or through two devices one after the other gives few runs.
            double expected = 1 + 2.0 * count[0] * count[1] / members.Count;
            double bic = h[0].Count > 0 && h[1].Count > 0
                ? BicClusterer.DeltaBic(h[0], h[0].Cost(floor, scratch), h[1], h[1].Cost(floor, scratch), weight, floor, scratch)
                : double.NegativeInfinity;
            if (!(bic > 0) || runs < minRunShare * expected)
            {
                continue;
            }
            for (int i = 0; i < members.Count; i++)
            {
                if (side[i] == 1)
                {
                    labels[members[i]] = clusters;
                }
            }
            clusters++;
            splits++;
        }
        return splits;

        // The part cut in two; the gain (nats) of explaining each of the other part's segments by the better half rather
        // than by the part's one Gaussian, the other part's frames, and the halves (null if the cut left one).
        (double Gain, double Frames, List<GaussianStats>? Halves) HeldOutGain(List<int> part, List<int> other)
        {
            int n = part.Count;
            var sub = new GaussianStats[n];
            var costs = new double[n];
            for (int i = 0; i < n; i++)
            {
                sub[i] = segments[part[i]];
                costs[i] = sub[i].Cost(floor, scratch);
            }
            var merges = AgglomerativeClusterer.LinkageOfDistances(Distances(sub, costs, floor), n, Enumerable.Repeat(1.0, n).ToArray());
            var half = AgglomerativeClusterer.Cut(merges, n, n - 2);
            LabelNumbering.ByFirstAppearance(half);
            // The refinement's passes on the two halves (each segment to the one that explains it better, its own without it).
            for (int pass = 0; pass < 5 && Reassign(sub, half, floor, 2); pass++)
            {
            }
            var halves = Pool(sub, half);
            var whole = new GaussianStats(d);
            foreach (var s in sub)
            {
                whole.Add(s);
            }
            if (halves.Count < 2)
            {
                return (double.NegativeInfinity, 1, null);
            }
            double wholeCost = whole.Cost(floor, scratch);
            var hc = Costs(halves, floor);
            double gain = 0, frames = 0;
            foreach (int j in other)
            {
                var seg = segments[j];
                double one = GaussianStats.CostOfUnion(whole, seg, floor, scratch) - wholeCost;
                double two = Math.Min(GaussianStats.CostOfUnion(halves[0], seg, floor, scratch) - hc[0],
                    GaussianStats.CostOfUnion(halves[1], seg, floor, scratch) - hc[1]);
                gain += 0.5 * (one - two);
                frames += seg.Count;
            }
            return (gain, Math.Max(frames, 1), halves);
        }
    }

    /// <summary>
    /// In place, on labels 0..k-1: while more than <paramref name="min"/> clusters remain, the cluster whose dissolution
    /// has the lowest ΔBIC ≤ 0 (<see cref="DissolveDelta"/>) gives each of its segments to the other cluster that explains
    /// it best. A cluster more than <paramref name="maxShare"/> of whose speech would go to one other cluster is left: whether
    /// those two are one voice is ΔBIC's question, which kept them apart. Returns how many clusters were dissolved.
    /// </summary>
    public static int DissolveUnsupported(IReadOnlyList<GaussianStats> segments, int[] labels, double[] floor, int min, double weight, double maxShare = 1)
    {
        int dissolved = 0;
        var scratch = new double[segments[0].Dims * segments[0].Dims];
        while (true)
        {
            LabelNumbering.ByFirstAppearance(labels);
            var clusters = Pool(segments, labels);
            if (clusters.Count <= Math.Max(1, min))
            {
                return dissolved;
            }
            var costs = Costs(clusters, floor);
            int best = -1;
            double bestDelta = 0;
            for (int c = 0; c < clusters.Count; c++)
            {
                double delta = DissolveDelta(segments, labels, c, clusters, costs, floor, weight, scratch, out double share);
                if (delta <= bestDelta && share <= maxShare)
                {
                    bestDelta = delta;
                    best = c;
                }
            }
            if (best < 0)
            {
                return dissolved;
            }
            var dropped = new bool[clusters.Count];
            dropped[best] = true;
            Drop(segments, labels, clusters, dropped, floor);
            dissolved++;
        }
    }

    /// <summary>
    /// ΔBIC of dissolving cluster <paramref name="c"/>: each of its segments joins the other cluster that explains it best.
    /// ½(Σ_d [cost(d ∪ S_d) − cost(d)] − cost(c)) − weight · P ·
    /// log n, with S_d the segments that go to d and n the frames of c and of the clusters that receive. Negative: the
    /// others explain c's speech better than a Gaussian of its own is worth. +∞ if no other cluster has speech.
    /// <paramref name="largestShare"/> is the share of c's frames the cluster that receives most would take.
    /// </summary>
    public static double DissolveDelta(IReadOnlyList<GaussianStats> segments, ReadOnlySpan<int> labels, int c, IReadOnlyList<GaussianStats> clusters,
        ReadOnlySpan<double> costs, ReadOnlySpan<double> floor, double weight, Span<double> scratch, out double largestShare)
    {
        largestShare = 1;
        int d = segments[0].Dims;
        var received = new GaussianStats?[clusters.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] != c)
            {
                continue;
            }
            int go = Nearest(clusters, costs, segments[i], floor, scratch, exclude: c);
            if (go < 0)
            {
                return double.PositiveInfinity;
            }
            (received[go] ??= new GaussianStats(d)).Add(segments[i]);
        }
        double change = -costs[c];
        double n = clusters[c].Count, most = 0;
        for (int e = 0; e < clusters.Count; e++)
        {
            if (received[e] is { } r)
            {
                change += GaussianStats.CostOfUnion(clusters[e], r, floor, scratch) - costs[e];
                n += clusters[e].Count;
                most = Math.Max(most, r.Count);
            }
        }
        largestShare = most / clusters[c].Count;
        return 0.5 * change - weight * BicClusterer.Penalty(d, floor.Length > d) * Math.Log(n);
    }

    /// <summary>
    /// What the ΔBIC stage compares: each cluster's Gaussian without the segments that another cluster explains better by
    /// more than <see cref="SegmentClusteringOptions.MergeCoreMargin"/> (<see cref="JoinCost"/>, its own cluster taken without
    /// it). The first stage's average linkage files some segments of one voice in another voice's cluster (dev_6spk_20min:
    /// 15 s of LS3080 in LJ's); their frames make the two clusters look alike, and ΔBIC then merged two voices that it keeps
    /// apart on their own speech. A segment that holds at least half of its cluster, or a cluster whose core would hold
    /// less than half of its frames, is taken whole. Labels are not changed: the refinement after ΔBIC moves the segments,
    /// so <see cref="Cluster"/> compares cores only when it refines (offline, without enrolled voices).
    /// </summary>
    public List<GaussianStats> Cores(IReadOnlyList<GaussianStats> segments, ReadOnlySpan<int> labels, IReadOnlyList<GaussianStats> clusters, double[] floor)
    {
        var costs = Costs(clusters, floor);
        int d = segments[0].Dims;
        var scratch = new double[d * d];
        var without = new GaussianStats(d);
        var cores = new List<GaussianStats>(clusters.Count);
        for (int c = 0; c < clusters.Count; c++)
        {
            cores.Add(new GaussianStats(d));
        }
        for (int i = 0; i < labels.Length; i++)
        {
            var seg = segments[i];
            int own = labels[i];
            bool elsewhere = false;
            if (clusters[own].Count - seg.Count >= seg.Count)
            {
                double stay = JoinCost(clusters[own], costs[own], seg, true, without, floor, scratch) - Options.MergeCoreMargin;
                for (int c = 0; c < clusters.Count && !elsewhere; c++)
                {
                    elsewhere = c != own && JoinCost(clusters[c], costs[c], seg, false, without, floor, scratch) < stay;
                }
            }
            if (!elsewhere)
            {
                cores[own].Add(seg);
            }
        }
        for (int c = 0; c < cores.Count; c++)
        {
            if (cores[c].Count < 0.5 * clusters[c].Count)
            {
                cores[c] = clusters[c];
            }
        }
        return cores;
    }

    /// <summary>
    /// In place, on labels 0..k-1: up to <see cref="SegmentClusteringOptions.ReassignPasses"/> passes in which every segment
    /// moves to the cluster that explains it best (its own without it), and clusters left under
    /// <see cref="SegmentClusteringOptions.MinClusterFraction"/> give their segments to the nearest remaining one (while
    /// more than <paramref name="min"/> remain). A mixed cluster, which ΔBIC keeps because its broad Gaussian fits no
    /// single voice, so gives its segments back. Labels come out numbered by first appearance. Returns the passes that
    /// moved a segment.
    /// </summary>
    public int Refine(IReadOnlyList<GaussianStats> segments, int[] labels, double[] floor, int min = 1, double hopSeconds = 0.01)
    {
        int moved = 0;
        for (int pass = 0; pass < Options.ReassignPasses && segments.Count > 1; pass++)
        {
            LabelNumbering.ByFirstAppearance(labels);
            if (!Reassign(segments, labels, floor, min))
            {
                break;
            }
            moved++;
            DissolveOutliers(segments, labels, floor, min, hopSeconds);
        }
        LabelNumbering.ByFirstAppearance(labels);
        return moved;
    }

    /// <summary>
    /// One pass: each segment moves to the cluster whose Gaussian, joined with it, loses the least likelihood; its own
    /// cluster is taken without it (leave one out), and it stays if that cluster would hold less than it. A pass that would
    /// leave fewer than <paramref name="min"/> clusters is not applied. True if any segment moved.
    /// </summary>
    private static bool Reassign(IReadOnlyList<GaussianStats> segments, int[] labels, double[] floor, int min)
    {
        var clusters = Pool(segments, labels);
        var costs = Costs(clusters, floor);
        int d = segments[0].Dims;
        var scratch = new double[d * d];
        var without = new GaussianStats(d);
        var next = (int[])labels.Clone();
        bool moved = false;
        for (int i = 0; i < segments.Count; i++)
        {
            var seg = segments[i];
            int own = labels[i];
            int best = own;
            double bestCost = double.PositiveInfinity;
            for (int c = 0; c < clusters.Count; c++)
            {
                if (c == own && clusters[c].Count - seg.Count < seg.Count)
                {
                    best = own;
                    break;
                }
                double cost = JoinCost(clusters[c], costs[c], seg, c == own, without, floor, scratch);
                if (cost < bestCost)
                {
                    bestCost = cost;
                    best = c;
                }
            }
            next[i] = best;
            moved |= best != own;
        }
        var used = new bool[clusters.Count];
        int kept = 0;
        foreach (int l in next)
        {
            kept += used[l] ? 0 : 1;
            used[l] = true;
        }
        if (!moved || kept < Math.Min(min, clusters.Count))
        {
            return false;
        }
        Array.Copy(next, labels, labels.Length);
        return true;
    }

    /// <summary>
    /// The cost (twice the log-likelihood lost) of joining <paramref name="segment"/> to <paramref name="cluster"/>, whose
    /// own cost is <paramref name="clusterCost"/>; a cluster that <paramref name="holdsIt"/> is taken without it (leave one
    /// out, built in <paramref name="without"/>).
    /// </summary>
    public static double JoinCost(GaussianStats cluster, double clusterCost, GaussianStats segment, bool holdsIt, GaussianStats without,
        ReadOnlySpan<double> floor, Span<double> scratch)
    {
        if (holdsIt)
        {
            without.Clear();
            without.Add(cluster);
            without.Remove(segment);
            cluster = without;
            clusterCost = without.Cost(floor, scratch);
        }
        return GaussianStats.CostOfUnion(cluster, segment, floor, scratch) - clusterCost;
    }

    /// <summary>
    /// The index of the cluster whose Gaussian, joined with <paramref name="segment"/>, loses the least likelihood; with
    /// <paramref name="exclude"/> (a cluster index), the best of the others, or -1 if no other cluster has frames.
    /// </summary>
    public static int Nearest(IReadOnlyList<GaussianStats> clusters, ReadOnlySpan<double> clusterCosts, GaussianStats segment, ReadOnlySpan<double> floor, Span<double> scratch,
        int exclude = -1)
    {
        int best = exclude >= 0 ? -1 : 0;
        double bestCost = double.PositiveInfinity;
        for (int c = 0; c < clusters.Count; c++)
        {
            if (clusters[c].Count <= 0 || c == exclude)
            {
                continue;
            }
            double cost = GaussianStats.CostOfUnion(clusters[c], segment, floor, scratch) - clusterCosts[c];
            if (cost < bestCost)
            {
                bestCost = cost;
                best = c;
            }
        }
        return best;
    }

    /// <summary>Sums the segments of each label (labels 0..k-1) into one Gaussian per cluster.</summary>
    public static List<GaussianStats> Pool(IReadOnlyList<GaussianStats> segments, ReadOnlySpan<int> labels)
    {
        int k = 0;
        foreach (int l in labels)
        {
            k = Math.Max(k, l + 1);
        }
        var clusters = new List<GaussianStats>(k);
        for (int c = 0; c < k; c++)
        {
            clusters.Add(new GaussianStats(segments[0].Dims));
        }
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= 0)
            {
                clusters[labels[i]].Add(segments[i]);
            }
        }
        return clusters;
    }

    /// <summary>The <see cref="GaussianStats.Cost"/> of each cluster.</summary>
    public static double[] Costs(IReadOnlyList<GaussianStats> clusters, ReadOnlySpan<double> floor)
    {
        var scratch = new double[clusters.Count == 0 ? 0 : clusters[0].Dims * clusters[0].Dims];
        var result = new double[clusters.Count];
        for (int c = 0; c < clusters.Count; c++)
        {
            result[c] = clusters[c].Count > 0 ? clusters[c].Cost(floor, scratch) : double.PositiveInfinity;
        }
        return result;
    }

    /// <summary>
    /// In place: clusters holding less than <see cref="SegmentClusteringOptions.MinClusterFraction"/> of the frames (and less
    /// than <see cref="SegmentClusteringOptions.MinClusterSeconds"/> of speech) give
    /// their segments to the nearest remaining cluster (while more than <paramref name="min"/> clusters remain).
    /// Labels come out 0..k-1.
    /// </summary>
    private void DissolveOutliers(IReadOnlyList<GaussianStats> segments, int[] labels, double[] floor, int min, double hopSeconds)
    {
        var clusters = Pool(segments, labels);
        double total = 0;
        foreach (var c in clusters)
        {
            total += c.Count;
        }
        double outlierFrames = Options.MinClusterFraction * total;
        if (Options.MinClusterSeconds > 0)
        {
            outlierFrames = Math.Min(outlierFrames, Options.MinClusterSeconds / hopSeconds);
        }
        var order = new int[clusters.Count];
        for (int c = 0; c < order.Length; c++)
        {
            order[c] = c;
        }
        // Smallest first; never drop below the minimum count or to no cluster at all.
        Array.Sort(order, (a, b) => clusters[a].Count.CompareTo(clusters[b].Count));
        var dropped = new bool[clusters.Count];
        int remaining = clusters.Count;
        foreach (int c in order)
        {
            if (remaining <= Math.Max(1, min) || clusters[c].Count >= outlierFrames)
            {
                break;
            }
            dropped[c] = true;
            remaining--;
        }
        Drop(segments, labels, clusters, dropped, floor);
    }

    /// <summary>
    /// In place: the clusters marked <paramref name="dropped"/> (of <paramref name="clusters"/>, pooled from
    /// <paramref name="labels"/>) are removed, the rest renumbered 0..k-1, and each of the dropped clusters' segments joins
    /// the remaining cluster that explains it best.
    /// </summary>
    private static void Drop(IReadOnlyList<GaussianStats> segments, int[] labels, IReadOnlyList<GaussianStats> clusters, bool[] dropped, double[] floor)
    {
        var kept = new List<GaussianStats>();
        var newIndex = new int[clusters.Count];
        for (int c = 0; c < clusters.Count; c++)
        {
            newIndex[c] = dropped[c] ? -1 : kept.Count;
            if (!dropped[c])
            {
                kept.Add(clusters[c]);
            }
        }
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = newIndex[labels[i]];
        }
        AssignUnlabelled(kept, segments, labels, floor);
    }

    /// <summary>Every segment whose label is negative joins the cluster (of <paramref name="clusters"/>) that explains it best.</summary>
    public static void AssignUnlabelled(IReadOnlyList<GaussianStats> clusters, IReadOnlyList<GaussianStats> segments, Span<int> labels, double[] floor)
    {
        var costs = Costs(clusters, floor);
        var scratch = new double[segments[0].Dims * segments[0].Dims];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0)
            {
                labels[i] = Nearest(clusters, costs, segments[i], floor, scratch);
            }
        }
    }
}
