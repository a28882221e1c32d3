// The window statistics before the session normalisation, so that any subset of windows can be normalised on its own.
namespace StreamDiarize.Core.Embedding;

/// <summary>
/// Per-window MFCC statistics (mean and deviation of the CMVN'd coefficients) and, optionally, the two log-F0
/// statistics (NaN where a window had too few voiced frames), exactly as <see cref="WindowStatsEmbedder"/> made them
/// before the z-score across windows. <see cref="Normalise"/> applies that z-score, the pitch weight and the L2
/// normalisation over any subset of rows: over all rows it gives the embedder's output, over one cluster's rows it
/// gives the space in which <see cref="Clustering.RecursiveSplitter"/> looks for speakers inside that cluster.
/// Immutable and thread-safe.
/// </summary>
public sealed class WindowStatistics : ISplitPoints
{
    private readonly double[] mfcc;
    private readonly double[]? pitch;
    private readonly int[] windowPoints;

    /// <param name="mfcc">count x dims, row-major.</param>
    /// <param name="dims">MFCC statistics per window.</param>
    /// <param name="pitch">count x 2 (mean and std of log F0, NaN when unknown), or null without pitch dimensions.</param>
    /// <param name="pitchWeight">Scale of the z-scored pitch pair.</param>
    /// <param name="epsilon">Added to deviations and norms.</param>
    public WindowStatistics(double[] mfcc, int dims, double[]? pitch, double pitchWeight, double epsilon)
    {
        if (dims < 1 || mfcc.Length % dims != 0)
        {
            throw new ArgumentException($"{mfcc.Length} values do not split into rows of {dims}.", nameof(mfcc));
        }
        Count = mfcc.Length / dims;
        if (pitch is not null && pitch.Length != Count * PitchPair)
        {
            throw new ArgumentException($"Pitch has {pitch.Length} values for {Count} windows; expected {Count * PitchPair}.", nameof(pitch));
        }
        this.mfcc = mfcc;
        this.pitch = pitch;
        MfccDims = dims;
        windowPoints = new int[Count];
        for (int w = 0; w < Count; w++)
        {
            windowPoints[w] = HasRow(w) ? w : -1;
        }
        PitchWeight = pitchWeight;
        Epsilon = epsilon;
    }

    private const int PitchPair = 2;

    public int Count { get; }

    public int MfccDims { get; }

    public double PitchWeight { get; }

    public double Epsilon { get; }

    /// <summary>Length of a normalised row: the MFCC statistics plus the pitch pair when there is one.</summary>
    public int Dims => MfccDims + (pitch is null ? 0 : PitchPair);

    /// <summary>
    /// The embeddings of <paramref name="rows"/> (in that order), normalised over those rows only: each MFCC statistic
    /// z-scored, the pitch pair z-scored over the rows that have it (0 for the others) and scaled by the weight, then
    /// each row scaled to unit length.
    /// </summary>
    public double[] Normalise(ReadOnlySpan<int> rows)
    {
        int n = rows.Length;
        var stats = new double[(long)n * MfccDims];
        for (int r = 0; r < n; r++)
        {
            mfcc.AsSpan(rows[r] * MfccDims, MfccDims).CopyTo(stats.AsSpan(r * MfccDims, MfccDims));
        }
        if (pitch is null)
        {
            WindowStatsEmbedder.NormaliseAcrossWindows(stats, n, MfccDims, Epsilon);
            return stats;
        }
        var pair = new double[n * PitchPair];
        for (int r = 0; r < n; r++)
        {
            pair[r * PitchPair] = pitch[rows[r] * PitchPair];
            pair[r * PitchPair + 1] = pitch[rows[r] * PitchPair + 1];
        }
        WindowStatsEmbedder.ZScore(stats, n, MfccDims, Epsilon);
        WindowStatsEmbedder.ZScore(pair, n, PitchPair, Epsilon);
        int all = Dims;
        var joined = new double[(long)n * all];
        for (int r = 0; r < n; r++)
        {
            stats.AsSpan(r * MfccDims, MfccDims).CopyTo(joined.AsSpan(r * all, MfccDims));
            for (int k = 0; k < PitchPair; k++)
            {
                double x = pair[r * PitchPair + k];
                joined[r * all + MfccDims + k] = double.IsNaN(x) ? 0 : x * PitchWeight;
            }
        }
        WindowStatsEmbedder.NormaliseLengths(joined, n, all, Epsilon);
        return joined;
    }

    /// <summary>False for a window without statistics (too few usable frames; NaN row): it cannot be normalised.</summary>
    public bool HasRow(int window) => !double.IsNaN(mfcc[window * MfccDims]);

    /// <summary>1 for a window with statistics, 0 without.</summary>
    public int SplitWindows(int point) => HasRow(point) ? 1 : 0;

    /// <summary>Every row is one window's, of unit length.</summary>
    public Clustering.RowSimilarity Similarity => Clustering.RowSimilarity.Cosine;

    /// <summary>Each point is one window: its own index, or -1 without statistics.</summary>
    public ReadOnlySpan<int> WindowPoints => windowPoints;

    /// <summary>All rows normalised together: the session's embeddings.</summary>
    public double[] NormaliseAll()
    {
        var rows = new int[Count];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = i;
        }
        return Normalise(rows);
    }
}
