// Average-linkage clustering on small hand-made point sets whose answer is known, and against a brute-force dendrogram.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Options;

namespace StreamDiarize.Core.Tests.Clustering;

public class AgglomerativeClustererTests
{
    private static readonly AgglomerativeClusterer Default = new();

    /// <summary><paramref name="perBlob"/> 2-D points around each of the given angles (degrees), blob after blob.</summary>
    private static double[] Blobs(int perBlob, params double[] anglesDegrees)
    {
        var random = new Random(11);
        var points = new List<double>();
        foreach (double angle in anglesDegrees)
        {
            for (int i = 0; i < perBlob; i++)
            {
                double a = (angle + 10 * (random.NextDouble() - 0.5)) * Math.PI / 180;
                points.Add(Math.Cos(a));
                points.Add(Math.Sin(a));
            }
        }
        return [.. points];
    }

    private static int[] BlobLabels(int perBlob, int blobs)
    {
        var labels = new int[perBlob * blobs];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = i / perBlob;
        }
        return labels;
    }

    [Fact]
    public void Three_blobs_120_degrees_apart_are_three_clusters()
    {
        Assert.Equal(BlobLabels(5, 3), Default.Cluster(Blobs(5, 0, 120, 240), 2));
    }

    [Fact]
    public void Blobs_at_right_angles_merge_at_threshold_1_2_but_not_at_0_5()
    {
        var points = Blobs(5, 0, 90);
        Assert.Equal(new int[10], Default.Cluster(points, 2));

        var strict = new AgglomerativeClusterer(new AgglomerativeClustererOptions { DistanceThreshold = 0.5 });
        Assert.Equal(BlobLabels(5, 2), strict.Cluster(points, 2));
    }

    [Fact]
    public void An_exact_speaker_count_cuts_the_tree_to_that_many_clusters()
    {
        var points = Blobs(5, 0, 120, 240);
        Assert.Equal(2, Default.Cluster(points, 2, ClusterCountLimits.Exactly(2)).Distinct().Count());
        Assert.Equal(BlobLabels(5, 3), Default.Cluster(points, 2, ClusterCountLimits.Exactly(3)));
        Assert.Equal(6, Default.Cluster(points, 2, ClusterCountLimits.Exactly(6)).Distinct().Count());
    }

    [Fact]
    public void A_minimum_splits_what_the_threshold_would_merge_and_a_maximum_merges_what_it_would_split()
    {
        Assert.Equal(BlobLabels(5, 2), Default.Cluster(Blobs(5, 0, 90), 2, new ClusterCountLimits(Min: 2)));
        Assert.Equal(2, Default.Cluster(Blobs(5, 0, 120, 240), 2, new ClusterCountLimits(Max: 2)).Distinct().Count());
    }

    [Fact]
    public void Without_a_hint_the_default_cap_of_twenty_leaves_six_clear_clusters_and_a_hint_may_cap_lower()
    {
        var loose = new AgglomerativeClusterer(new AgglomerativeClustererOptions { DistanceThreshold = 0.05 });
        var points = Blobs(4, 0, 60, 120, 180, 240, 300);
        Assert.Equal(6, loose.Cluster(points, 2).Distinct().Count());
        Assert.Equal(4, loose.Cluster(points, 2, new ClusterCountLimits(Max: 4)).Distinct().Count());
        Assert.Equal(BlobLabels(4, 6), loose.Cluster(points, 2, new ClusterCountLimits(Max: 10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => loose.Cluster(points, 2, new ClusterCountLimits(Max: 21)));
    }

    [Fact]
    public void Fewer_than_three_windows_are_one_speaker_unless_a_hint_asks_for_more()
    {
        double[] two = [1, 0, -1, 0];
        Assert.Equal([0, 0], Default.Cluster(two, 2));
        Assert.Equal([0, 1], Default.Cluster(two, 2, ClusterCountLimits.Exactly(2)));
        Assert.Empty(Default.Cluster([], 2));
    }

    [Fact]
    public void Labels_are_numbered_by_first_appearance()
    {
        var points = Blobs(3, 240, 0, 120);
        Assert.Equal(BlobLabels(3, 3), Default.Cluster(points, 2));
    }

    [Fact]
    public void Many_windows_are_grouped_first_and_still_find_the_blobs()
    {
        // 1200 windows, at most 150 clustered: groups of 8 consecutive windows, which here never straddle two blobs
        // (a group that does takes one label: the price of grouping is a resolution of 8 hops).
        var bounded = new AgglomerativeClusterer(new AgglomerativeClustererOptions { MaxExactWindows = 150 });
        var points = Blobs(400, 0, 120, 240);
        Assert.Equal(BlobLabels(400, 3), bounded.Cluster(points, 2));
    }

    [Fact]
    public void The_chain_gives_the_same_merge_heights_as_brute_force_average_linkage()
    {
        var random = new Random(5);
        int n = 40, dims = 4;
        var points = new double[n * dims];
        for (int i = 0; i < points.Length; i++)
        {
            points[i] = random.NextDouble() * 2 - 1;
        }
        var weights = new double[n];
        Array.Fill(weights, 1.0);

        var heights = AgglomerativeClusterer.Linkage(points, dims, weights).Select(m => m.Distance).ToArray();

        Assert.Equal(BruteForceHeights(points, dims, n), heights, new ToleranceComparer(1e-9));
    }

    [Fact]
    public void Invalid_options_are_all_reported_at_once()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new AgglomerativeClusterer(new AgglomerativeClustererOptions
        {
            DistanceThreshold = 3,
            MaxClustersDefault = 30,
            MaxExactWindows = 1,
        }));
        Assert.Equal(3, ex.Errors.Count);
    }

    /// <summary>Textbook O(n^3) average linkage: merge the closest pair by mean pairwise cosine distance, repeat.</summary>
    private static double[] BruteForceHeights(double[] points, int dims, int n)
    {
        double Cos(int i, int j)
        {
            double dot = 0, a = 0, b = 0;
            for (int k = 0; k < dims; k++)
            {
                dot += points[i * dims + k] * points[j * dims + k];
                a += points[i * dims + k] * points[i * dims + k];
                b += points[j * dims + k] * points[j * dims + k];
            }
            return 1 - dot / Math.Sqrt(a * b);
        }
        var clusters = Enumerable.Range(0, n).Select(i => new List<int> { i }).ToList();
        var heights = new List<double>();
        while (clusters.Count > 1)
        {
            double best = double.MaxValue;
            int bi = 0, bj = 1;
            for (int i = 0; i < clusters.Count; i++)
            {
                for (int j = i + 1; j < clusters.Count; j++)
                {
                    double d = clusters[i].SelectMany(a => clusters[j].Select(b => Cos(a, b))).Average();
                    if (d < best)
                    {
                        (best, bi, bj) = (d, i, j);
                    }
                }
            }
            heights.Add(best);
            clusters[bi].AddRange(clusters[bj]);
            clusters.RemoveAt(bj);
        }
        return [.. heights];
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
