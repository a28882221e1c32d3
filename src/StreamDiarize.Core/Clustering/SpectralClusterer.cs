// Offline spectral clustering of speaker embeddings, as spectralcluster 0.1.0 ("Speaker Diarization with LSTM", Wang et al. 2018).
// Pure: the same embeddings and options always give the same labels. Cost is O(n^3) (full eigendecomposition), hence MaxInputSize.
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;

namespace StreamDiarize.Core.Clustering;

/// <summary>
/// affinity -> refinements -> eigendecomposition -> eigengap cluster count -> cosine k-means on the spectral embeddings.
/// </summary>
public sealed class SpectralClusterer
{
    // spectralcluster's EPS: keeps the eigengap ratio finite when the next eigenvalue is 0.
    private const double EigengapEpsilon = 1e-10;

    private const int ReportedEigenvalues = 10;

    public SpectralClusterer(SpectralClustererOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        // Snapshot the sequence so a caller's later edits to its list cannot change this clusterer.
        Options = new SpectralClustererOptions
        {
            MinClusters = options.MinClusters,
            MaxClusters = options.MaxClusters,
            ExactClusters = options.ExactClusters,
            PPercentile = options.PPercentile,
            GaussianBlurSigma = options.GaussianBlurSigma,
            ThresholdingSoftMultiplier = options.ThresholdingSoftMultiplier,
            ThresholdingType = options.ThresholdingType,
            Refinements = options.Refinements?.ToArray(),
            SymmetrizeType = options.SymmetrizeType,
            StopEigenvalue = options.StopEigenvalue,
            RowWiseRenormalize = options.RowWiseRenormalize,
            KMeansMaxIterations = options.KMeansMaxIterations,
            Seed = options.Seed,
            MaxInputSize = options.MaxInputSize,
        };
    }

    public SpectralClustererOptions Options { get; }

    /// <summary>Cluster label per embedding (jagged rows of equal length), numbered in order of first appearance.</summary>
    public int[] Predict(float[][] embeddings) => Cluster(embeddings).Labels;

    /// <summary>Cluster label per row of a row-major <paramref name="rows"/> x <paramref name="dims"/> block.</summary>
    public int[] Predict(ReadOnlySpan<float> data, int rows, int dims) => Cluster(data, rows, dims).Labels;

    /// <summary>Labels plus the eigenvalues and k behind them, for diagnostics.</summary>
    public SpectralClusteringResult Cluster(float[][] embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        int rows = embeddings.Length;
        CheckSize(rows, nameof(embeddings));
        int dims = rows == 0 ? 0 : embeddings[0]?.Length ?? throw new ArgumentException("embedding row 0 is null", nameof(embeddings));
        var matrix = new DenseMatrix(rows, dims);
        for (int r = 0; r < rows; r++)
        {
            var row = embeddings[r] ?? throw new ArgumentException($"embedding row {r} is null", nameof(embeddings));
            if (row.Length != dims)
            {
                throw new ArgumentException($"embedding row {r} has {row.Length} values but row 0 has {dims}: give rows of one dimension", nameof(embeddings));
            }
            for (int d = 0; d < dims; d++)
            {
                matrix[r, d] = row[d];
            }
        }
        return Cluster(matrix);
    }

