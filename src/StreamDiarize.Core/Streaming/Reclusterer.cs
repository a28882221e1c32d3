// Live re-clustering as a plan: the remembered windows and pre-clusters clustered again, mapped onto the ids in use.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Scoring;

namespace StreamDiarize.Core.Streaming;

/// <summary>
/// Clusters the bounded summary a <see cref="WindowMemory"/> holds (pre-clusters weighted by their windows, active
/// windows one each) in the <see cref="WindowSpace"/> snapshot it takes, splits clusters recursively as the offline
/// default does (<see cref="RecursiveSplitter"/>), maps the result onto the ids in use by maximum overlap
/// (Hungarian), and keeps a point on its old speaker unless its new cluster is clearly nearer
/// (<see cref="OnlineDiarizerOptions.RelabelMargin"/>). It changes nothing but the snapshot: the caller applies the
/// returned <see cref="ReclusterPlan"/>.
/// </summary>
public sealed class Reclusterer
{
    private readonly DefaultDiarizerOptions _stages;
    private readonly OnlineDiarizerOptions _options;
    private readonly SessionOptions _session;
    private readonly WindowSpace _space;
    private readonly IWeightedClusterer _clusterer;
    private readonly RecursiveSplitter? _splitter;
    private readonly double[] _mean;

    /// <param name="splitter">Splits clusters on the windows' splitting statistics; null for none.</param>
    /// <param name="clusterer">Null: average linkage with <see cref="DefaultDiarizerOptions.Clustering"/>.</param>
    public Reclusterer(DefaultDiarizerOptions stages, OnlineDiarizerOptions options, SessionOptions session, WindowSpace space, RecursiveSplitter? splitter,
        IWeightedClusterer? clusterer = null)
    {
        _stages = stages;
        _options = options;
        _session = session;
        _space = space;
        _clusterer = clusterer ?? new AgglomerativeClusterer(stages.Clustering);
        _splitter = splitter;
        _mean = new double[space.Dims];
    }

    /// <summary>The plan for the memory's current contents; new clusters get ids from <paramref name="nextId"/> on, in order.</summary>
    public ReclusterPlan Plan(WindowMemory memory, int nextId)
    {
        var preClusters = memory.PreClusters;
        var windows = memory.Windows;
        // Points: live pre-clusters (weighted) and active windows.
        var members = new List<(int PreCluster, int Window)>();
        for (int p = 0; p < preClusters.Count; p++)
        {
            if (preClusters[p].Sum is not null)
            {
                members.Add((p, -1));
            }
        }
        for (int i = 0; i < windows.Count; i++)
        {
            if (windows[i].PreCluster < 0)
            {
                members.Add((-1, i));
            }
        }
        int n = members.Count;
        if (n == 0)
        {
            return new ReclusterPlan(members, [], 0, [], [], []);
        }
        _space.TakeSnapshot();
        int dims = _space.Dims;
        var points = new double[n * dims];
        var weights = new double[n];
        var current = new int[n];
        var forSplitting = _splitter is null ? null : _space.NewSplitPoints(n);
        var pointOfPreCluster = forSplitting is null ? null : new int[preClusters.Count];
        var windowPoints = forSplitting is null ? null : new int[windows.Count];
        for (int m = 0; m < n; m++)
        {
            var (p, i) = members[m];
            if (forSplitting is not null)
            {
                if (p >= 0)
                {
                    pointOfPreCluster![p] = forSplitting.AddFolded(preClusters[p].Split!);
                }
                else
                {
                    int point = forSplitting.AddWindow(windows[i].Split);
                    windowPoints![i] = windows[i].Split is null ? -1 : point;
                }
            }
            if (p >= 0)
            {
                var pc = preClusters[p];
                pc.MeanInto(_mean, _space.StatsDims);
                _space.Normalise(_mean, points.AsSpan(m * dims, dims));
                weights[m] = pc.Weight;
                current[m] = pc.Speaker;
            }
            else
            {
                _space.Normalise(windows[i].Vector!, points.AsSpan(m * dims, dims));
                weights[m] = 1;
                current[m] = windows[i].Speaker;
            }
        }

        int min = _session.ExactSpeakers ?? _session.MinSpeakers ?? 1;
        int max = _session.ExactSpeakers ?? _session.MaxSpeakers;
        double totalWeight = weights.Sum();
        int[] labels = totalWeight < _stages.Clustering.MinWindowsToCluster && min <= 1
            ? new int[n]
            : _clusterer.ClusterWeighted(points, weights, dims, min, max);
        // The session-level cluster of each point: parts that splitting separates inside one are not told apart by
        // the session's space, so the relabel margin below does not judge moves between them.
        var top = labels;
        if (forSplitting is not null && min < max)
        {
            // Every remembered window, folded or not, in order: what the turn-taking check reads labels along.
            for (int i = 0; i < windows.Count; i++)
            {
                var w = windows[i];
                if (w.PreCluster >= 0)
                {
                    windowPoints![i] = w.HasSplit ? pointOfPreCluster![memory.Resolve(w.PreCluster)] : -1;
                }
            }
            forSplitting.SetWindowPoints(windowPoints!);
            // An exact count is already met; otherwise look for voices inside the clusters, up to the maximum.
            labels = _splitter!.Split(labels, points, dims, weights, forSplitting, max);
        }

        var (newId, added) = MapOntoIds(labels, current, weights, nextId);

        // A point moves to another speaker only when its new cluster is clearly nearer than its old speaker's: points
        // near a boundary would otherwise flip back and forth between re-clusterings, and each flip is a Relabel.
        var proposed = Centroids(points, weights, n, dims, m => newId[labels[m]]);
        var inside = forSplitting is not null && !ReferenceEquals(top, labels) ? new SplitSpaces(forSplitting, top, labels) : null;
        var target = new int[n];
        for (int m = 0; m < n; m++)
        {
            int to = newId[labels[m]];
            int from = current[m];
            if (to != from && proposed.TryGetValue(from, out var old))
            {
                int fromCluster = Array.IndexOf(newId, from);
                bool keep;
                if (inside is not null && inside.Compares(m, labels[m], fromCluster))
                {
                    // Both clusters came out of one session-level cluster: judge the move where splitting told them apart.
                    keep = inside.Distance(m, labels[m]) > inside.Distance(m, fromCluster) - _options.RelabelMargin;
                }
                else
                {
                    var row = points.AsSpan(m * dims, dims);
                    keep = 1 - WindowSpace.Dot(row, proposed[to]) > 1 - WindowSpace.Dot(row, old) - _options.RelabelMargin;
                }
                if (keep)
                {
                    to = from;
                }
            }
            target[m] = to;
        }

        // Where every old id went: an id kept by no point and moved whole into one other is a merge.
        var movedTo = new Dictionary<int, HashSet<int>>();
        for (int m = 0; m < n; m++)
        {
            if (!movedTo.TryGetValue(current[m], out var set))
            {
                movedTo[current[m]] = set = [];
            }
            set.Add(target[m]);
        }
        var survivors = new HashSet<int>(target);
        var merged = new Dictionary<int, int>();
        var gone = new List<int>();
        foreach (var (from, targets) in movedTo)
        {
            if (!survivors.Contains(from))
            {
                gone.Add(from);
                if (targets.Count == 1)
                {
                    merged[from] = targets.First();
                }
            }
        }
        // Centroids of the speakers as applied, in the snapshot's normalised space, for online assignment.
        var centroids = Centroids(points, weights, n, dims, m => target[m]);
        return new ReclusterPlan(members, target, added, merged, gone, centroids);
    }

