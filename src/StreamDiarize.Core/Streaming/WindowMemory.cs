// What a live session remembers of its windows: recent ones whole, older ones folded into pre-clusters, nothing past the horizon.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Embedding;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Streaming;

/// <summary>
/// Windows inside the relabel horizon, oldest first (window <c>i</c> has global index <see cref="Base"/> + i). At
/// most <see cref="OnlineDiarizerOptions.MaxActiveWindows"/> keep their vectors; older ones are folded into
/// pre-clusters of consecutive windows of one speaker (their sums), and pre-clusters are joined when there are more
/// than <see cref="OnlineDiarizerOptions.MaxPreClusters"/>. So re-clustering sees a bounded summary however long the
/// session, and every remembered window still knows its speaker.
/// </summary>
public sealed class WindowMemory : IWindowCentres
{
    private readonly List<LiveWindow> _windows = [];
    private readonly List<PreCluster> _preClusters = [];
    private readonly OnlineDiarizerOptions _options;
    private readonly WindowSpace _space;
    private readonly VectorPool _pool;
    private readonly bool _splitting;
    private readonly double[] _mean;

    /// <param name="splitting">Whether windows carry splitting statistics (pre-clusters then sum them too).</param>
    public WindowMemory(OnlineDiarizerOptions options, WindowSpace space, VectorPool pool, bool splitting)
    {
        _options = options;
        _space = space;
        _pool = pool;
        _splitting = splitting;
        _mean = new double[space.Dims];
    }

    /// <summary>The global index of window 0.</summary>
    public long Base { get; private set; }

    /// <summary>Remembered windows, folded or not.</summary>
    public int Count => _windows.Count;

    /// <summary>Windows that still have their vectors.</summary>
    public int ActiveWindows { get; private set; }

    public IReadOnlyList<LiveWindow> Windows => _windows;

    /// <summary>Pre-clusters; those joined into another (<see cref="PreCluster.Sum"/> null) forward to it until compaction.</summary>
    public IReadOnlyList<PreCluster> PreClusters => _preClusters;

    public long Centre(int window) => _windows[window].Centre;

    public void Add(LiveWindow window)
    {
        _windows.Add(window);
        ActiveWindows++;
    }

    public int SpeakerOf(LiveWindow window) => window.PreCluster >= 0 ? _preClusters[Resolve(window.PreCluster)].Speaker : window.Speaker;

    /// <summary>The speaker of the window with global index <paramref name="window"/>.</summary>
    public int SpeakerAt(long window) => SpeakerOf(_windows[(int)(window - Base)]);

    public int Resolve(int preCluster)
    {
        while (_preClusters[preCluster].ForwardTo >= 0)
        {
            preCluster = _preClusters[preCluster].ForwardTo;
        }
        return preCluster;
    }

    /// <summary>The last window whose centre is before <paramref name="frame"/> (0 when none): where a forward nearest-centre scan starts.</summary>
    public int SearchStart(long frame)
    {
        if (_windows.Count == 0)
        {
            return 0;
        }
        int lo = 0, hi = _windows.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (_windows[mid].Centre < frame)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return Math.Max(0, lo - 1);
    }

    /// <summary>Folds the oldest windows when more than the bound keep their vectors.</summary>
    public void FoldIfFull()
    {
        if (ActiveWindows > _options.MaxActiveWindows)
        {
            FoldOldWindows();
        }
    }

    /// <summary>Forgets folded windows centred before <paramref name="limitFrame"/> whose global index is below <paramref name="oldestNeeded"/>.</summary>
    public void Trim(long limitFrame, long oldestNeeded)
    {
        int drop = 0;
        while (drop < _windows.Count && Base + drop < oldestNeeded && _windows[drop].PreCluster >= 0 && _windows[drop].Centre < limitFrame)
        {
            drop++;
        }
        if (drop > 0)
        {
            _windows.RemoveRange(0, drop);
            Base += drop;
        }
    }

