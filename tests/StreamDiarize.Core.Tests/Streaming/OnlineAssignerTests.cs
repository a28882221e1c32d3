// Online assignment: the nearest centroid, a new speaker when far from all, within the session's hints.
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Core.Tests.Streaming;

public class OnlineAssignerTests
{
    private static (OnlineAssigner Assigner, SpeakerRoster Roster) Make(SessionOptions session)
    {
        var space = new WindowSpace(2, 0, zScore: false, pitchWeight: 0, epsilon: 0);
        space.TakeSnapshot();
        var roster = new SpeakerRoster();
        var assigner = new OnlineAssigner(space, roster, newSpeakerDistance: 0.5, session);
        return (assigner, roster);
    }

    [Fact]
    public void The_first_window_makes_the_first_speaker_and_later_ones_follow_the_latest_until_centroids_exist()
    {
        var (assigner, roster) = Make(new SessionOptions());
        var events = new List<DiarizationEvent>();

        Assert.Equal(0, assigner.Assign([1, 0], events, 0.5));
        roster.Latest = 0;
        Assert.Equal(0, assigner.Assign([0, 1], events, 0.75));
        Assert.Single(events);
    }

    [Fact]
    public void A_window_near_a_centroid_takes_it_and_a_far_one_makes_a_new_speaker()
    {
        var (assigner, roster) = Make(new SessionOptions());
        var events = new List<DiarizationEvent>();
        roster.Add(events, 0);
        roster.Add(events, 0);
        assigner.Replace(new() { [0] = [1, 0], [1] = [0.6, 0.8] });

        Assert.Equal(0, assigner.Assign([10, 1], events, 1));
        Assert.Equal(1, assigner.Assign([5, 7], events, 1));
        // Opposite to both: a third speaker, whose centroid then attracts its neighbours.
        Assert.Equal(2, assigner.Assign([-1, -0.1], events, 2));
        Assert.Equal(2, assigner.Assign([-1, -0.2], events, 2));
        Assert.Equal(new SpeakerAddedEvent(2, "S2"), events[^1]);
    }

    [Fact]
    public void An_exact_speaker_count_never_adds_a_speaker_online()
    {
        var (assigner, roster) = Make(new SessionOptions { ExactSpeakers = 2 });
        roster.Add([], 0);
        assigner.Replace(new() { [0] = [1, 0] });

        Assert.Equal(0, assigner.Assign([-1, 0], [], 1));
        Assert.Equal(1, roster.Count);
    }
}
