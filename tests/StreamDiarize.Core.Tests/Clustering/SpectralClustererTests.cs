// SpectralClusterer end to end on small hand-made embeddings whose partition is known, plus its eigengap rule and limits.
using StreamDiarize.Core.Clustering;

namespace StreamDiarize.Core.Tests.Clustering;

public class SpectralClustererTests
{
    private const int Dims = 8;

    // Blob b is centred on basis vector e_b, so centres are orthogonal (affinity 0.5) and points within a blob nearly parallel.
    private static float[][] Blobs(int[] sizes, double noise = 0.05, int seed = 1)
    {
        var random = new Random(seed);
        var rows = new List<float[]>();
        for (int b = 0; b < sizes.Length; b++)
        {
            for (int i = 0; i < sizes[b]; i++)
            {
                var row = new float[Dims];
                for (int d = 0; d < Dims; d++)
                {
                    row[d] = (float)((d == b ? 1.0 : 0.0) + noise * (2 * random.NextDouble() - 1));
                }
                rows.Add(row);
            }
        }
        return rows.ToArray();
    }

    private static int[] BlobOf(int[] sizes) => sizes.SelectMany((size, b) => Enumerable.Repeat(b, size)).ToArray();

    // The blob tests switch the Gaussian blur off: the blur assumes rows in time order with long turns, and at the sharp
    // edge between two hand-made blobs it mixes the edge rows into spurious clusters of their own (pinned down below in
    // Blurring_across_a_sharp_edge_between_short_blobs_adds_boundary_clusters). Every other step is the default.
    private static SpectralClusterer Clusterer(int? exact = null, int min = 1, int max = 100, int maxInput = 1000, double blur = 0) =>
        new(new SpectralClustererOptions { ExactClusters = exact, MinClusters = min, MaxClusters = max, MaxInputSize = maxInput, GaussianBlurSigma = blur });

    [Fact]
    public void Two_well_separated_blobs_give_two_clusters_with_the_right_members()
    {
        int[] sizes = [12, 9];

        var result = Clusterer().Cluster(Blobs(sizes));

        Assert.Equal(2, result.ClusterCount);
        Assert.Equal(BlobOf(sizes), result.Labels);
    }

    [Fact]
    public void Three_blobs_give_three_clusters()
    {
        int[] sizes = [10, 8, 12];

        var result = Clusterer().Cluster(Blobs(sizes));

        Assert.Equal(3, result.ClusterCount);
        Assert.Equal(BlobOf(sizes), result.Labels);
    }

    [Fact]
    public void Default_options_find_three_speakers_in_long_noisy_turns()
    {
        // The full ICASSP 2018 sequence, blur included, on turns of 20 windows; stable for every seed from 1 to 20.
        int[] sizes = [20, 20, 20];

        var result = new SpectralClusterer(new SpectralClustererOptions()).Cluster(Blobs(sizes, noise: 0.2));

        Assert.Equal(3, result.ChosenK);
        Assert.Equal(BlobOf(sizes), result.Labels);
    }

