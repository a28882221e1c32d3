// Each refinement step of spectralcluster 0.1.0 on tiny matrices whose refined values are worked out by hand (or by scipy).
using MathNet.Numerics.LinearAlgebra;
using StreamDiarize.Core.Clustering;

namespace StreamDiarize.Core.Tests.Clustering;

public class AffinityRefinementTests
{
    private static Matrix<double> M(double[,] values) => Matrix<double>.Build.DenseOfArray(values);

    private static void AssertClose(double[,] expected, Matrix<double> actual, int digits = 12)
    {
        Assert.Equal(expected.GetLength(0), actual.RowCount);
        Assert.Equal(expected.GetLength(1), actual.ColumnCount);
        for (int r = 0; r < actual.RowCount; r++)
        {
            for (int c = 0; c < actual.ColumnCount; c++)
            {
                Assert.True(Math.Round(expected[r, c] - actual[r, c], digits) == 0, $"[{r},{c}] expected {expected[r, c]} got {actual[r, c]}");
            }
        }
    }

    [Fact]
    public void Crop_diagonal_replaces_each_diagonal_entry_with_the_largest_other_entry_of_its_row()
    {
        var y = M(new[,] { { 1.0, 0.2, 0.6 }, { 0.3, 1.0, 0.4 }, { 0.5, 0.9, 1.0 } });

        var cropped = AffinityRefinement.CropDiagonal(y);

        AssertClose(new[,] { { 0.6, 0.2, 0.6 }, { 0.3, 0.4, 0.4 }, { 0.5, 0.9, 0.9 } }, cropped);
        Assert.Equal(1.0, y[0, 0]);
    }

    [Fact]
    public void Gaussian_blur_matches_scipy_gaussian_filter_with_sigma_1_on_a_5x5_matrix()
    {
        var y = M(new[,]
        {
            { 1.0, 0.9, 0.2, 0.1, 0.0 },
            { 0.9, 1.0, 0.3, 0.2, 0.1 },
            { 0.2, 0.3, 1.0, 0.8, 0.7 },
            { 0.1, 0.2, 0.8, 1.0, 0.6 },
            { 0.0, 0.1, 0.7, 0.6, 1.0 },
        });

        // Made once with Debian's scipy 1.10.1: /usr/bin/python3 -c "from scipy.ndimage import gaussian_filter; print(gaussian_filter(Y, sigma=1))"
        // (mode 'reflect', truncate 4.0, so radius 4 reaches past the 5x5 edge and exercises the reflection).
        var scipy = new[,]
        {
            { 0.8701605894284784, 0.708965624343662, 0.42742501582338766, 0.21206871366857136, 0.11921683213892673 },
            { 0.7089656243436621, 0.6490382541357362, 0.5128280821283249, 0.3759453398905759, 0.29582822197879355 },
            { 0.42742501582338766, 0.512828082128325, 0.6091929932366884, 0.6133575590290572, 0.5617199441005397 },
            { 0.21206871366857133, 0.3759453398905759, 0.6133575590290572, 0.7326922392073738, 0.736697887559131 },
            { 0.11921683213892671, 0.29582822197879355, 0.5617199441005398, 0.736697887559131, 0.8108094826697837 },
        };

        AssertClose(scipy, AffinityRefinement.GaussianBlur(y, 1.0), digits: 14);
    }

    [Fact]
    public void Gaussian_blur_with_sigma_0_leaves_the_matrix_unchanged()
    {
        var y = M(new[,] { { 1.0, 0.2 }, { 0.3, 1.0 } });

        AssertClose(new[,] { { 1.0, 0.2 }, { 0.3, 1.0 } }, AffinityRefinement.GaussianBlur(y, 0));
    }

    [Fact]
    public void Gaussian_kernel_has_radius_int_of_4_sigma_plus_half_and_sums_to_one()
    {
        Assert.Equal(9, AffinityRefinement.GaussianKernel(1.0).Length);
        Assert.Equal(13, AffinityRefinement.GaussianKernel(1.5).Length);
        Assert.Equal(1.0, AffinityRefinement.GaussianKernel(2.3).Sum(), 12);
    }

    [Fact]
    public void Row_max_threshold_softens_entries_below_p_times_the_row_max()
    {
        var y = M(new[,] { { 1.0, 0.4, 0.6 }, { 0.2, 0.8, 0.5 }, { 0.3, 0.3, 0.9 } });

        // Thresholds 0.5, 0.4, 0.45 (p = 0.5); softened entries are multiplied by 0.01.
        var refined = AffinityRefinement.RowWiseThreshold(y, 0.5, 0.01, ThresholdingType.RowMax);

        AssertClose(new[,] { { 1.0, 0.004, 0.6 }, { 0.002, 0.8, 0.5 }, { 0.003, 0.003, 0.9 } }, refined);
    }

