// Sufficient statistics of one full-covariance Gaussian over feature frames: count, sum and scatter, merged by addition.
namespace StreamDiarize.Core.Clustering;

/// <summary>
/// Frame count, per-dimension sum and the scatter matrix (sum of x xᵀ, full, row-major) of a set of frames. Two sets
/// merge exactly by adding their statistics, so a cluster's Gaussian never needs its frames again. Log-determinants are
/// taken of the maximum-likelihood covariance plus a fixed diagonal floor, so that a short segment is never singular.
/// </summary>
public sealed class GaussianStats
{
    public GaussianStats(int dims)
    {
        if (dims <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(dims), dims, "A Gaussian needs at least one dimension.");
        }
        Dims = dims;
        Sum = new double[dims];
        Scatter = new double[dims * dims];
    }

    public int Dims { get; }

    /// <summary>Frames added (a weight: folded statistics may carry fractional counts).</summary>
    public double Count { get; private set; }

    public double[] Sum { get; }

    /// <summary>
    /// An independent one-dimensional Gaussian beside the full one, over the frames that have the value (log F0 of the
    /// voiced frames): its count, sum and sum of squares. A segment's likelihood is the product of the two.
    /// </summary>
    public double AuxCount { get; private set; }

    public double AuxSum { get; private set; }

    public double AuxSquares { get; private set; }

    /// <summary>Sum of x xᵀ; only the lower triangle (column &lt;= row) is kept up to date.</summary>
    public double[] Scatter { get; }

    public void Clear()
    {
        Count = 0;
        AuxCount = AuxSum = AuxSquares = 0;
        Array.Clear(Sum);
        Array.Clear(Scatter);
    }

    /// <summary>Adds one frame. Allocates nothing.</summary>
    public void Add(ReadOnlySpan<float> frame)
    {
        int d = Dims;
        Count += 1;
        for (int i = 0; i < d; i++)
        {
            double xi = frame[i];
            Sum[i] += xi;
            int row = i * d;
            for (int j = 0; j <= i; j++)
            {
                Scatter[row + j] += xi * frame[j];
            }
        }
    }

    /// <summary>Adds one value to the one-dimensional Gaussian (a voiced frame's log F0).</summary>
    public void AddAux(double value)
    {
        AuxCount += 1;
        AuxSum += value;
        AuxSquares += value * value;
    }

    public void Add(GaussianStats other)
    {
        Count += other.Count;
        AuxCount += other.AuxCount;
        AuxSum += other.AuxSum;
        AuxSquares += other.AuxSquares;
        for (int i = 0; i < Sum.Length; i++)
        {
            Sum[i] += other.Sum[i];
        }
        for (int i = 0; i < Scatter.Length; i++)
        {
            Scatter[i] += other.Scatter[i];
        }
    }

    /// <summary>Takes out the frames of <paramref name="other"/>, which must have been added before (the inverse of <see cref="Add(GaussianStats)"/>).</summary>
    public void Remove(GaussianStats other)
    {
        Count -= other.Count;
        AuxCount -= other.AuxCount;
        AuxSum -= other.AuxSum;
        AuxSquares -= other.AuxSquares;
        for (int i = 0; i < Sum.Length; i++)
        {
            Sum[i] -= other.Sum[i];
        }
        for (int i = 0; i < Scatter.Length; i++)
        {
            Scatter[i] -= other.Scatter[i];
        }
    }

    public GaussianStats Clone()
    {
        var copy = new GaussianStats(Dims);
        copy.Add(this);
        return copy;
    }

    /// <summary>Sets every statistic at once, from values another instance had (a stored voice profile).</summary>
    public void Restore(double count, ReadOnlySpan<double> sum, ReadOnlySpan<double> scatter, double auxCount, double auxSum, double auxSquares)
    {
        if (sum.Length != Dims || scatter.Length != Dims * Dims)
        {
            throw new ArgumentException($"A {Dims}-dimensional Gaussian needs {Dims} sums and {Dims * Dims} scatter values.");
        }
        Count = count;
        AuxCount = auxCount;
        AuxSum = auxSum;
        AuxSquares = auxSquares;
        sum.CopyTo(Sum);
        scatter.CopyTo(Scatter);
    }

    /// <summary>log |Σ + diag(floor)| of these frames.</summary>
    public double LogDet(ReadOnlySpan<double> floor, Span<double> scratch) => LogDetOfUnion(this, null, floor, scratch);

    /// <summary>
    /// log |Σ + diag(floor)| of the union of <paramref name="a"/> and <paramref name="b"/> (b may be null), without
    /// building the union. <paramref name="scratch"/> holds at least Dims² values. Returns +∞ for an empty set.
    /// </summary>
    public static double LogDetOfUnion(GaussianStats a, GaussianStats? b, ReadOnlySpan<double> floor, Span<double> scratch)
    {
        int d = a.Dims;
        double n = a.Count + (b?.Count ?? 0);
        if (n <= 0)
        {
            return double.PositiveInfinity;
        }
        var cov = scratch[..(d * d)];
        for (int i = 0; i < d; i++)
        {
            double mi = (a.Sum[i] + (b?.Sum[i] ?? 0)) / n;
            int row = i * d;
            for (int j = 0; j <= i; j++)
            {
                double mj = (a.Sum[j] + (b?.Sum[j] ?? 0)) / n;
                cov[row + j] = (a.Scatter[row + j] + (b?.Scatter[row + j] ?? 0)) / n - mi * mj;
            }
            cov[row + i] += floor[i];
        }
        return CholeskyLogDet(cov, d);
    }

    /// <summary>
    /// Twice the negative maximum log-likelihood, up to constants: n log|Σ + floor| plus, when <paramref name="floor"/>
    /// has one value more than <see cref="Dims"/>, m log(σ² + floor) of the one-dimensional Gaussian. Differences of
    /// costs are log-likelihood ratios.
    /// </summary>
    public double Cost(ReadOnlySpan<double> floor, Span<double> scratch) => CostOfUnion(this, null, floor, scratch);

    /// <summary>The <see cref="Cost"/> of the union of <paramref name="a"/> and <paramref name="b"/> (b may be null).</summary>
    public static double CostOfUnion(GaussianStats a, GaussianStats? b, ReadOnlySpan<double> floor, Span<double> scratch)
    {
        double n = a.Count + (b?.Count ?? 0);
        double cost = n > 0 ? n * LogDetOfUnion(a, b, floor, scratch) : 0;
        double m = a.AuxCount + (b?.AuxCount ?? 0);
        if (floor.Length > a.Dims && m > 0)
        {
            double mean = (a.AuxSum + (b?.AuxSum ?? 0)) / m;
            double variance = Math.Max(0, (a.AuxSquares + (b?.AuxSquares ?? 0)) / m - mean * mean);
            cost += m * Math.Log(variance + floor[a.Dims]);
        }
        return cost;
    }

    /// <summary>In place on the lower triangle of a symmetric matrix: its Cholesky factor; returns log det (−∞ if not positive).</summary>
    internal static double CholeskyLogDet(Span<double> m, int d)
    {
        double logDet = 0;
        for (int j = 0; j < d; j++)
        {
            int rowJ = j * d;
            double s = m[rowJ + j];
            for (int k = 0; k < j; k++)
            {
                s -= m[rowJ + k] * m[rowJ + k];
            }
            if (s <= 0)
            {
                return double.NegativeInfinity;
            }
            double l = Math.Sqrt(s);
            m[rowJ + j] = l;
            logDet += 2 * Math.Log(l);
            for (int i = j + 1; i < d; i++)
            {
                int rowI = i * d;
                double t = m[rowI + j];
                for (int k = 0; k < j; k++)
                {
                    t -= m[rowI + k] * m[rowJ + k];
                }
                m[rowI + j] = t / l;
            }
        }
        return logDet;
    }
}