    /// <summary>Folds the oldest half of the active windows into pre-clusters of consecutive windows of one speaker.</summary>
    private void FoldOldWindows()
    {
        int toFold = ActiveWindows - _options.MaxActiveWindows / 2;
        int i = 0;
        while (i < _windows.Count && _windows[i].PreCluster >= 0)
        {
            i++;
        }
        PreCluster? current = null;
        int inCurrent = 0;
        int dims = _space.Dims;
        for (; i < _windows.Count && toFold > 0; i++, toFold--)
        {
            var w = _windows[i];
            if (current is null || current.Speaker != w.Speaker || inCurrent >= _options.WindowsPerPreCluster)
            {
                current = new PreCluster(new double[dims], 0, w.Speaker)
                {
                    Split = _splitting ? new RunningWindowStatistics(dims) : null,
                };
                _preClusters.Add(current);
                inCurrent = 0;
            }
            if (w.Split is not null)
            {
                current.Split!.Add(w.Split);
            }
            for (int k = 0; k < dims; k++)
            {
                // Pitch dimensions are NaN for windows with too little voicing; they are averaged over the others.
                if (!double.IsNaN(w.Vector![k]))
                {
                    current.Sum![k] += w.Vector[k];
                }
            }
            current.Weight++;
            if (_space.PitchDims > 0 && !double.IsNaN(w.Vector![_space.StatsDims]))
            {
                current.PitchWeight++;
            }
            inCurrent++;
            w.PreCluster = _preClusters.Count - 1;
            _pool.Return(w.Vector!);
            if (w.Split is not null && !ReferenceEquals(w.Split, w.Vector))
            {
                _pool.Return(w.Split);
            }
            w.Vector = null;
            // The statistics live on in the pre-cluster's sums; whether there were any is kept for turn-taking.
            w.HasSplit = w.Split is not null;
            w.Split = null;
            ActiveWindows--;
        }
        int live = _preClusters.Count(p => p.Sum is not null);
        if (live > _options.MaxPreClusters)
        {
            CoarsenPreClusters(live);
        }
    }

    /// <summary>
    /// Joins pre-clusters of the same speaker until a quarter fewer remain, most alike first (the smallest merges of
    /// average linkage over each speaker's pre-clusters); then compacts. Joining the closest keeps what later
    /// clustering and splitting can still tell apart: a joined pre-cluster is forced whole into one cluster for good.
    /// Likeness is measured where splitting looks for voices (each speaker's pre-clusters normalised over themselves),
    /// or without splitting in the session's space.
    /// </summary>
    private void CoarsenPreClusters(int live)
    {
        int target = _options.MaxPreClusters * 3 / 4;
        var bySpeaker = new Dictionary<int, List<int>>();
        for (int p = 0; p < _preClusters.Count; p++)
        {
            if (_preClusters[p].Sum is not null)
            {
                if (!bySpeaker.TryGetValue(_preClusters[p].Speaker, out var list))
                {
                    bySpeaker[_preClusters[p].Speaker] = list = [];
                }
                list.Add(p);
            }
        }
        var candidates = new List<(double Distance, int Speaker, int Order)>();
        var dendrograms = new Dictionary<int, AgglomerativeClusterer.Merge[]>();
        foreach (var (speaker, list) in bySpeaker)
        {
            if (list.Count < 2)
            {
                continue;
            }
            var merges = PreClusterLinkage(list);
            dendrograms[speaker] = merges;
            for (int i = 0; i < merges.Length; i++)
            {
                candidates.Add((merges[i].Distance, speaker, i));
            }
        }
        // The globally smallest merges; average linkage is monotone, so they are a prefix of each speaker's dendrogram.
        candidates.Sort((x, y) => x.Distance != y.Distance ? x.Distance.CompareTo(y.Distance) : x.Speaker != y.Speaker ? x.Speaker.CompareTo(y.Speaker) : x.Order.CompareTo(y.Order));
        var applied = new Dictionary<int, int>();
        for (int i = 0; i < candidates.Count && live > target; i++)
        {
            applied[candidates[i].Speaker] = applied.GetValueOrDefault(candidates[i].Speaker) + 1;
            live--;
        }
        foreach (var (speaker, count) in applied)
        {
            var list = bySpeaker[speaker];
            var groups = AgglomerativeClusterer.Cut(dendrograms[speaker], list.Count, count);
            var keepOf = new Dictionary<int, int>();
            for (int i = 0; i < list.Count; i++)
            {
                if (!keepOf.TryGetValue(groups[i], out int keep))
                {
                    // The earliest pre-cluster of each group takes in the others.
                    keepOf[groups[i]] = list[i];
                    continue;
                }
                _preClusters[keep].Absorb(_preClusters[list[i]], keep);
            }
        }
        // Compact: drop the forwarded entries so the list stays bounded.
        var map = new int[_preClusters.Count];
        var kept = new List<PreCluster>();
        for (int p = 0; p < _preClusters.Count; p++)
        {
            if (_preClusters[p].Sum is not null)
            {
                map[p] = kept.Count;
                kept.Add(_preClusters[p]);
            }
        }
        foreach (var w in _windows)
        {
            if (w.PreCluster >= 0)
            {
                w.PreCluster = map[Resolve(w.PreCluster)];
            }
        }
        _preClusters.Clear();
        _preClusters.AddRange(kept);
    }

