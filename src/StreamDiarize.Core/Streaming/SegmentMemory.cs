// The live session's bounded memory of phrase segments: their Gaussians, speaker ids and pairwise distances.
using StreamDiarize.Core.Clustering;

namespace StreamDiarize.Core.Streaming;

/// <summary>
/// Up to a fixed number of segments, each in a slot that is reused, with the distance of every pair kept in a slot
/// matrix so that a re-clustering costs no distance computation: a new segment costs one row. When full, the oldest
/// segment of the speaker with most segments is forgotten, so rare voices keep their evidence. The covariance floor
/// is frozen once the session has enough speech, so stored distances stay valid.
/// </summary>
internal sealed class SegmentMemory
{
    /// <summary>Speech (frames) after which the covariance floor no longer follows the session.</summary>
    private const double FreezeFloorFrames = 6000;

    private readonly int _capacity;
    private readonly GaussianStats[] _slots;
    private readonly double[] _costs;
    private readonly int[] _slotLabels;
    private readonly int[] _emitted;
    private readonly long[] _starts;
    private readonly long[] _ends;
    private readonly float[] _distances;
    private readonly double[] _condensed;
    private readonly List<int> _order = [];
    private readonly List<GaussianStats> _segments = [];
    private readonly List<int> _labels = [];
    private readonly Stack<int> _free = new();
    private double[]? _frozenFloor;
    private double[] _floor;

    public SegmentMemory(int capacity, int dims)
    {
        _capacity = capacity;
        _slots = new GaussianStats[capacity];
        _costs = new double[capacity];
        _slotLabels = new int[capacity];
        _emitted = new int[capacity];
        _starts = new long[capacity];
        _ends = new long[capacity];
        _distances = new float[capacity * capacity];
        _condensed = new double[capacity * (capacity - 1) / 2];
        // Large arrays come from fresh, untouched pages that become resident only as segments fill them, so a session's
        // memory would creep up for its first twenty minutes or so. Writing them once makes the session's whole budget
        // (about 7.5 MB at 800 segments) resident from the start: memory is flat while it runs, and capacity planning
        // sees the real cost of a session at once (docs/RELIABILITY.md, soak).
        Array.Fill(_distances, 0f);
        Array.Fill(_condensed, 0.0);
        for (int i = capacity - 1; i >= 0; i--)
        {
            _slots[i] = new GaussianStats(dims);
            _free.Push(i);
        }
        _floor = new double[dims];
    }

    public int Count => _order.Count;

    /// <summary>The remembered segments, oldest first (valid until the next change).</summary>
    public IReadOnlyList<GaussianStats> Segments
    {
        get
        {
            Snapshot();
            return _segments;
        }
    }

    /// <summary>Speaker id of each of <see cref="Segments"/>.</summary>
    public IReadOnlyList<int> Labels
    {
        get
        {
            Snapshot();
            return _labels;
        }
    }

    /// <summary>Frames [Start, End) of segment <paramref name="i"/> of <see cref="Segments"/>.</summary>
    public (long Start, long End) RangeOf(int i) => (_starts[_order[i]], _ends[_order[i]]);

    /// <summary>
    /// Remembers a copy of <paramref name="segment"/> (frames [start, end)), emitted as speaker <paramref name="label"/>;
    /// returns its slot.
    /// </summary>
    public int Add(GaussianStats segment, int label, long start, long end, double[] scratch)
    {
        if (_free.Count == 0)
        {
            Evict();
        }
        int slot = _free.Pop();
        var g = _slots[slot];
        g.Clear();
        g.Add(segment);
        _slotLabels[slot] = label;
        _emitted[slot] = label;
        _starts[slot] = start;
        _ends[slot] = end;
        _costs[slot] = g.Cost(_frozenFloor ?? _floor, scratch);
        foreach (int other in _order)
        {
            float d = (float)SegmentClusterer.Distance(g, _costs[slot], _slots[other], _costs[other], _frozenFloor ?? _floor, scratch);
            _distances[slot * _capacity + other] = d;
            _distances[other * _capacity + slot] = d;
        }
        _order.Add(slot);
        return slot;
    }

    /// <summary>
    /// Takes the session's current floor and returns the floor in force: until it is frozen, the given one, and every
    /// stored distance is recomputed with it; after, the frozen one (which may lack the pitch entry the session has since).
    /// </summary>
    /// <param name="thaw">Whether a frozen floor gives way to the given one (every stored distance recomputed: n² work).</param>
    public double[] Refresh(double[] floor, double[] scratch, bool thaw = false)
    {
        if (thaw)
        {
            _frozenFloor = null;
        }
        if (_frozenFloor is not null)
        {
            return _frozenFloor;
        }
        _floor = (double[])floor.Clone();
        double frames = 0;
        foreach (int slot in _order)
        {
            frames += _slots[slot].Count;
            _costs[slot] = _slots[slot].Cost(_floor, scratch);
        }
        for (int a = 0; a < _order.Count; a++)
        {
            for (int b = a + 1; b < _order.Count; b++)
            {
                int i = _order[a], j = _order[b];
                float d = (float)SegmentClusterer.Distance(_slots[i], _costs[i], _slots[j], _costs[j], _floor, scratch);
                _distances[i * _capacity + j] = d;
                _distances[j * _capacity + i] = d;
            }
        }
        if (frames >= FreezeFloorFrames)
        {
            _frozenFloor = _floor;
        }
        return _floor;
    }