    /// <summary>Labels plus diagnostics for a row-major <paramref name="rows"/> x <paramref name="dims"/> block.</summary>
    public SpectralClusteringResult Cluster(ReadOnlySpan<float> data, int rows, int dims)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(dims);
        if ((long)rows * dims != data.Length)
        {
            throw new ArgumentException($"data has {data.Length} values but rows {rows} x dims {dims} = {(long)rows * dims}", nameof(data));
        }
        CheckSize(rows, nameof(rows));
        var matrix = new DenseMatrix(rows, dims);
        for (int r = 0; r < rows; r++)
        {
            for (int d = 0; d < dims; d++)
            {
                matrix[r, d] = data[r * dims + d];
            }
        }
        return Cluster(matrix);
    }

    private SpectralClusteringResult Cluster(Matrix<double> embeddings)
    {
        int n = embeddings.RowCount;
        if (n == 0)
        {
            return new SpectralClusteringResult([], 0, 0, []);
        }
        if (n == 1)
        {
            return new SpectralClusteringResult([0], 1, 1, [1.0]);
        }

        var affinity = ComputeAffinity(embeddings);
        var refined = AffinityRefinement.Apply(affinity, Options);
        var eigen = ComputeSortedEigen(refined);

        int k = Options.ExactClusters
            ?? Math.Max(EstimateClusterCount(eigen.Values, Options.MaxClusters, Options.StopEigenvalue), Options.MinClusters);
        // More clusters than points is meaningless; MinClusters or ExactClusters above n gives one point per cluster at most.
        k = Math.Clamp(k, 1, n);

        var spectral = new double[n][];
        for (int i = 0; i < n; i++)
        {
            var row = new double[k];
            for (int j = 0; j < k; j++)
            {
                row[j] = eigen.Vectors[i, j];
            }
            if (Options.RowWiseRenormalize)
            {
                NormaliseInPlace(row);
            }
            spectral[i] = row;
        }

        var labels = RenumberByFirstAppearance(CosineKMeans.Cluster(spectral, k, Options.KMeansMaxIterations, Options.Seed));
        int clusterCount = labels.Length == 0 ? 0 : labels.Max() + 1;
        var top = eigen.Values.AsSpan(0, Math.Min(n, Math.Max(ReportedEigenvalues, k + 1))).ToArray();
        return new SpectralClusteringResult(labels, clusterCount, k, top);
    }

    /// <summary>
    /// (cos(x, y) + 1) / 2 between l2-normalised rows, so affinities lie in [0, 1].
    /// Rows must be finite and non-zero: a zero embedding has no direction to compare.
    /// </summary>
    public static Matrix<double> ComputeAffinity(Matrix<double> embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        var normalised = embeddings.Clone();
        for (int r = 0; r < normalised.RowCount; r++)
        {
            double sumSquares = 0;
            for (int d = 0; d < normalised.ColumnCount; d++)
            {
                double x = normalised[r, d];
                if (!double.IsFinite(x))
                {
                    throw new ArgumentException($"embedding row {r} has a non-finite value at {d}: drop or repair that window before clustering", nameof(embeddings));
                }
                sumSquares += x * x;
            }
            if (sumSquares == 0)
            {
                throw new ArgumentException($"embedding row {r} is all zeros and has no direction: drop silent windows before clustering", nameof(embeddings));
            }
            double norm = Math.Sqrt(sumSquares);
            for (int d = 0; d < normalised.ColumnCount; d++)
            {
                normalised[r, d] /= norm;
            }
        }
        var cosine = normalised.TransposeAndMultiply(normalised);
        return cosine.Map(c => (c + 1.0) / 2.0);
    }

    /// <summary>
    /// Eigendecomposition sorted by eigenvalue, largest first (np.linalg.eig + argsort(-w) in spectralcluster).
    /// Symmetric input (any sequence with Symmetrize or Diffuse) takes MathNet's symmetric solver; otherwise real parts are kept.
    /// </summary>
    public static SortedEigen ComputeSortedEigen(Matrix<double> matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.RowCount;
        if (n != matrix.ColumnCount)
        {
            throw new ArgumentException($"matrix must be square, got {matrix.RowCount} x {matrix.ColumnCount}", nameof(matrix));
        }
        bool symmetric = IsNearlySymmetric(matrix);
        // Y Y^T may differ from its transpose in the last bit; average so the symmetric solver sees an exactly symmetric matrix.
        var input = symmetric ? (matrix + matrix.Transpose()) * 0.5 : matrix;
        var evd = input.Evd(symmetric ? Symmetricity.Symmetric : Symmetricity.Asymmetric);
        var values = new double[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = evd.EigenValues[i].Real;
        }
        var order = Enumerable.Range(0, n).OrderByDescending(i => values[i]).ThenBy(i => i).ToArray();
        var sortedValues = new double[n];
        var sortedVectors = new DenseMatrix(n, n);
        for (int j = 0; j < n; j++)
        {
            sortedValues[j] = values[order[j]];
            sortedVectors.SetColumn(j, evd.EigenVectors.Column(order[j]));
        }
        return new SortedEigen(sortedValues, sortedVectors);
    }

    /// <summary>
    /// spectralcluster's eigengap (ratio): over consecutive pairs (ev[i], ev[i+1]) for i = 0 .. min(maxClusters, n - 1) - 1,
    /// stopping at the first ev[i] below <paramref name="stopEigenvalue"/>, return 1 + the i of the largest ev[i] / (ev[i+1] + 1e-10).
    /// Returns 0 when even the first eigenvalue is below the stop value; callers raise that to their minimum.
    /// </summary>
    public static int EstimateClusterCount(ReadOnlySpan<double> descendingEigenvalues, int maxClusters, double stopEigenvalue)
    {
        int rangeEnd = descendingEigenvalues.Length;
        if (maxClusters > 0 && maxClusters + 1 < rangeEnd)
        {
            rangeEnd = maxClusters + 1;
        }
        double maxDelta = 0;
        int maxDeltaIndex = 0;
        for (int i = 1; i < rangeEnd; i++)
        {
            if (descendingEigenvalues[i - 1] < stopEigenvalue)
            {
                break;
            }
            double delta = descendingEigenvalues[i - 1] / (descendingEigenvalues[i] + EigengapEpsilon);
            if (delta > maxDelta)
            {
                maxDelta = delta;
                maxDeltaIndex = i;
            }
        }
        return maxDeltaIndex;
    }

    /// <summary>Relabels so the first row is 0, the next new label 1, and so on: equal partitions give equal arrays.</summary>
    public static int[] RenumberByFirstAppearance(ReadOnlySpan<int> labels)
    {
        var result = labels.ToArray();
        LabelNumbering.ByFirstAppearance(result);
        return result;
    }

    private void CheckSize(int rows, string paramName)
    {
        if (rows > Options.MaxInputSize)
        {
            throw new ArgumentOutOfRangeException(
                paramName,
                rows,
                $"{rows} embeddings exceed MaxInputSize {Options.MaxInputSize}: full spectral clustering is O(n^3) in time and O(n^2) in memory " +
                "(see docs/CLUSTERING_SCALING.md). Raise Clustering:MaxInputSize in config if you accept the cost, " +
                "or cluster windowed embeddings / use the streaming (incremental) pipeline.");
        }
    }

    private static bool IsNearlySymmetric(Matrix<double> m)
    {
        int n = m.RowCount;
        double scale = m.Enumerate().Select(Math.Abs).DefaultIfEmpty(0).Max();
        double tolerance = 1e-10 * Math.Max(scale, double.Epsilon);
        for (int c = 0; c < n; c++)
        {
            for (int r = c + 1; r < n; r++)
            {
                if (Math.Abs(m[r, c] - m[c, r]) > tolerance)
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static void NormaliseInPlace(double[] row)
    {
        double norm = Math.Sqrt(row.Sum(x => x * x));
        if (norm > 0)
        {
            for (int j = 0; j < row.Length; j++)
            {
                row[j] /= norm;
            }
        }
    }
}