    /// <summary>The average-linkage dendrogram of the given pre-clusters (one speaker's), merges by increasing distance.</summary>
    private AgglomerativeClusterer.Merge[] PreClusterLinkage(List<int> list)
    {
        int m = list.Count;
        var weights = new double[m];
        if (_splitting)
        {
            var folded = _space.NewSplitPoints(m);
            var points = new int[m];
            for (int i = 0; i < m; i++)
            {
                points[i] = folded.AddFolded(_preClusters[list[i]].Split!);
                weights[i] = Math.Max(1, _preClusters[list[i]].Split!.Windows);
            }
            return AgglomerativeClusterer.Linkage(folded.Normalise(points), folded.Dims, weights, folded.Similarity);
        }
        int dims = _space.Dims;
        var rows = new double[m * dims];
        for (int i = 0; i < m; i++)
        {
            var pc = _preClusters[list[i]];
            pc.MeanInto(_mean, _space.StatsDims);
            _space.Normalise(_mean, rows.AsSpan(i * dims, dims));
            weights[i] = pc.Weight;
        }
        return AgglomerativeClusterer.Linkage(rows, dims, weights);
    }
}

/// <summary>One live window: its centre frame, its raw vector until folded, and its speaker.</summary>
public sealed class LiveWindow(long centre, double[] vector, int speaker)
{
    public long Centre { get; } = centre;

    /// <summary>Raw [mean, std] of the window's speech frames (or its embedding); null once folded into a pre-cluster.</summary>
    public double[]? Vector { get; set; } = vector;

    /// <summary>Raw statistics for splitting (may be <see cref="Vector"/> itself); null without them or once folded.</summary>
    public double[]? Split { get; set; }

    /// <summary>Whether the window had splitting statistics (set when it is folded and <see cref="Split"/> is dropped).</summary>
    public bool HasSplit { get; set; }

    /// <summary>The speaker while the window is not folded (a folded window's is its pre-cluster's).</summary>
    public int Speaker { get; set; } = speaker;

    public int PreCluster { get; set; } = -1;
}

/// <summary>Consecutive windows of one speaker folded into sums.</summary>
public sealed class PreCluster(double[] sum, double weight, int speaker)
{
    /// <summary>Sum of the windows' raw vectors; null once joined into another pre-cluster.</summary>
    public double[]? Sum { get; set; } = sum;

    /// <summary>Sums of the windows' splitting statistics; null when splitting is off.</summary>
    public RunningWindowStatistics? Split { get; init; }

    public double Weight { get; set; } = weight;

    /// <summary>Windows that had pitch statistics (the pitch dimensions of <see cref="Sum"/> add only those).</summary>
    public double PitchWeight { get; set; }

    public int Speaker { get; set; } = speaker;

    public int ForwardTo { get; set; } = -1;

    /// <summary>The mean raw vector (NaN pitch when no window had pitch statistics).</summary>
    public void MeanInto(Span<double> mean, int statsDims)
    {
        for (int k = 0; k < mean.Length; k++)
        {
            double weight = k < statsDims ? Weight : PitchWeight;
            mean[k] = weight > 0 ? Sum![k] / weight : double.NaN;
        }
    }

    /// <summary>Takes in <paramref name="other"/>, which then forwards to this one (at index <paramref name="index"/>).</summary>
    public void Absorb(PreCluster other, int index)
    {
        for (int k = 0; k < Sum!.Length; k++)
        {
            Sum[k] += other.Sum![k];
        }
        Weight += other.Weight;
        PitchWeight += other.PitchWeight;
        Split?.Add(other.Split!);
        other.Sum = null;
        other.ForwardTo = index;
    }
}
