// Live speaker ids: made in order, announced, and confirmed only once a later re-clustering kept them.
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Core.Tests.Streaming;

public class SpeakerRosterTests
{
    [Fact]
    public void Ids_are_made_in_order_announced_and_never_reused()
    {
        var roster = new SpeakerRoster();
        var events = new List<DiarizationEvent>();

        Assert.Equal(0, roster.Add(events, 1.5));
        Assert.Equal(1, roster.Add(events, 2));
        roster.Remove(0);
        Assert.Equal(2, roster.Add(events, 3));

        Assert.Equal(2, roster.Count);
        Assert.Equal([new SpeakerAddedEvent(1.5, "S0"), new SpeakerAddedEvent(2, "S1"), new SpeakerAddedEvent(3, "S2")], events);
    }

    [Fact]
    public void An_id_is_confirmed_after_the_second_re_clustering_that_follows_its_making()
    {
        var roster = new SpeakerRoster();
        int id = roster.Add([], 0);
        Assert.False(roster.Confirmed(id));
        roster.BeginRecluster();
        Assert.False(roster.Confirmed(id));
        roster.BeginRecluster();
        Assert.True(roster.Confirmed(id));
        Assert.False(roster.Confirmed(-1));
    }
}
