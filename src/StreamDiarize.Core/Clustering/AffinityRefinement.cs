// The affinity refinement operations of spectralcluster 0.1.0, each a pure function of its input matrix.
// Hand loops only where MathNet has no primitive (blur, threshold); each is O(n^2) or O(n^2 * radius).
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;

namespace StreamDiarize.Core.Clustering;

/// <summary>Refinements of a square affinity matrix; every method returns a new matrix and leaves its input untouched.</summary>
public static class AffinityRefinement
{
    /// <summary>Applies <paramref name="options"/>' refinement sequence in order.</summary>
    public static Matrix<double> Apply(Matrix<double> affinity, SpectralClustererOptions options)
    {
        RequireSquare(affinity);
        var y = affinity;
        foreach (var step in options.EffectiveRefinements)
        {
            y = step switch
            {
                RefinementStep.CropDiagonal => CropDiagonal(y),
                RefinementStep.GaussianBlur => GaussianBlur(y, options.GaussianBlurSigma),
                RefinementStep.RowWiseThreshold => RowWiseThreshold(y, options.PPercentile, options.ThresholdingSoftMultiplier, options.ThresholdingType),
                RefinementStep.Symmetrize => Symmetrize(y, options.SymmetrizeType),
                RefinementStep.Diffuse => Diffuse(y),
                RefinementStep.RowWiseNormalize => RowWiseNormalize(y),
                _ => throw new ArgumentOutOfRangeException(nameof(options), step, "unknown refinement step"),
            };
        }
        return ReferenceEquals(y, affinity) ? affinity.Clone() : y;
    }

    /// <summary>
    /// Sets each diagonal entry to the max of its row with the diagonal zeroed (as numpy's fill_diagonal(0) then max),
    /// so the self-similarity of 1 does not dominate the blur and the row normalisation.
    /// </summary>
    public static Matrix<double> CropDiagonal(Matrix<double> affinity)
    {
        int n = RequireSquare(affinity);
        var result = DenseMatrix.OfMatrix(affinity);
        var v = result.Values;
        for (int r = 0; r < n; r++)
        {
            double max = 0.0;
            for (int c = 0; c < n; c++)
            {
                if (c != r && v[c * n + r] > max)
                {
                    max = v[c * n + r];
                }
            }
            v[r * n + r] = max;
        }
        return result;
    }

    /// <summary>
    /// scipy.ndimage.gaussian_filter(Y, sigma): separable, axis 0 then axis 1, mode 'reflect' (d c b a | a b c d | d c b a),
    /// truncate 4.0, so the kernel radius is int(4 * sigma + 0.5). Sigma 0 returns a copy, as scipy skips the axis.
    /// </summary>
    public static Matrix<double> GaussianBlur(Matrix<double> affinity, double sigma)
    {
        int n = RequireSquare(affinity);
        ArgumentOutOfRangeException.ThrowIfNegative(sigma);
        var source = DenseMatrix.OfMatrix(affinity);
        if (sigma == 0 || n == 0)
        {
            return source;
        }

        double[] kernel = GaussianKernel(sigma);
        int radius = kernel.Length / 2;
        // Index of the source cell for each extended position -radius .. n-1+radius, with half-sample reflection.
        int[] reflect = new int[n + 2 * radius];
        for (int e = 0; e < reflect.Length; e++)
        {
            reflect[e] = ReflectIndex(e - radius, n);
        }

        var src = source.Values;
        var tmp = new double[n * n];
        // Axis 0: along each column (contiguous in column-major storage).
        for (int c = 0; c < n; c++)
        {
            int col = c * n;
            for (int r = 0; r < n; r++)
            {
                double sum = 0;
                for (int k = 0; k < kernel.Length; k++)
                {
                    sum += kernel[k] * src[col + reflect[r + k]];
                }
                tmp[col + r] = sum;
            }
        }

        var result = new DenseMatrix(n, n);
        var dst = result.Values;
        // Axis 1: along each row; accumulate whole columns at a time to stay cache-friendly.
        for (int c = 0; c < n; c++)
        {
            int outCol = c * n;
            for (int k = 0; k < kernel.Length; k++)
            {
                double w = kernel[k];
                int inCol = reflect[c + k] * n;
                for (int r = 0; r < n; r++)
                {
                    dst[outCol + r] += w * tmp[inCol + r];
                }
            }
        }
        return result;
    }