    /// <summary>
    /// The condensed (scipy pdist layout) distances between <see cref="Segments"/>, in their order, in a buffer that
    /// is reused by the next call (so a re-clustering allocates no large array; it may overwrite it).
    /// </summary>
    public double[] CondensedDistances()
    {
        int n = _order.Count;
        var condensed = _condensed;
        int k = 0;
        for (int a = 0; a < n; a++)
        {
            int row = _order[a] * _capacity;
            for (int b = a + 1; b < n; b++)
            {
                condensed[k++] = _distances[row + _order[b]];
            }
        }
        return condensed;
    }

    /// <summary>
    /// Segment i of <see cref="Segments"/> takes id <c>idOf[clusters[i]]</c> where that is not -1, except segments of
    /// the ids <paramref name="keeps"/> holds (dormant ids keep their segments, so a cluster that splits off again with
    /// them maps back onto them).
    /// </summary>
    public void Assign(ReadOnlySpan<int> clusters, ReadOnlySpan<int> idOf, Func<int, bool>? keeps = null)
    {
        for (int i = 0; i < _order.Count; i++)
        {
            int id = idOf[clusters[i]];
            if (id >= 0 && (keeps is null || !keeps(_slotLabels[_order[i]])))
            {
                _slotLabels[_order[i]] = id;
            }
        }
    }

    /// <summary>
    /// The newest remembered segment's range now ends at <paramref name="end"/> (its Gaussian is unchanged), if it is
    /// still the one added at <paramref name="slot"/>.
    /// </summary>
    public void ExtendLast(int slot, long end)
    {
        if (_order.Count > 0 && _order[^1] == slot && _ends[slot] < end)
        {
            _ends[_order[^1]] = end;
        }
    }

    public void Rename(int from, int into)
    {
        foreach (int slot in _order)
        {
            if (_slotLabels[slot] == from)
            {
                _slotLabels[slot] = into;
            }
            if (_emitted[slot] == from)
            {
                _emitted[slot] = into;
            }
        }
    }

    /// <summary>
    /// The remembered segments of cluster <paramref name="cluster"/> that were emitted as another speaker, as
    /// (start, end, emitted id); each is then recorded as emitted as <paramref name="newId"/>. Segments ending at or
    /// before frame <paramref name="endsAfter"/> are left as they were emitted (the relabel horizon), and so is a segment
    /// <paramref name="takeClaimed"/> (index, emitted id) refuses; <paramref name="takeTouching"/> (index) extends the
    /// taken ones along their runs to touching segments of the same emitted id.
    /// </summary>
    public List<(long Start, long End, int From)> Reassign(ReadOnlySpan<int> clusters, int cluster, int newId, long endsAfter,
        Func<int, bool>? takeTouching = null, Func<int, int, bool>? takeClaimed = null)
    {
        var moved = new List<(long, long, int)>();
        var take = new bool[_order.Count];
        for (int i = 0; i < _order.Count; i++)
        {
            int slot = _order[i];
            take[i] = clusters[i] == cluster && _emitted[slot] != newId && _ends[slot] > endsAfter && (takeClaimed?.Invoke(i, _emitted[slot]) ?? true);
        }
        if (takeTouching is not null)
        {
            // Outward from each taken segment along its run: a neighbour whose range touches it, with the same old id.
            for (int i = 0; i < _order.Count; i++)
            {
                if (!take[i] || clusters[i] != cluster)
                {
                    continue;
                }
                for (int step = -1; step <= 1; step += 2)
                {
                    int from = _order[i];
                    for (int j = i + step; j >= 0 && j < _order.Count && !take[j]; j += step)
                    {
                        int slot = _order[j];
                        bool touches = step < 0 ? _ends[slot] == _starts[from] : _starts[slot] == _ends[from];
                        if (!touches || _emitted[slot] != _emitted[_order[i]] || _ends[slot] <= endsAfter || !takeTouching(j))
                        {
                            break;
                        }
                        take[j] = true;
                        from = slot;
                    }
                }
            }
        }
        for (int i = 0; i < _order.Count; i++)
        {
            int slot = _order[i];
            if (take[i])
            {
                moved.Add((_starts[slot], _ends[slot], _emitted[slot]));
                _emitted[slot] = newId;
            }
        }
        return moved;
    }

    private void Snapshot()
    {
        _segments.Clear();
        _labels.Clear();
        foreach (int slot in _order)
        {
            _segments.Add(_slots[slot]);
            _labels.Add(_slotLabels[slot]);
        }
    }

    private void Evict()
    {
        var counts = new Dictionary<int, int>();
        int top = -1;
        foreach (int slot in _order)
        {
            int label = _slotLabels[slot];
            counts[label] = counts.GetValueOrDefault(label) + 1;
            if (top < 0 || counts[label] > counts[top])
            {
                top = label;
            }
        }
        for (int i = 0; i < _order.Count; i++)
        {
            if (_slotLabels[_order[i]] == top)
            {
                _free.Push(_order[i]);
                _order.RemoveAt(i);
                return;
            }
        }
    }
}
