// The live diarizer's points for splitting: single windows and pre-clusters (sums over runs of windows), normalised
// over any subset exactly as the windows they hold would be.
namespace StreamDiarize.Core.Embedding;

/// <summary>
/// Raw window statistics (as <see cref="WindowStatistics"/> keeps them: MFCC statistics, then optionally the log-F0
/// pair, NaN where unknown) held as per-point sums, sums of squares and counts. <see cref="Normalise"/> z-scores each
/// dimension over the windows of the chosen points (weighted by their counts: a pre-cluster of eight windows weighs
/// eight), so a subset's normalisation is that of the windows it stands for; a pre-cluster's row is its windows' mean,
/// normalised. Add the points, then say which point holds each window (<see cref="SetWindowPoints"/>).
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
    private int[] windowPoints = [];

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
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count { get; private set; }

    public int Dims => dims;

    /// <summary>Adds one window with its raw statistics (empty when it has none for splitting); returns its point index.</summary>
    public int AddWindow(ReadOnlySpan<double> raw)
    {
        int p = Next();
        if (raw.IsEmpty)
        {
            return p;
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
        return p;
    }

    /// <summary>Adds the sums of a folded group of windows; returns its point index.</summary>
    public int AddFolded(RunningWindowStatistics folded)
    {
        if (folded.Sum.Length != dims)
        {
            throw new ArgumentException($"A folded group has {folded.Sum.Length} statistics; this set holds {dims}.", nameof(folded));
        }
        int p = Next();
        folded.Sum.CopyTo(sums.AsSpan(p * dims, dims));
        folded.Squares.CopyTo(squares.AsSpan(p * dims, dims));
        folded.Counts.CopyTo(counts.AsSpan(p * dims, dims));
        return p;
    }

    private int Next()
    {
        if (Count == Capacity)
        {
            throw new InvalidOperationException($"This set holds at most {Capacity} points.");
        }
        return Count++;
    }

    /// <summary>The point's windows with MFCC statistics (the count of the first dimension).</summary>
    public int SplitWindows(int point) => counts[point * dims];

    public ReadOnlySpan<int> WindowPoints => windowPoints;

    /// <summary>
    /// For each window the session remembers, in time order: the point holding it (as <see cref="AddWindow"/> or
    /// <see cref="AddFolded"/> returned), or -1 for a window without splitting statistics. Kept, not copied.
    /// </summary>
    public void SetWindowPoints(int[] points)
    {
        foreach (int p in points)
        {
            if (p < -1 || p >= Count)
            {
                throw new ArgumentOutOfRangeException(nameof(points), p, $"A window's point must be -1 or one of the {Count} points.");
            }
        }
        windowPoints = points;
    }

    /// <summary>Rows are means of unit rows: compare them by their dot product.</summary>
    public Clustering.RowSimilarity Similarity => Clustering.RowSimilarity.DotProduct;

    /// <summary>
    /// A single window's row is its unit row, as <see cref="WindowStatistics.Normalise"/> gives it. A folded point's
    /// row is the mean of its windows' z-scored rows divided by their root-mean-square length, computed exactly from
    /// the sums: the mean of the windows' unit rows when their lengths are alike (z-scored rows of some forty
    /// statistics differ in length by about a tenth). So the dot product of two rows is about the mean cosine
    /// similarity between their windows, and a group of eight windows is no tighter a point than its windows are.
    /// </summary>
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
            int windows = counts[p * dims];
            if (windows == 0)
            {
                continue;
            }
            var row = rows.AsSpan(r * dims, dims);
            double squaredLengths = 0;
            for (int k = 0; k < dims; k++)
            {
                int c = counts[p * dims + k];
                double s = sums[p * dims + k];
                // Pitch: a window without voiced frames sits at the average (0); the weight sets the pair's say.
                double a = scale[k] * (k >= mfccDims ? pitchWeight : 1);
                // Sum over the windows of z and of z squared (windows without this statistic add 0 to both).
                row[k] = (s - c * mean[k]) * a / windows;
                squaredLengths += a * a * Math.Max(0, squares[p * dims + k] - 2 * mean[k] * s + c * mean[k] * mean[k]);
            }
            double inv = 1.0 / (Math.Sqrt(squaredLengths / windows) + epsilon);
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
