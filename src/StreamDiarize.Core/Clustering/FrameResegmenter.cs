// Offline: frame-level Viterbi resegmentation of the clustered speech with one full-covariance Gaussian per cluster.
using StreamDiarize.Core.Features;

namespace StreamDiarize.Core.Clustering;

/// <summary>
/// After the segments are clustered, every speech frame is labelled again by a Viterbi pass over the clusters' Gaussians
/// (the segments' coefficients, the clustering's covariance floor): staying with a speaker is free, changing costs
/// <c>penalty</c> nats, and across a silence of at least <c>freeGapFrames</c> the speaker may change for nothing. So a
/// segment that holds a change of speaker with no pause between (a phrase cut at its maximum length, a fast reply) is
/// split where the voices change, and a short piece that the segment clustering gave the wrong voice goes back. No
/// cluster is made (one that held only pieces of other voices may lose all its frames, unless that would go below a
/// count the caller was asked for); more than 255 clusters are left as they are; a cluster too small for a
/// covariance (fewer than two frames per dimension) keeps its frames, which the pass treats like silence. Offline only
/// (it needs every frame's cluster model).
/// </summary>
public static class FrameResegmenter
{
    /// <summary>
    /// Relabels <paramref name="labels"/> (per frame, -1 for no speech) in place. <paramref name="floor"/> is added to
    /// each covariance's diagonal (its first <paramref name="dims"/> entries). If the pass would leave fewer than
    /// <paramref name="minClusters"/> clusters with frames (a count the caller was asked for), the labels stay as they
    /// were. Returns how many frames changed speaker.
    /// </summary>
    public static int Apply(int[] labels, FeatureMatrix mfcc, int firstCoefficient, int dims, ReadOnlySpan<double> floor, double penalty, int freeGapFrames, int minClusters = 1)
    {
        int n = Math.Min(labels.Length, mfcc.Frames);
        int k = 0;
        for (int i = 0; i < n; i++)
        {
            k = Math.Max(k, labels[i] + 1);
        }
        if (k < 2 || penalty <= 0 || k > byte.MaxValue)
        {
            return 0;
        }
        var models = Models(labels, mfcc, firstCoefficient, dims, floor, n, k, out var usable);

        // Every frame's log-likelihood under every cluster, on all cores (the Viterbi pass below is sequential).
        var ll = new float[(long)n * k];
        Parallel.For(0, (n + 4095) / 4096, () => new double[dims], (block, _, z) =>
        {
            for (int i = block * 4096, end = Math.Min(n, i + 4096); i < end; i++)
            {
                if (labels[i] < 0 || !usable[labels[i]])
                {
                    continue;
                }
                var row = mfcc.Row(i).Slice(firstCoefficient, dims);
                for (int c = 0; c < k; c++)
                {
                    ll[(long)i * k + c] = usable[c] ? (float)models[c].LogLikelihood(row, z) : float.NegativeInfinity;
                }
            }
            return z;
        }, _ => { });
        var score = new double[k];
        var next = new double[k];
        var from = new byte[(long)n * k];
        int last = -1, gap = 0;
        for (int i = 0; i < n; i++)
        {
            if (labels[i] < 0 || !usable[labels[i]])
            {
                gap++;
                continue;
            }
            long at = (long)i * k;
            if (last < 0 || gap >= freeGapFrames)
            {
                // A run's first frame (after a long enough silence): any speaker, from the best one before.
                int before = last < 0 ? 0 : ArgMax(score);
                for (int c = 0; c < k; c++)
                {
                    next[c] = (last < 0 ? 0 : score[before]) + ll[at + c];
                    from[(long)i * k + c] = (byte)before;
                }
            }
            else
            {
                int best = ArgMax(score);
                for (int c = 0; c < k; c++)
                {
                    double stay = score[c], change = score[best] - penalty;
                    next[c] = (stay >= change ? stay : change) + ll[at + c];
                    from[(long)i * k + c] = (byte)(stay >= change ? c : best);
                }
            }
            // Scores only ever differ by what the path chose; keep them near zero.
            double top = next[ArgMax(next)];
            for (int c = 0; c < k; c++)
            {
                score[c] = next[c] - top;
            }
            last = i;
            gap = 0;
        }
        if (last < 0)
        {
            return 0;
        }
        var result = (int[])labels.Clone();
        int state = ArgMax(score);
        for (int i = last; i >= 0; i--)
        {
            if (labels[i] < 0 || !usable[labels[i]])
            {
                continue;
            }
            int previous = from[(long)i * k + state];
            result[i] = state;
            state = previous;
        }
        if (Count(result, k) < Math.Min(minClusters, Count(labels, k)))
        {
            return 0;
        }
        int changed = 0;
        for (int i = 0; i < n; i++)
        {
            changed += labels[i] != result[i] ? 1 : 0;
        }
        Array.Copy(result, labels, n);
        return changed;
    }

