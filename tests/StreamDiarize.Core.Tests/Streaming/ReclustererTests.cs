// Live re-clustering as a plan: clusters mapped onto the ids in use, new ids only for new clusters, whole ids merged.
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Core.Tests.Streaming;

public class ReclustererTests
{
    private static (WindowMemory Memory, Reclusterer Reclusterer) Make(SessionOptions? session = null, double relabelMargin = 0.1)
    {
        var options = new OnlineDiarizerOptions { RelabelMargin = relabelMargin };
        var space = new WindowSpace(2, 0, zScore: false, pitchWeight: 0, epsilon: 1e-8);
        var memory = new WindowMemory(options, space, new VectorPool(2, 10), splitting: false);
        return (memory, new Reclusterer(new DefaultDiarizerOptions(), options, session ?? new SessionOptions(), space, splitter: null));
    }

    private static void AddWindows(WindowMemory memory, int count, double x, double y, int speaker)
    {
        for (int i = 0; i < count; i++)
        {
            memory.Add(new LiveWindow(25 * memory.Count, [x, y + 0.01 * i], speaker));
        }
    }

    [Fact]
    public void A_second_voice_inside_one_id_gets_a_new_id_and_the_first_keeps_its_own()
    {
        var (memory, reclusterer) = Make();
        AddWindows(memory, 12, 1, 0, speaker: 0);
        AddWindows(memory, 8, -1, 0, speaker: 0);

        var plan = reclusterer.Plan(memory, nextId: 1);

        Assert.Equal(20, plan.Size);
        Assert.Equal(1, plan.NewSpeakers);
        Assert.All(plan.Targets.Take(12), t => Assert.Equal(0, t));
        Assert.All(plan.Targets.Skip(12), t => Assert.Equal(1, t));
        Assert.Empty(plan.Merged);
        Assert.Empty(plan.Gone);
        Assert.Equal([0, 1], plan.Centroids.Keys.Order());
        // The plan changes nothing by itself.
        Assert.All(memory.Windows, w => Assert.Equal(0, w.Speaker));
    }

    [Fact]
    public void Two_ids_of_one_voice_merge_into_the_larger()
    {
        var (memory, reclusterer) = Make();
        AddWindows(memory, 5, 1, 0, speaker: 3);
        AddWindows(memory, 10, 1, 0.1, speaker: 2);

        var plan = reclusterer.Plan(memory, nextId: 4);

        Assert.Equal(0, plan.NewSpeakers);
        Assert.All(plan.Targets, t => Assert.Equal(2, t));
        Assert.Equal(new Dictionary<int, int> { [3] = 2 }, plan.Merged);
        Assert.Equal([3], plan.Gone);
    }

    [Theory]
    [InlineData(0.1, 0)]
    [InlineData(0, 1)]
    public void A_point_near_the_boundary_stays_with_its_speaker_within_the_relabel_margin(double margin, int expected)
    {
        var (memory, reclusterer) = Make(new SessionOptions { ExactSpeakers = 2 }, margin);
        AddWindows(memory, 10, 1, 0, speaker: 0);
        AddWindows(memory, 10, 0, 1, speaker: 1);
        // Between the two voices, a little nearer the second (0.22 against 0.30), but labelled with the first.
        memory.Add(new LiveWindow(10_000, [0.9, 1], 0));

        var plan = reclusterer.Plan(memory, nextId: 2);

        Assert.Equal(expected, plan.Targets[^1]);
    }

    [Fact]
    public void An_empty_memory_gives_an_empty_plan()
    {
        var (memory, reclusterer) = Make();
        Assert.Equal(0, reclusterer.Plan(memory, 0).Size);
    }
}