    [Fact]
    public void Blurring_across_a_sharp_edge_between_short_blobs_adds_boundary_clusters()
    {
        // spectralcluster 0.1.0 does the same (numpy/scipy replica: eigenvalues 11.77, 8.755, 0.0642, 0.0486, 1.7e-6, ...):
        // the two edge rows get small eigenvalues above StopEigenvalue, and the ratio 0.0486 / 1.7e-6 beats 8.755 / 0.0642.
        // Kept as a test so a change to this behaviour is a decision, not an accident.
        var result = new SpectralClusterer(new SpectralClustererOptions()).Cluster(Blobs([12, 9]));

        Assert.Equal(4, result.ChosenK);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3], result.Labels);
        Assert.Equal(0.0486, result.TopEigenvalues[3], 3);
    }

    [Fact]
    public void One_blob_with_small_noise_gives_one_cluster()
    {
        var result = Clusterer(blur: 1).Cluster(Blobs([15]));

        Assert.Equal(1, result.ClusterCount);
        Assert.All(result.Labels, label => Assert.Equal(0, label));
    }

    [Fact]
    public void Interleaved_speakers_are_grouped_by_voice_not_by_position()
    {
        var blobs = Blobs([6, 6]);
        // Alternate turns: A B A B ...
        var interleaved = Enumerable.Range(0, 12).Select(i => blobs[(i % 2) * 6 + i / 2]).ToArray();

        var labels = Clusterer().Predict(interleaved);

        Assert.Equal(Enumerable.Range(0, 12).Select(i => i % 2).ToArray(), labels);
    }

    [Fact]
    public void A_continuous_ring_is_cut_into_an_odd_number_of_contiguous_arcs()
    {
        // 36 directions evenly around a circle: no clusters, only neighbourhoods. The refined affinity is circulant, so its
        // eigenvalues after the first come in equal pairs (cos and sin modes); a ratio inside a pair is 1 and never wins,
        // so the eigengap can only pick an odd k, and as the spectrum decays it takes the largest odd k that MaxClusters
        // allows (5 for 6). k-means then cuts the ring into k unbroken arcs: ring neighbours share a label except at k cuts.
        // (Uncapped, the ratio latches onto the numerical tail and returns ~30 clusters: a ring is no input for the eigengap.)
        const int n = 36;
        var ring = Enumerable.Range(0, n)
            .Select(i => new[] { (float)Math.Cos(2 * Math.PI * i / n), (float)Math.Sin(2 * Math.PI * i / n) })
            .ToArray();

        var result = Clusterer(max: 6).Cluster(ring);

        Assert.Equal(result.TopEigenvalues[1], result.TopEigenvalues[2], 6);
        Assert.Equal(result.TopEigenvalues[3], result.TopEigenvalues[4], 6);
        Assert.Equal(5, result.ChosenK);
        Assert.Equal(5, result.ClusterCount);
        int cuts = Enumerable.Range(0, n).Count(i => result.Labels[i] != result.Labels[(i + 1) % n]);
        Assert.Equal(5, cuts);
    }

    [Fact]
    public void A_chain_between_two_blobs_keeps_the_blobs_apart_and_splits_the_chain_between_them()
    {
        // Blob A around angle 0, blob B around 90 degrees, joined by 5 single points at 15..75 degrees.
        // Expected: two clusters; A and B never share a label, and the chain goes to A up to some angle and to B after it.
        var rows = new List<float[]>();
        void Add(double degrees) => rows.Add([(float)Math.Cos(degrees * Math.PI / 180), (float)Math.Sin(degrees * Math.PI / 180), 0f]);
        for (int i = 0; i < 10; i++)
        {
            Add(-2 + 0.4 * i);
        }
        foreach (double degrees in new[] { 15.0, 30, 45, 60, 75 })
        {
            Add(degrees);
        }
        for (int i = 0; i < 10; i++)
        {
            Add(88 + 0.4 * i);
        }

        var labels = Clusterer(exact: 2).Predict(rows.ToArray());

        Assert.All(labels.Take(10), l => Assert.Equal(0, l));
        Assert.All(labels.Skip(15), l => Assert.Equal(1, l));
        var chain = labels.Skip(10).Take(5).ToArray();
        Assert.Equal(chain.OrderBy(l => l).ToArray(), chain);
    }

    [Fact]
    public void Exact_clusters_overrides_the_eigengap()
    {
        int[] sizes = [8, 8, 8];

        var result = Clusterer(exact: 2).Cluster(Blobs(sizes));

        Assert.Equal(2, result.ChosenK);
        Assert.Equal(2, result.ClusterCount);
        // No blob is split: each blob has one label.
        var blob = BlobOf(sizes);
        for (int b = 0; b < 3; b++)
        {
            Assert.Single(result.Labels.Where((_, i) => blob[i] == b).Distinct());
        }
    }

    [Fact]
    public void Min_clusters_raises_the_eigengap_choice()
    {
        var result = Clusterer(min: 2).Cluster(Blobs([15]));

        Assert.Equal(2, result.ChosenK);
    }

    [Fact]
    public void Max_clusters_caps_the_eigengap_choice()
    {
        // Eigenvalues follow the blob sizes, about 16, 16, 4, 4, 0: uncapped the gap after the fourth wins; capped at 2,
        // only 16/16 and 16/4 are looked at and the larger blobs' gap wins.
        int[] sizes = [16, 16, 4, 4];
        var data = Blobs(sizes);

        Assert.Equal(4, Clusterer().Cluster(data).ChosenK);
        var capped = Clusterer(max: 2).Cluster(data);

        Assert.Equal(2, capped.ChosenK);
        Assert.Equal(2, capped.ClusterCount);
    }

    [Fact]
    public void More_clusters_requested_than_points_gives_at_most_one_per_point()
    {
        var result = Clusterer(exact: 5).Cluster(Blobs([2, 1]));

        Assert.Equal(3, result.ChosenK);
        Assert.Equal(3, result.Labels.Length);
    }

    [Fact]
    public void The_same_input_twice_gives_the_same_labels()
    {
        var data = Blobs([10, 7, 9], noise: 0.3, seed: 5);

        Assert.Equal(Clusterer().Predict(data), Clusterer().Predict(data));
    }

    [Fact]
    public void Shuffling_the_input_gives_the_same_partition()
    {
        var data = Blobs([10, 7, 9], seed: 3);
        var order = Enumerable.Range(0, data.Length).OrderBy(i => (i * 7919) % 26).ToArray();

        var labels = Clusterer().Predict(data);
        var shuffledLabels = Clusterer().Predict(order.Select(i => data[i]).ToArray());

        var unshuffled = new int[data.Length];
        for (int j = 0; j < order.Length; j++)
        {
            unshuffled[order[j]] = shuffledLabels[j];
        }
        Assert.Equal(labels, SpectralClusterer.RenumberByFirstAppearance(unshuffled));
    }

    [Fact]
    public void Labels_are_numbered_in_order_of_first_appearance()
    {
        int[] sizes = [5, 5, 5];
        var data = Blobs(sizes);
        // Start with the last blob so a raw k-means label order would not be canonical by accident.
        var reordered = data.Skip(10).Concat(data.Take(10)).ToArray();

        var labels = Clusterer().Predict(reordered);

        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2], labels);
        Assert.Equal([0, 0, 1, 2, 1], SpectralClusterer.RenumberByFirstAppearance([7, 7, 3, 9, 3]));
    }

    [Fact]
    public void Span_input_gives_the_same_labels_as_jagged_rows()
    {
        var data = Blobs([6, 6, 6]);
        var flat = data.SelectMany(r => r).ToArray();

        Assert.Equal(Clusterer().Predict(data), Clusterer().Predict(flat, data.Length, Dims));
    }

    [Fact]
    public void Empty_input_gives_no_labels_and_one_input_gives_label_zero()
    {
        Assert.Empty(Clusterer().Predict([]));
        Assert.Equal([0], Clusterer().Predict([[1f, 2f]]));
        Assert.Equal([0], Clusterer(min: 3).Predict([[1f, 2f]]));
    }

    [Fact]
    public void Identical_rows_form_one_cluster()
    {
        var rows = Enumerable.Repeat(new[] { 0.3f, -1f, 2f }, 10).ToArray();

        var result = Clusterer().Cluster(rows);

        Assert.Equal(1, result.ClusterCount);
        Assert.All(result.Labels, l => Assert.Equal(0, l));
    }

    [Fact]
    public void Two_points_in_opposite_directions_are_two_clusters_when_two_are_asked_for()
    {
        Assert.Equal([0, 1], Clusterer(exact: 2).Predict([[1f, 0f], [-1f, 0f]]));
    }

    [Fact]
    public void A_zero_embedding_is_rejected_with_a_hint()
    {
        var ex = Assert.Throws<ArgumentException>(() => Clusterer().Predict([[1f, 0f], [0f, 0f], [0f, 1f]]));

        Assert.Contains("row 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("silent", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Input_above_max_input_size_fails_fast_saying_what_to_do()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Clusterer(maxInput: 5).Predict(Blobs([6])));

        Assert.Contains("6 embeddings exceed MaxInputSize 5", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Raise", ex.Message, StringComparison.Ordinal);
        Assert.Contains("streaming", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_blur_much_wider_than_the_matrix_smears_two_blobs_into_one()
    {
        // Why the default sigma is spectralcluster's 1 and not 30: on 20 windows a sigma of 30 averages the whole
        // affinity matrix, so the eigengap sees one cluster (numpy/scipy agree: eigenvalues 20, 3e-7, ...).
        var data = Blobs([20, 20], noise: 0.2);
        var wide = new SpectralClusterer(new SpectralClustererOptions { GaussianBlurSigma = 30 });

        Assert.Equal(1, wide.Cluster(data).ClusterCount);
        Assert.Equal(2, Clusterer(blur: 1).Cluster(data).ClusterCount);
    }

    [Fact]
    public void Eigengap_picks_the_largest_ratio_between_consecutive_eigenvalues()
    {
        Assert.Equal(2, SpectralClusterer.EstimateClusterCount([10.0, 9.7, 0.087, 0.015], 100, 1e-2));
        Assert.Equal(3, SpectralClusterer.EstimateClusterCount([3.0, 2.9, 2.8, 0.1, 0.05], 100, 1e-2));
    }

    [Fact]
    public void Eigengap_stops_at_the_first_eigenvalue_below_the_stop_value()
    {
        // Pairs after 0.005 are not considered, although 0.005 / 0.00001 would be the largest ratio.
        Assert.Equal(1, SpectralClusterer.EstimateClusterCount([5.0, 0.005, 0.00001], 100, 1e-2));
        Assert.Equal(0, SpectralClusterer.EstimateClusterCount([0.001, 0.0001], 100, 1e-2));
    }

    [Fact]
    public void Eigengap_considers_at_most_max_clusters_pairs()
    {
        // Uncapped, 2 / 0.01 wins (k = 3); with max 2 only the pairs (4, 3) and (3, 2) are looked at.
        Assert.Equal(3, SpectralClusterer.EstimateClusterCount([4.0, 3.0, 2.0, 0.01], 100, 1e-3));
        Assert.Equal(2, SpectralClusterer.EstimateClusterCount([4.0, 3.0, 2.0, 0.01], 2, 1e-3));
    }

    [Fact]
    public void Eigengap_survives_a_zero_eigenvalue()
    {
        Assert.Equal(1, SpectralClusterer.EstimateClusterCount([4.0, 0.0, 0.0], 100, 1e-2));
    }

    [Fact]
    public void Sorted_eigen_returns_eigenvalues_largest_first_with_matching_vectors()
    {
        var m = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(new[,] { { 2.0, 1.0 }, { 1.0, 2.0 } });

        var eigen = SpectralClusterer.ComputeSortedEigen(m);

        Assert.Equal(3.0, eigen.Values[0], 12);
        Assert.Equal(1.0, eigen.Values[1], 12);
        Assert.Equal(Math.Abs(eigen.Vectors[0, 0]), Math.Abs(eigen.Vectors[1, 0]), 12);
    }
}
