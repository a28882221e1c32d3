// Speaker hints: what is accepted, what is refused (all problems at once), and the cluster limits they become.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Pipeline;

namespace StreamDiarize.Core.Tests.Pipeline;

public class SpeakerHintsTests
{
    [Fact]
    public void No_hint_means_one_cluster_up_to_the_default_cap()
    {
        Assert.Equal(new ClusterCountLimits(1, 4), SpeakerHints.None.ToLimits(4));
    }

    [Fact]
    public void An_exact_count_becomes_equal_limits_and_a_minimum_above_the_cap_raises_it()
    {
        Assert.Equal(ClusterCountLimits.Exactly(3), new SpeakerHints { ExactSpeakers = 3 }.ToLimits(4));
        Assert.Equal(new ClusterCountLimits(6, 6), new SpeakerHints { MinSpeakers = 6 }.ToLimits(4));
        Assert.Equal(new ClusterCountLimits(2, 8), new SpeakerHints { MinSpeakers = 2, MaxSpeakers = 8 }.ToLimits(4));
    }

    [Fact]
    public void Contradictory_or_out_of_range_hints_are_all_reported()
    {
        var ex = Assert.Throws<OptionsValidationException>(() =>
            new SpeakerHints { ExactSpeakers = 0, MinSpeakers = 5, MaxSpeakers = 3 }.Validate(maxClusters: 20));
        Assert.Equal(3, ex.Errors.Count);
        Assert.Single(new SpeakerHints { MaxSpeakers = 21 }.GetValidationErrors(20));
    }
}