    /// <summary>How many of the clusters 0..k-1 hold a frame.</summary>
    private static int Count(int[] labels, int k)
    {
        var seen = new bool[k];
        int count = 0;
        foreach (int l in labels)
        {
            if (l >= 0 && !seen[l])
            {
                seen[l] = true;
                count++;
            }
        }
        return count;
    }

    private static int ArgMax(double[] values)
    {
        int best = 0;
        for (int c = 1; c < values.Length; c++)
        {
            if (values[c] > values[best])
            {
                best = c;
            }
        }
        return best;
    }

    private static FrameGaussian[] Models(int[] labels, FeatureMatrix mfcc, int first, int dims, ReadOnlySpan<double> floor, int n, int k, out bool[] usable)
    {
        var stats = new GaussianStats[k];
        for (int c = 0; c < k; c++)
        {
            stats[c] = new GaussianStats(dims);
        }
        for (int i = 0; i < n; i++)
        {
            if (labels[i] >= 0)
            {
                stats[labels[i]].Add(mfcc.Row(i).Slice(first, dims));
            }
        }
        usable = new bool[k];
        var models = new FrameGaussian[k];
        for (int c = 0; c < k; c++)
        {
            models[c] = new FrameGaussian(dims);
            usable[c] = stats[c].Count >= 2 * dims && models[c].Fit(stats[c], floor);
        }
        return models;
    }
}

/// <summary>A full-covariance Gaussian as mean, Cholesky factor and log determinant.</summary>
internal sealed class FrameGaussian(int dims)
{
    private readonly double[] _mean = new double[dims];
    private readonly double[] _chol = new double[dims * dims];
    private double _logDet;

    public bool Fit(GaussianStats stats, ReadOnlySpan<double> floor)
    {
        double count = stats.Count;
        for (int a = 0; a < dims; a++)
        {
            _mean[a] = stats.Sum[a] / count;
        }
        for (int a = 0; a < dims; a++)
        {
            for (int b = 0; b <= a; b++)
            {
                _chol[a * dims + b] = stats.Scatter[a * dims + b] / count - _mean[a] * _mean[b] + (a == b && a < floor.Length ? floor[a] : 0);
            }
        }
        _logDet = GaussianStats.CholeskyLogDet(_chol, dims);
        return double.IsFinite(_logDet);
    }

    /// <summary>Log density of <paramref name="x"/> without the constant term; <paramref name="z"/> is scratch.</summary>
    public double LogLikelihood(ReadOnlySpan<float> x, double[] z)
    {
        double q = 0;
        for (int a = 0; a < dims; a++)
        {
            double t = x[a] - _mean[a];
            int row = a * dims;
            for (int b = 0; b < a; b++)
            {
                t -= _chol[row + b] * z[b];
            }
            z[a] = t / _chol[row + a];
            q += z[a] * z[a];
        }
        return -0.5 * (_logDet + q);
    }
}
