// The space live window vectors are compared in: a z-score with the session's statistics so far, pitch weighted, unit length.
using StreamDiarize.Core.Embedding;

namespace StreamDiarize.Core.Streaming;

/// <summary>
/// Running per-dimension statistics of every window vector of the session, and the snapshot of them taken at each
/// re-clustering: until the next one, online assignment and folding compare vectors in that snapshot's space, so
/// centroids stay valid. A speaker model that asks for no z-score (<see cref="IWindowEmbedder.ZScoreAcrossWindows"/>)
/// gets the identity.
/// </summary>
public sealed class WindowSpace
{
    private readonly double[] _sum;
    private readonly double[] _squares;
    private readonly long[] _counts;
    private readonly double[] _mean;
    private readonly double[] _scale;
    private readonly bool _zScore;
    private readonly double _pitchWeight;

    /// <param name="statsDims">Dimensions before the pitch pair (the MFCC statistics, or the embedding).</param>
    /// <param name="pitchDims">0, or 2 for the log-F0 mean and deviation.</param>
    public WindowSpace(int statsDims, int pitchDims, bool zScore, double pitchWeight, double epsilon)
    {
        StatsDims = statsDims;
        PitchDims = pitchDims;
        Dims = statsDims + pitchDims;
        _zScore = zScore;
        _pitchWeight = pitchWeight;
        Epsilon = epsilon;
        _sum = new double[Dims];
        _squares = new double[Dims];
        _counts = new long[Dims];
        _mean = new double[Dims];
        _scale = new double[Dims];
    }

    public int Dims { get; }

    public int StatsDims { get; }

    public int PitchDims { get; }

    public double Epsilon { get; }

    /// <summary>Adds a window's raw vector to the running statistics (NaN pitch values are skipped).</summary>
    public void Add(ReadOnlySpan<double> vector)
    {
        for (int k = 0; k < Dims; k++)
        {
            if (!double.IsNaN(vector[k]))
            {
                _sum[k] += vector[k];
                _squares[k] += vector[k] * vector[k];
                _counts[k]++;
            }
        }
    }

    /// <summary>Fixes the normalisation to the statistics so far.</summary>
    public void TakeSnapshot()
    {
        for (int k = 0; k < Dims; k++)
        {
            if (!_zScore)
            {
                // A speaker model's embeddings are compared as they are: the "snapshot" is the identity.
                _mean[k] = 0;
                _scale[k] = 1;
                continue;
            }
            long n = _counts[k];
            double mean = n > 0 ? _sum[k] / n : 0;
            double variance = n > 0 ? Math.Max(0, _squares[k] / n - mean * mean) : 1;
            _mean[k] = mean;
            _scale[k] = 1 / (Math.Sqrt(variance) + Epsilon);
        }
    }

    /// <summary>A raw vector in the snapshot's space: z-scored, pitch weighted, unit length (plus epsilon).</summary>
    public void Normalise(ReadOnlySpan<double> raw, Span<double> output)
    {
        double norm = 0;
        for (int k = 0; k < Dims; k++)
        {
            double z = (raw[k] - _mean[k]) * _scale[k];
            if (k >= StatsDims)
            {
                // Pitch: a window without enough voiced frames sits at the average (0); the weight sets its say.
                z = double.IsNaN(z) ? 0 : z * _pitchWeight;
            }
            output[k] = z;
            norm += z * z;
        }
        norm = Math.Sqrt(norm) + Epsilon;
        for (int k = 0; k < Dims; k++)
        {
            output[k] /= norm;
        }
    }

    /// <summary>An empty set of splitting points over this space's statistics, for <see cref="Clustering.RecursiveSplitter"/>.</summary>
    public FoldedWindowStatistics NewSplitPoints(int capacity) => new(StatsDims, PitchDims > 0, _pitchWeight, Epsilon, capacity);

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int k = 0; k < a.Length; k++)
        {
            s += a[k] * b[k];
        }
        return s;
    }
}