    /// <summary>
    /// Each new cluster's id: the id in use it overlaps most (Hungarian, by weight), else a new one from
    /// <paramref name="nextId"/> on, so "S2" stays S2.
    /// </summary>
    private static (int[] NewId, int Added) MapOntoIds(int[] labels, int[] current, double[] weights, int nextId)
    {
        int n = labels.Length;
        int clusters = n == 0 ? 0 : labels.Max() + 1;
        var ids = current.Distinct().OrderBy(x => x).ToArray();
        var overlap = new double[clusters, ids.Length];
        for (int m = 0; m < n; m++)
        {
            overlap[labels[m], Array.IndexOf(ids, current[m])] += weights[m];
        }
        var assignment = HungarianAlgorithm.Maximize(overlap);
        var newId = new int[clusters];
        int added = 0;
        for (int c = 0; c < clusters; c++)
        {
            int j = assignment[c];
            newId[c] = j >= 0 && overlap[c, j] > 0 ? ids[j] : -1;
        }
        for (int c = 0; c < clusters; c++)
        {
            if (newId[c] < 0)
            {
                newId[c] = nextId + added++;
            }
        }
        return (newId, added);
    }

    /// <summary>Unit-length weighted mean of the points of each id.</summary>
    private static Dictionary<int, double[]> Centroids(double[] points, double[] weights, int n, int dims, Func<int, int> idOf)
    {
        var result = new Dictionary<int, double[]>();
        for (int m = 0; m < n; m++)
        {
            int id = idOf(m);
            if (!result.TryGetValue(id, out var c))
            {
                result[id] = c = new double[dims];
            }
            var row = points.AsSpan(m * dims, dims);
            for (int k = 0; k < dims; k++)
            {
                c[k] += weights[m] * row[k];
            }
        }
        foreach (var c in result.Values)
        {
            double norm = Math.Sqrt(WindowSpace.Dot(c, c));
            for (int k = 0; k < dims && norm > 0; k++)
            {
                c[k] /= norm;
            }
        }
        return result;
    }
}

/// <summary>
/// What a re-clustering decided: the new speaker of each member (a pre-cluster or an active window, in the order
/// <see cref="Reclusterer.Plan"/> listed them), how many new ids it used, which ids merged whole into another,
/// which are gone, and the centroids for online assignment.
/// </summary>
public sealed record ReclusterPlan(
    List<(int PreCluster, int Window)> Members,
    int[] Targets,
    int NewSpeakers,
    Dictionary<int, int> Merged,
    List<int> Gone,
    Dictionary<int, double[]> Centroids)
{
    /// <summary>Points clustered (the bound the memory keeps).</summary>
    public int Size => Members.Count;
}
