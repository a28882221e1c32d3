// Live window memory: old windows fold into pre-clusters of one speaker, pre-clusters are joined when too many,
// folded windows keep their speaker through their pre-cluster, and the horizon forgets them.
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Core.Tests.Streaming;

public class WindowMemoryTests
{
    private static (WindowMemory Memory, VectorPool Pool) Make(OnlineDiarizerOptions options)
    {
        var space = new WindowSpace(2, 0, zScore: false, pitchWeight: 0, epsilon: 0);
        space.TakeSnapshot();
        var pool = new VectorPool(2, options.MaxActiveWindows);
        return (new WindowMemory(options, space, pool, splitting: false), pool);
    }

    [Fact]
    public void Old_windows_fold_into_pre_clusters_of_one_speaker_and_keep_their_speaker()
    {
        var (memory, pool) = Make(new OnlineDiarizerOptions { MaxActiveWindows = 4, WindowsPerPreCluster = 2 });
        int[] speakers = [0, 0, 0, 1, 1];
        var vectors = new List<double[]>();
        for (int i = 0; i < speakers.Length; i++)
        {
            var v = new double[] { i + 1, 1 };
            vectors.Add(v);
            memory.Add(new LiveWindow(100 + 25 * i, v, speakers[i]));
        }
        memory.FoldIfFull();

        // Five active windows, bound four: the oldest three fold, two per pre-cluster and never across speakers.
        Assert.Equal(2, memory.ActiveWindows);
        Assert.Equal(2, memory.PreClusters.Count);
        Assert.Equal([3.0, 2.0], memory.PreClusters[0].Sum!);
        Assert.Equal(2, memory.PreClusters[0].Weight);
        Assert.Equal(1, memory.PreClusters[1].Weight);
        Assert.Null(memory.Windows[0].Vector);
        Assert.Equal(1, memory.Windows[2].PreCluster);

        // A folded window's speaker is its pre-cluster's.
        memory.PreClusters[0].Speaker = 7;
        Assert.Equal(7, memory.SpeakerOf(memory.Windows[1]));
        Assert.Equal(7, memory.SpeakerAt(0));
        Assert.Equal(1, memory.SpeakerAt(4));
        // Folded vectors are handed back for the next windows.
        Assert.Contains(vectors.Take(3), v => ReferenceEquals(v, pool.Rent()));
    }

    [Fact]
    public void Too_many_pre_clusters_are_joined_within_each_speaker_most_alike_first()
    {
        var (memory, _) = Make(new OnlineDiarizerOptions { MaxActiveWindows = 2, WindowsPerPreCluster = 1, MaxPreClusters = 4 });
        // Speaker 0 alternates between two directions; speaker 1 has one window.
        double[][] vectors = [[1, 0], [0, 1], [1, 0.01], [0.01, 1], [1, 0.02], [5, 5], [9, 9], [9, 9]];
        int[] speakers = [0, 0, 0, 0, 0, 1, 1, 1];
        for (int i = 0; i < vectors.Length; i++)
        {
            memory.Add(new LiveWindow(25 * i, vectors[i], speakers[i]));
            memory.FoldIfFull();
        }

        var live = memory.PreClusters.Where(p => p.Sum is not null).ToList();
        Assert.InRange(live.Count, 1, 4);
        Assert.Equal(memory.PreClusters.Count, live.Count);
        Assert.Equal(memory.Count - memory.ActiveWindows, (int)live.Sum(p => p.Weight));
        // Joined pre-clusters never mix speakers, and the [1, 0] windows were joined before any [0, 1] one.
        Assert.All(memory.Windows.Take(5), w => Assert.Equal(0, memory.SpeakerOf(w)));
        int first = memory.Resolve(memory.Windows[0].PreCluster);
        Assert.Equal(first, memory.Resolve(memory.Windows[2].PreCluster));
        Assert.NotEqual(first, memory.Resolve(memory.Windows[1].PreCluster));
    }

    [Fact]
    public void The_horizon_forgets_only_folded_windows_that_no_turn_needs()
    {
        var (memory, _) = Make(new OnlineDiarizerOptions { MaxActiveWindows = 2, WindowsPerPreCluster = 8 });
        for (int i = 0; i < 6; i++)
        {
            memory.Add(new LiveWindow(100 * i, [1, i], 0));
        }
        memory.FoldIfFull();
        Assert.Equal(1, memory.ActiveWindows);

        memory.Trim(limitFrame: 1000, oldestNeeded: 2);
        Assert.Equal(2, memory.Base);
        memory.Trim(limitFrame: 350, oldestNeeded: 100);
        Assert.Equal(4, memory.Base);
        Assert.Equal(2, memory.Count);
        // Active windows stay whatever the limit.
        memory.Trim(limitFrame: 10_000, oldestNeeded: 100);
        Assert.Equal(5, memory.Base);
        Assert.NotNull(memory.Windows[0].Vector);
    }

    [Fact]
    public void The_nearest_centre_search_starts_just_before_the_frame()
    {
        var (memory, _) = Make(new OnlineDiarizerOptions());
        Assert.Equal(0, memory.SearchStart(50));
        foreach (int centre in new[] { 75, 100, 125 })
        {
            memory.Add(new LiveWindow(centre, [1, 0], 0));
        }

        Assert.Equal(0, memory.SearchStart(50));
        Assert.Equal(0, memory.SearchStart(100));
        Assert.Equal(1, memory.SearchStart(101));
        Assert.Equal(1, memory.SearchStart(1000));
    }
}
