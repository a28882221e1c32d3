// The frame labelling rules shared by the offline diarizer and the live turn emitter.
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Tests.Segments;

public class FrameLabelRulesTests
{
    [Fact]
    public void The_nearest_centre_wins_and_the_earlier_on_a_tie()
    {
        int[] centres = [10, 20, 40];
        int Nearest(int from, long frame) => FrameLabelRules.NearestWindow(new FrameLabelRules.ArrayCentres(centres), from, frame);

        Assert.Equal(0, Nearest(0, 0));
        Assert.Equal(0, Nearest(0, 15));
        Assert.Equal(1, Nearest(0, 16));
        Assert.Equal(1, Nearest(0, 30));
        Assert.Equal(2, Nearest(1, 31));
        Assert.Equal(2, Nearest(0, 1000));
    }

    [Theory]
    [InlineData(1, 1, true, 1)]
    [InlineData(1, 2, true, -1)]
    [InlineData(-1, 2, true, -1)]
    [InlineData(1, -1, true, -1)]
    [InlineData(1, 2, false, 1)]
    [InlineData(1, -1, false, -1)]
    public void A_pause_keeps_the_speaker_on_both_sides_or_an_unconfirmed_one_before_it(int before, int after, bool confirmed, int expected)
    {
        Assert.Equal(expected, FrameLabelRules.PauseLabel(before, after, confirmed));
    }
}
