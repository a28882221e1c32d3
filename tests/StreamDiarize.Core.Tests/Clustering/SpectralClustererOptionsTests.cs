// Options validation: every problem reported at once, each naming the option and what to give instead.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Options;

namespace StreamDiarize.Core.Tests.Clustering;

public class SpectralClustererOptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_follow_spectralcluster()
    {
        var options = new SpectralClustererOptions();

        Assert.Empty(options.GetValidationErrors());
        Assert.Null(options.Refinements);
        Assert.Equal(SpectralClustererOptions.DefaultRefinements, options.EffectiveRefinements);
        Assert.Equal(1.0, options.GaussianBlurSigma);
        Assert.Equal(0.95, options.PPercentile);
        Assert.False(options.RowWiseRenormalize);
    }

    [Fact]
    public void Validation_lists_every_error_at_once()
    {
        var options = new SpectralClustererOptions
        {
            MinClusters = 0,
            ExactClusters = 0,
            PPercentile = 1.5,
            GaussianBlurSigma = -1,
            ThresholdingSoftMultiplier = 2,
            Refinements = [RefinementStep.Diffuse, (RefinementStep)42],
            StopEigenvalue = double.NaN,
            KMeansMaxIterations = 0,
            MaxInputSize = 0,
        };

        var ex = Assert.Throws<OptionsValidationException>(() => new SpectralClusterer(options));

        string[] named = ["MinClusters", "ExactClusters", "PPercentile", "GaussianBlurSigma", "ThresholdingSoftMultiplier", "Refinements[1]", "StopEigenvalue", "KMeansMaxIterations", "MaxInputSize"];
        Assert.Equal(named.Length, ex.Errors.Count);
        foreach (var name in named)
        {
            Assert.Contains(ex.Errors, e => e.StartsWith(name, StringComparison.Ordinal));
            Assert.Contains(name, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Max_clusters_below_min_clusters_is_an_error()
    {
        var errors = new SpectralClustererOptions { MinClusters = 4, MaxClusters = 3 }.GetValidationErrors();

        Assert.Equal(["MaxClusters 3 is below MinClusters 4: give MaxClusters >= MinClusters"], errors);
    }

    [Fact]
    public void The_clusterer_keeps_its_own_copy_of_the_refinement_sequence()
    {
        var steps = new List<RefinementStep> { RefinementStep.CropDiagonal };
        var clusterer = new SpectralClusterer(new SpectralClustererOptions { Refinements = steps });

        steps.Add(RefinementStep.Diffuse);

        Assert.Equal([RefinementStep.CropDiagonal], clusterer.Options.Refinements);
    }
}
