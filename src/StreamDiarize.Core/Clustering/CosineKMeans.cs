// k-means with cosine distance, as spectralcluster's custom_distance_kmeans(custom_dist="cosine"): seeded, hence deterministic.
namespace StreamDiarize.Core.Clustering;

/// <summary>
/// Initialises like scikit-learn's KMeans(init="k-means++", max_iter=1, n_init=10) (greedy k-means++, one Euclidean
/// Lloyd step, best inertia of 10 seeds), then runs spectralcluster's CustomKMeans with cosine distance.
/// </summary>
public static class CosineKMeans
{
    private const int InitRuns = 10;

    // CustomKMeans' tol: stop once the mean distance no longer falls by more than 0.1 %.
    private const double Tolerance = 1e-3;

    /// <summary>Labels in [0, k) for each row of <paramref name="points"/> (rows of equal length).</summary>
    public static int[] Cluster(double[][] points, int k, int maxIterations, int seed)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIterations);
        int n = points.Length;
        if (n == 0)
        {
            return [];
        }
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, n);

        var random = new Random(seed);
        double[][]? best = null;
        double bestInertia = double.PositiveInfinity;
        for (int run = 0; run < InitRuns; run++)
        {
            var centroids = KMeansPlusPlus(points, k, random);
            var labels = new int[n];
            AssignEuclidean(points, centroids, labels);
            UpdateCentroids(points, labels, centroids);
            double inertia = AssignEuclidean(points, centroids, labels);
            if (inertia < bestInertia)
            {
                bestInertia = inertia;
                best = centroids;
            }
        }
        return CosineLloyd(points, best!, maxIterations);
    }

    /// <summary>scipy's cosine distance 1 - u.v / (|u| |v|); 1 when either vector is zero rather than NaN.</summary>
    public static double CosineDistance(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        double dot = 0, uu = 0, vv = 0;
        for (int i = 0; i < u.Length; i++)
        {
            dot += u[i] * v[i];
            uu += u[i] * u[i];
            vv += v[i] * v[i];
        }
        return uu == 0 || vv == 0 ? 1.0 : 1.0 - dot / Math.Sqrt(uu * vv);
    }

    private static int[] CosineLloyd(double[][] points, double[][] centroids, int maxIterations)
    {
        int n = points.Length;
        var labels = new int[n];
        double previousMean = 0;
        for (int iteration = 0; iteration <= maxIterations; iteration++)
        {
            double total = 0;
            for (int i = 0; i < n; i++)
            {
                int bestJ = 0;
                double bestD = double.PositiveInfinity;
                for (int j = 0; j < centroids.Length; j++)
                {
                    double d = CosineDistance(points[i], centroids[j]);
                    if (d < bestD)
                    {
                        bestD = d;
                        bestJ = j;
                    }
                }
                labels[i] = bestJ;
                total += bestD;
            }
            double mean = total / n;
            bool converged = mean <= previousMean && mean >= (1 - Tolerance) * previousMean;
            if (converged || iteration == maxIterations)
            {
                break;
            }
            previousMean = mean;
            UpdateCentroids(points, labels, centroids);
        }
        return labels;
    }

    // Greedy k-means++ as scikit-learn: 2 + ln(k) candidates per centre, keep the one that lowers the potential most.
    private static double[][] KMeansPlusPlus(double[][] points, int k, Random random)
    {
        int n = points.Length;
        int trials = 2 + (int)Math.Log(k);
        var centroids = new double[k][];
        centroids[0] = (double[])points[random.Next(n)].Clone();
        var closest = new double[n];
        for (int i = 0; i < n; i++)
        {
            closest[i] = SquaredEuclidean(points[i], centroids[0]);
        }
        var candidateDistances = new double[n];
        var bestDistances = new double[n];
        for (int c = 1; c < k; c++)
        {
            double potential = Sum(closest);
            int bestCandidate = -1;
            double bestPotential = double.PositiveInfinity;
            for (int t = 0; t < trials; t++)
            {
                int candidate = SearchSorted(closest, random.NextDouble() * potential);
                double candidatePotential = 0;
                for (int i = 0; i < n; i++)
                {
                    candidateDistances[i] = Math.Min(closest[i], SquaredEuclidean(points[i], points[candidate]));
                    candidatePotential += candidateDistances[i];
                }
                if (candidatePotential < bestPotential)
                {
                    bestPotential = candidatePotential;
                    bestCandidate = candidate;
                    Array.Copy(candidateDistances, bestDistances, n);
                }
            }
            centroids[c] = (double[])points[bestCandidate].Clone();
            Array.Copy(bestDistances, closest, n);
        }
        return centroids;
    }

    // First index whose cumulative sum reaches target (numpy searchsorted, side='left'), clipped to the last index.
    private static int SearchSorted(double[] weights, double target)
    {
        double cumulative = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            cumulative += weights[i];
            if (cumulative >= target)
            {
                return i;
            }
        }
        return weights.Length - 1;
    }

    private static double AssignEuclidean(double[][] points, double[][] centroids, int[] labels)
    {
        double inertia = 0;
        for (int i = 0; i < points.Length; i++)
        {
            int bestJ = 0;
            double bestD = double.PositiveInfinity;
            for (int j = 0; j < centroids.Length; j++)
            {
                double d = SquaredEuclidean(points[i], centroids[j]);
                if (d < bestD)
                {
                    bestD = d;
                    bestJ = j;
                }
            }
            labels[i] = bestJ;
            inertia += bestD;
        }
        return inertia;
    }

    // Mean of each cluster's members; an empty cluster keeps its centre, as CustomKMeans does.
    private static void UpdateCentroids(double[][] points, int[] labels, double[][] centroids)
    {
        int dims = points[0].Length;
        var sums = new double[centroids.Length][];
        var counts = new int[centroids.Length];
        for (int j = 0; j < centroids.Length; j++)
        {
            sums[j] = new double[dims];
        }
        for (int i = 0; i < points.Length; i++)
        {
            var s = sums[labels[i]];
            counts[labels[i]]++;
            for (int d = 0; d < dims; d++)
            {
                s[d] += points[i][d];
            }
        }
        for (int j = 0; j < centroids.Length; j++)
        {
            if (counts[j] == 0)
            {
                continue;
            }
            for (int d = 0; d < dims; d++)
            {
                centroids[j][d] = sums[j][d] / counts[j];
            }
        }
    }

    private static double SquaredEuclidean(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    private static double Sum(double[] values)
    {
        double s = 0;
        foreach (double v in values)
        {
            s += v;
        }
        return s;
    }
}
