// The live diarizer's points for splitting: single windows and pre-clusters (sums over runs of windows), normalised
// over any subset exactly as the windows they hold would be.
namespace StreamDiarize.Core.Embedding;

/// <summary>
/// Raw window statistics (as <see cref="WindowStatistics"/> keeps them: MFCC statistics, then optionally the log-F0
/// pair, NaN where unknown) held as per-point sums, sums of squares and counts. <see cref="Normalise"/> z-scores each
/// dimension over the windows of the chosen points (weighted by their counts: a pre-cluster of eight windows weighs
/// eight), so a subset's normalisation is that of the windows it stands for; a pre-cluster's row is its windows' mean,
/// normalised. Add the points in the session's order of windows.
/// </summary>
public sealed class FoldedWindowStatistics : ISplitPoints
{
    private const int PitchPair = 2;

    private readonly int dims;
    private readonly int mfccDims;
    private readonly double pitchWeight;
    private readonly double epsilon;
    private readonly double[] sums;
    private readonly double[] squares;
    private readonly int[] counts;
    private readonly long[] first;
    private readonly long[] last;
    private readonly int[] runs;

    /// <param name="mfccDims">MFCC statistics per window.</param>
    /// <param name="withPitch">Whether the log-F0 pair follows them.</param>
    /// <param name="pitchWeight">Scale of the z-scored pitch pair.</param>
    /// <param name="epsilon">Added to deviations and norms.</param>
    /// <param name="capacity">Most points this set will hold.</param>
    public FoldedWindowStatistics(int mfccDims, bool withPitch, double pitchWeight, double epsilon, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mfccDims, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        this.mfccDims = mfccDims;
        dims = mfccDims + (withPitch ? PitchPair : 0);
        this.pitchWeight = pitchWeight;
        this.epsilon = epsilon;
        sums = new double[(long)capacity * dims];
        squares = new double[(long)capacity * dims];
        counts = new int[(long)capacity * dims];
        first = new long[capacity];
        last = new long[capacity];
        runs = new int[capacity];
    }

    public int Count { get; private set; }

    public int Dims => dims;

    /// <summary>Adds one window with its raw statistics; empty when it has none for splitting.</summary>
    public void AddWindow(ReadOnlySpan<double> raw, long window)
    {
        int p = Next(window, window);
        if (raw.IsEmpty)
        {
            return;
        }
        if (raw.Length != dims)
        {
            throw new ArgumentException($"A window has {raw.Length} statistics; this set holds {dims}.", nameof(raw));
        }
        for (int k = 0; k < dims; k++)
        {
            double x = raw[k];
            if (!double.IsNaN(x))
            {
                sums[p * dims + k] = x;
                squares[p * dims + k] = x * x;
                counts[p * dims + k] = 1;
            }
        }
        runs[p] = 1;
    }

    /// <summary>Adds a folded run of windows; <paramref name="extentFirst"/> and <paramref name="extentLast"/> place it when it holds no window with statistics.</summary>
    public void AddFolded(RunningWindowStatistics folded, long extentFirst, long extentLast)
    {
        if (folded.Windows == 0)
        {
            Next(extentFirst, extentLast);
            return;
        }
        if (folded.Sum.Length != dims)
        {
            throw new ArgumentException($"A folded run has {folded.Sum.Length} statistics; this set holds {dims}.", nameof(folded));
        }
        int p = Next(folded.FirstWindow, folded.LastWindow);
        folded.Sum.CopyTo(sums.AsSpan(p * dims, dims));
        folded.Squares.CopyTo(squares.AsSpan(p * dims, dims));
        folded.Counts.CopyTo(counts.AsSpan(p * dims, dims));
        runs[p] = folded.Runs;
    }

    private int Next(long firstWindow, long lastWindow)
    {
        if (Count == first.Length)
        {
            throw new InvalidOperationException($"This set holds at most {first.Length} points.");
        }
        int p = Count++;
        first[p] = firstWindow;
        last[p] = lastWindow;
        return p;
    }

    /// <summary>The point's windows with MFCC statistics (the count of the first dimension).</summary>
    public int SplitWindows(int point) => counts[point * dims];

    public long FirstWindow(int point) => first[point];

    public long LastWindow(int point) => last[point];

    public int Runs(int point) => Math.Max(1, runs[point]);

    public double[] Normalise(ReadOnlySpan<int> points)
    {
        int n = points.Length;
        Span<double> mean = stackalloc double[dims];
        Span<double> scale = stackalloc double[dims];
        ZScoreOver(points, mean, scale);
        var rows = new double[(long)n * dims];
        for (int r = 0; r < n; r++)
        {
            int p = points[r];
            var row = rows.AsSpan(r * dims, dims);
            double norm = 0;
            for (int k = 0; k < dims; k++)
            {
                int c = counts[p * dims + k];
                double z = c > 0 ? (sums[p * dims + k] / c - mean[k]) * scale[k] : double.NaN;
                if (k >= mfccDims)
                {
                    // Pitch: a point without voiced windows sits at the average (0); the weight sets the pair's say.
                    z = double.IsNaN(z) ? 0 : z * pitchWeight;
                }
                row[k] = z;
                norm += z * z;
            }
            double inv = 1.0 / (Math.Sqrt(norm) + epsilon);
            for (int k = 0; k < dims; k++)
            {
                row[k] *= inv;
            }
        }
        return rows;
    }

    /// <summary>
    /// Mean and inverse deviation (population, plus epsilon) of each dimension over the windows of <paramref name="points"/>:
    /// the z-score that <see cref="WindowStatistics.Normalise"/> applies to those windows one by one.
    /// </summary>
    public void ZScoreOver(ReadOnlySpan<int> points, Span<double> mean, Span<double> scale)
    {
        for (int k = 0; k < dims; k++)
        {
            double sum = 0, sq = 0;
            long n = 0;
            foreach (int p in points)
            {
                sum += sums[p * dims + k];
                sq += squares[p * dims + k];
                n += counts[p * dims + k];
            }
            double m = n > 0 ? sum / n : 0;
            double variance = n > 0 ? Math.Max(0, sq / n - m * m) : 0;
            mean[k] = m;
            scale[k] = 1.0 / (Math.Sqrt(variance) + epsilon);
        }
    }
}