    /// <summary>
    /// Softens small entries row by row: entries below the row's threshold are multiplied by <paramref name="softMultiplier"/>.
    /// RowMax: threshold = rowmax * p. Percentile: threshold = np.percentile(row, p * 100) with linear interpolation.
    /// </summary>
    public static Matrix<double> RowWiseThreshold(Matrix<double> affinity, double p, double softMultiplier, ThresholdingType type)
    {
        int n = RequireSquare(affinity);
        var result = DenseMatrix.OfMatrix(affinity);
        var v = result.Values;
        var row = new double[n];
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++)
            {
                row[c] = v[c * n + r];
            }
            double threshold = type switch
            {
                ThresholdingType.RowMax => RowMax(row) * p,
                ThresholdingType.Percentile => Percentile(row, p * 100),
                _ => throw new ArgumentOutOfRangeException(nameof(type), type, "give RowMax or Percentile"),
            };
            for (int c = 0; c < n; c++)
            {
                if (row[c] < threshold)
                {
                    v[c * n + r] = row[c] * softMultiplier;
                }
            }
        }
        return result;
    }

    /// <summary>max(Y, Y^T) or (Y + Y^T) / 2.</summary>
    public static Matrix<double> Symmetrize(Matrix<double> affinity, SymmetrizeType type)
    {
        RequireSquare(affinity);
        var transposed = affinity.Transpose();
        return type switch
        {
            SymmetrizeType.Max => affinity.PointwiseMaximum(transposed),
            SymmetrizeType.Average => (affinity + transposed) * 0.5,
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "give Max or Average"),
        };
    }

    /// <summary>Y Y^T: two points are similar when they are similar to the same others.</summary>
    public static Matrix<double> Diffuse(Matrix<double> affinity)
    {
        RequireSquare(affinity);
        return affinity.TransposeAndMultiply(affinity);
    }

    /// <summary>Divides each row by its max. A row whose max is 0 is left as is (numpy would fill it with NaN).</summary>
    public static Matrix<double> RowWiseNormalize(Matrix<double> affinity)
    {
        int n = RequireSquare(affinity);
        var result = DenseMatrix.OfMatrix(affinity);
        var v = result.Values;
        for (int r = 0; r < n; r++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < n; c++)
            {
                max = Math.Max(max, v[c * n + r]);
            }
            if (max == 0)
            {
                continue;
            }
            for (int c = 0; c < n; c++)
            {
                v[c * n + r] /= max;
            }
        }
        return result;
    }

    /// <summary>scipy.ndimage's _gaussian_kernel1d for order 0 and truncate 4.0: exp(-x^2 / (2 sigma^2)), normalised to sum 1.</summary>
    public static double[] GaussianKernel(double sigma)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sigma);
        int radius = (int)(4.0 * sigma + 0.5);
        var kernel = new double[2 * radius + 1];
        double sum = 0;
        for (int i = 0; i < kernel.Length; i++)
        {
            double x = i - radius;
            kernel[i] = Math.Exp(-0.5 / (sigma * sigma) * x * x);
            sum += kernel[i];
        }
        for (int i = 0; i < kernel.Length; i++)
        {
            kernel[i] /= sum;
        }
        return kernel;
    }

    /// <summary>numpy.percentile(values, q) with the default 'linear' method, including numpy's two-sided lerp.</summary>
    public static double Percentile(ReadOnlySpan<double> values, double q)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException("percentile of an empty row is undefined", nameof(values));
        }
        var sorted = values.ToArray();
        Array.Sort(sorted);
        double virtualIndex = (sorted.Length - 1) * (q / 100);
        int lo = Math.Clamp((int)Math.Floor(virtualIndex), 0, sorted.Length - 1);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        double t = virtualIndex - lo;
        double a = sorted[lo];
        double b = sorted[hi];
        double diff = b - a;
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    }

    private static double RowMax(double[] row)
    {
        double max = double.NegativeInfinity;
        foreach (double x in row)
        {
            max = Math.Max(max, x);
        }
        return max;
    }

    // Half-sample symmetric reflection, periodic with period 2n so radii larger than n still land inside.
    private static int ReflectIndex(int i, int n)
    {
        int period = 2 * n;
        int m = ((i % period) + period) % period;
        return m < n ? m : period - 1 - m;
    }

    private static int RequireSquare(Matrix<double> matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.RowCount != matrix.ColumnCount)
        {
            throw new ArgumentException($"affinity must be square, got {matrix.RowCount} x {matrix.ColumnCount}", nameof(matrix));
        }
        return matrix.RowCount;
    }
}
