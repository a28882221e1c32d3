// Frames to turns: runs of equal labels become segments at the right times; short turns are cleaned as configured.
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Tests.Segments;

public sealed class FrameGrouperTests
{
    [Fact]
    public void Runs_of_equal_labels_become_one_segment_each()
    {
        int[] labels = [0, 0, 0, 1, 1, 0];
        var segs = FrameGrouper.Group(labels, new FrameTimeline(0.5, 0.5), FrameGrouper.DefaultName);
        Assert.Equal(
            [new SpeakerSegment(0, 1.5, "S0"), new SpeakerSegment(1.5, 2.5, "S1"), new SpeakerSegment(2.5, 3.0, "S0")],
            segs);
    }

    [Fact]
    public void Negative_labels_are_gaps_not_speakers()
    {
        int[] labels = [-1, 2, 2, -1, -1, 2];
        var segs = FrameGrouper.Group(labels, new FrameTimeline(0.1, 0.1), FrameGrouper.DefaultName);
        Assert.Equal(2, segs.Count);
        Assert.Equal(0.1, segs[0].StartSeconds, 9);
        Assert.Equal(0.3, segs[0].EndSeconds, 9);
        Assert.Equal("S2", segs[1].Speaker);
        Assert.Equal(0.6, segs[1].EndSeconds, 9);
    }

    [Fact]
    public void Evenly_spread_frames_cover_the_whole_audio()
    {
        var t = FrameTimeline.EvenlySpread(1000, 30.0);
        Assert.Equal(0.03, t.StepSeconds, 12);
        var segs = FrameGrouper.Group(new int[1000], t, FrameGrouper.DefaultName);
        Assert.Single(segs);
        Assert.Equal(30.0, segs[0].EndSeconds, 9);
    }

    [Fact]
    public void A_short_turn_between_two_turns_merges_into_the_longer_neighbour()
    {
        var segs = new List<SpeakerSegment> { new(0, 2, "A"), new(2, 2.1, "B"), new(2.1, 3, "C") };
        var cleaned = FrameGrouper.CleanShort(segs, 0.2, ShortSegmentPolicy.Merge);
        Assert.Equal([new SpeakerSegment(0, 2.1, "A"), new SpeakerSegment(2.1, 3, "C")], cleaned);
    }

    [Fact]
    public void Merging_a_blip_joins_the_same_speaker_on_both_sides()
    {
        var segs = new List<SpeakerSegment> { new(0, 2, "A"), new(2, 2.05, "B"), new(2.05, 3, "A") };
        var cleaned = FrameGrouper.CleanShort(segs, 0.2, ShortSegmentPolicy.Merge);
        Assert.Equal([new SpeakerSegment(0, 3, "A")], cleaned);
    }

    [Fact]
    public void Dropping_leaves_a_gap()
    {
        var segs = new List<SpeakerSegment> { new(0, 2, "A"), new(2, 2.1, "B"), new(2.1, 3, "A") };
        var cleaned = FrameGrouper.CleanShort(segs, 0.2, ShortSegmentPolicy.Drop);
        Assert.Equal([new SpeakerSegment(0, 2, "A"), new SpeakerSegment(2.1, 3, "A")], cleaned);
    }

    [Fact]
    public void Keep_changes_nothing_but_joins_touching_turns()
    {
        var segs = new List<SpeakerSegment> { new(0, 1, "A"), new(1, 1.01, "A") };
        Assert.Equal([new SpeakerSegment(0, 1.01, "A")], FrameGrouper.CleanShort(segs, 0.2, ShortSegmentPolicy.Keep));
    }
}