    [Fact]
    public void Percentile_threshold_softens_entries_below_the_rows_linear_percentile()
    {
        var y = M(new[,]
        {
            { 0.5, 0.1, 0.4, 0.3 },
            { 0.2, 0.8, 0.6, 0.9 },
            { 0.7, 0.7, 0.1, 0.3 },
            { 0.0, 0.25, 1.0, 0.5 },
        });

        // Row medians (p = 0.5): 0.35, 0.7, 0.5, 0.375. Soft multiplier 0.1.
        var refined = AffinityRefinement.RowWiseThreshold(y, 0.5, 0.1, ThresholdingType.Percentile);

        AssertClose(new[,]
        {
            { 0.5, 0.01, 0.4, 0.03 },
            { 0.02, 0.8, 0.06, 0.9 },
            { 0.7, 0.7, 0.01, 0.03 },
            { 0.0, 0.025, 1.0, 0.5 },
        }, refined);
    }

    [Fact]
    public void Percentile_matches_numpy_linear_interpolation()
    {
        // numpy.percentile(A, 95, axis=1) on the rows above, computed with Debian's numpy 1.24.2.
        Assert.Equal(0.485, AffinityRefinement.Percentile([0.5, 0.1, 0.4, 0.3], 95), 14);
        Assert.Equal(0.885, AffinityRefinement.Percentile([0.2, 0.8, 0.6, 0.9], 95), 14);
        Assert.Equal(0.7, AffinityRefinement.Percentile([0.7, 0.7, 0.1, 0.3], 95), 14);
        Assert.Equal(0.9249999999999998, AffinityRefinement.Percentile([0.0, 0.25, 1.0, 0.5], 95), 14);
    }

    [Fact]
    public void Symmetrize_max_takes_the_larger_of_each_mirrored_pair()
    {
        var y = M(new[,] { { 1.0, 0.2, 0.7 }, { 0.4, 1.0, 0.1 }, { 0.3, 0.5, 1.0 } });

        AssertClose(new[,] { { 1.0, 0.4, 0.7 }, { 0.4, 1.0, 0.5 }, { 0.7, 0.5, 1.0 } }, AffinityRefinement.Symmetrize(y, SymmetrizeType.Max));
    }

    [Fact]
    public void Symmetrize_average_takes_the_mean_of_each_mirrored_pair()
    {
        var y = M(new[,] { { 1.0, 0.2, 0.7 }, { 0.4, 1.0, 0.1 }, { 0.3, 0.5, 1.0 } });

        AssertClose(new[,] { { 1.0, 0.3, 0.5 }, { 0.3, 1.0, 0.3 }, { 0.5, 0.3, 1.0 } }, AffinityRefinement.Symmetrize(y, SymmetrizeType.Average));
    }

    [Fact]
    public void Diffuse_multiplies_the_matrix_by_its_transpose()
    {
        var y = M(new[,] { { 1.0, 2.0, 0.0 }, { 3.0, 4.0, 1.0 }, { 0.0, 1.0, 2.0 } });

        // Row dot products: r0.r0 = 5, r0.r1 = 11, r0.r2 = 2, r1.r1 = 26, r1.r2 = 6, r2.r2 = 5.
        AssertClose(new[,] { { 5.0, 11.0, 2.0 }, { 11.0, 26.0, 6.0 }, { 2.0, 6.0, 5.0 } }, AffinityRefinement.Diffuse(y));
    }

    [Fact]
    public void Row_wise_normalize_divides_each_row_by_its_max()
    {
        var y = M(new[,] { { 2.0, 4.0, 1.0 }, { 1.0, 0.5, 0.25 }, { 0.0, 0.0, 0.0 } });

        // The all-zero row stays zero instead of becoming NaN.
        AssertClose(new[,] { { 0.5, 1.0, 0.25 }, { 1.0, 0.5, 0.25 }, { 0.0, 0.0, 0.0 } }, AffinityRefinement.RowWiseNormalize(y));
    }

    [Fact]
    public void Apply_runs_the_steps_in_the_given_order()
    {
        var y = M(new[,] { { 1.0, 0.2 }, { 0.6, 1.0 } });
        var options = new SpectralClustererOptions { Refinements = [RefinementStep.Symmetrize, RefinementStep.RowWiseNormalize] };

        AssertClose(new[,] { { 1.0, 0.6 }, { 0.6, 1.0 } }, AffinityRefinement.Apply(y, options));
    }

    [Fact]
    public void Affinity_is_half_of_cosine_plus_one_whatever_the_vector_lengths()
    {
        var x = M(new[,] { { 2.0, 0.0 }, { 0.0, 5.0 }, { -1.0, 0.0 }, { 3.0, 3.0 } });

        var affinity = SpectralClusterer.ComputeAffinity(x);

        Assert.Equal(1.0, affinity[0, 0], 12);
        Assert.Equal(0.5, affinity[0, 1], 12);
        Assert.Equal(0.0, affinity[0, 2], 12);
        Assert.Equal((Math.Sqrt(0.5) + 1) / 2, affinity[0, 3], 12);
        Assert.Equal(affinity[3, 1], affinity[1, 3], 12);
    }
}
