// Recursive splitting on hand-made window statistics whose voices and groups are known.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Embedding;
using StreamDiarize.Core.Options;

namespace StreamDiarize.Core.Tests.Clustering;

public class RecursiveSplitterTests
{
    private const int GroupDims = 10;
    private const int VoiceDims = 6;
    private const int Dims = GroupDims + VoiceDims;

    /// <summary>
    /// Raw statistics of a meeting of four voices in two groups: ten dimensions say which group (+-1), six say which
    /// voice inside the group (+-1), with a little noise. Turns of <paramref name="turn"/> windows cycle A1, B1, A2, B2,
    /// so a voice's windows are adjacent only within its own turns. With <paramref name="alternate"/>, the two voices of
    /// each group instead alternate inside one long turn per group, every <paramref name="block"/> windows.
    /// </summary>
    private static (WindowEmbeddings Session, int[] Voice) Meeting(int windowsPerVoice, int turn = 40, bool alternate = false, int seed = 5, int block = 1)
    {
        var (session, voices, _) = MeetingWithRaw(windowsPerVoice, turn, alternate, seed, block);
        return (session, voices);
    }

    private static (WindowEmbeddings Session, int[] Voice, double[] Raw) MeetingWithRaw(int windowsPerVoice, int turn = 40, bool alternate = false, int seed = 5, int block = 1)
    {
        var random = new Random(seed);
        var voices = new List<int>();
        if (alternate)
        {
            for (int g = 0; g < 2; g++)
            {
                for (int i = 0; i < 2 * windowsPerVoice; i++)
                {
                    voices.Add(2 * g + (i / block % 2));
                }
            }
        }
        else
        {
            int[] cycle = [0, 2, 1, 3];
            for (int done = 0; done < windowsPerVoice; done += turn)
            {
                foreach (int v in cycle)
                {
                    for (int i = 0; i < Math.Min(turn, windowsPerVoice - done); i++)
                    {
                        voices.Add(v);
                    }
                }
            }
        }
        var raw = new double[voices.Count * Dims];
        for (int w = 0; w < voices.Count; w++)
        {
            int group = voices[w] / 2;
            int voice = voices[w] % 2;
            for (int k = 0; k < Dims; k++)
            {
                double sign = k < GroupDims ? (group == 0 ? 1 : -1) : (voice == 0 ? 1 : -1) * (k % 2 == 0 ? 1 : -1);
                raw[w * Dims + k] = sign + 0.05 * (random.NextDouble() - 0.5);
            }
        }
        var statistics = new WindowStatistics(raw, Dims, null, 0, 1e-8);
        var centres = Enumerable.Range(0, voices.Count).Select(i => 75 + 25 * i).ToArray();
        var session = new WindowEmbeddings(statistics.NormaliseAll(), Dims, centres, 0.01) { Statistics = statistics };
        return (session, [.. voices], raw);
    }

    /// <summary>
    /// The live diarizer's view of the same windows: runs of up to <paramref name="run"/> consecutive windows of one
    /// voice folded into pre-clusters (sums), with the window sequence pointing at them; the session rows and weights of
    /// those points; and each window's point.
    /// </summary>
    private static (FoldedWindowStatistics Points, double[] Session, double[] Weights, int[] PointOfWindow) Fold(double[] raw, int[] voices, int run)
    {
        var groups = new List<List<int>>();
        for (int w = 0; w < voices.Length; w++)
        {
            if (groups.Count == 0 || voices[groups[^1][0]] != voices[w] || groups[^1].Count == run)
            {
                groups.Add([]);
            }
            groups[^1].Add(w);
        }
        var points = new FoldedWindowStatistics(Dims, false, 0, 1e-8, groups.Count);
        var pointOfWindow = new int[voices.Length];
        foreach (var group in groups)
        {
            var sums = new RunningWindowStatistics(Dims);
            foreach (int w in group)
            {
                sums.Add(raw.AsSpan(w * Dims, Dims));
            }
            int p = points.AddFolded(sums);
            foreach (int w in group)
            {
                pointOfWindow[w] = p;
            }
        }
        points.SetWindowPoints(pointOfWindow);
        var all = Enumerable.Range(0, groups.Count).ToArray();
        return (points, points.Normalise(all), [.. groups.Select(g => (double)g.Count)], pointOfWindow);
    }

    private static int[] FoldedSessionLabels(double[] session, double[] weights) =>
        new AgglomerativeClusterer().Cluster(session, weights, Dims, default, RowSimilarity.DotProduct);

    private static int[] SessionLabels(WindowEmbeddings session) => new AgglomerativeClusterer().Cluster(session.Data, session.Dims);

    /// <summary>True when the two labellings induce the same partition.</summary>
    private static bool SamePartition(int[] a, int[] b) =>
        a.Length == b.Length && a.Zip(b).Distinct().Count() == a.Distinct().Count() && a.Distinct().Count() == b.Distinct().Count();

    [Fact]
    public void The_session_rule_sees_two_groups_and_splitting_finds_the_four_voices()
    {
        var (session, voices) = Meeting(160);
        var top = SessionLabels(session);
        Assert.Equal(2, top.Distinct().Count());

        var split = new RecursiveSplitter().Split(top, session, 20);

        Assert.Equal(4, split.Distinct().Count());
        Assert.True(SamePartition(voices, split));
    }

    [Fact]
    public void A_split_that_alternates_window_by_window_is_not_a_new_speaker()
    {
        var (session, _) = Meeting(160, alternate: true);
        var top = SessionLabels(session);

        var split = new RecursiveSplitter().Split(top, session, 20);

        Assert.True(SamePartition(top, split));
        // Without the turn-taking check the same data does split (at least into the four voices; below the session's
        // threshold, noise inside one voice splits too): the check is what holds it back.
        var unchecked_ = new RecursiveSplitter(new RecursiveSplitOptions { MaxSwitchRate = 1 }).Split(top, session, 20);
        Assert.True(unchecked_.Distinct().Count() >= 4);
    }

    [Fact]
    public void Clusters_smaller_than_MinWindows_are_left_as_they_are()
    {
        var (session, _) = Meeting(40, turn: 20);
        var top = SessionLabels(session);
        Assert.Equal(2, top.Distinct().Count());

        Assert.True(SamePartition(top, new RecursiveSplitter().Split(top, session, 20)));
        var lower = new RecursiveSplitter(new RecursiveSplitOptions { MinWindows = 60 });
        Assert.Equal(4, lower.Split(top, session, 20).Distinct().Count());
    }

    [Fact]
    public void The_maximum_count_is_never_exceeded_and_depth_zero_turns_splitting_off()
    {
        var (session, _) = Meeting(160);
        var top = SessionLabels(session);

        var capped = new RecursiveSplitter().Split(top, session, 3);
        Assert.Equal(3, capped.Distinct().Count());
        Assert.Equal(top, new RecursiveSplitter(new RecursiveSplitOptions { MaxDepth = 0 }).Split(top, session, 20));
    }

    [Fact]
    public void Without_window_statistics_the_labels_come_back_unchanged()
    {
        var (session, _) = Meeting(160);
        var neural = new WindowEmbeddings(session.Data, session.Dims, session.CentreFrames, session.FrameHopSeconds);
        var top = SessionLabels(neural);

        Assert.Equal(top, new RecursiveSplitter().Split(top, neural, 20));
    }

    [Fact]
    public void Invalid_options_are_all_listed()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new RecursiveSplitOptions
        {
            MaxDepth = -1, MinWindows = 1, MinPartWindows = 0, DistanceThreshold = 3, MaxSwitchRate = 2, SmoothingWindows = -1,
        }.Validate());
        foreach (var name in new[] { "MaxDepth", "MinWindows", "MinPartWindows", "DistanceThreshold", "MaxSwitchRate", "SmoothingWindows" })
        {
            Assert.Contains(name, ex.Message);
        }
    }

    [Fact]
    public void Normalising_a_subset_z_scores_over_that_subset_only()
    {
        // Two windows, two dimensions: over the pair each dimension becomes -1 / +1, then rows are unit length.
        var statistics = new WindowStatistics([0, 10, 2, 30, 100, -100], 2, null, 0, 1e-12);
        var pair = statistics.Normalise([0, 1]);
        double h = Math.Sqrt(0.5);
        Assert.Equal(new[] { -h, -h, h, h }, pair, (x, y) => Math.Abs(x - y) < 1e-9);
        Assert.Equal(3, statistics.Count);
        Assert.NotEqual(pair, statistics.NormaliseAll().AsSpan(0, 4).ToArray());
    }

    [Fact]
    public void Windows_given_as_weighted_points_one_by_one_split_as_offline()
    {
        var (session, _, raw) = MeetingWithRaw(160);
        var top = SessionLabels(session);
        var points = new FoldedWindowStatistics(Dims, false, 0, 1e-8, session.Count);
        for (int w = 0; w < session.Count; w++)
        {
            points.AddWindow(raw.AsSpan(w * Dims, Dims));
        }
        points.SetWindowPoints([.. Enumerable.Range(0, session.Count)]);
        var weights = Enumerable.Repeat(1.0, session.Count).ToArray();

        var live = new RecursiveSplitter().Split(top, session.Data, Dims, weights, points, 20);

        Assert.True(SamePartition(new RecursiveSplitter().Split(top, session, 20), live));
    }

    [Fact]
    public void Pre_clusters_of_one_voice_split_into_the_four_voices_as_their_windows_do()
    {
        var (_, voices, raw) = MeetingWithRaw(160);
        var (points, session, weights, pointOfWindow) = Fold(raw, voices, 8);
        Assert.True(points.Count < voices.Length / 7);
        var top = FoldedSessionLabels(session, weights);
        Assert.Equal(2, top.Distinct().Count());

        var split = new RecursiveSplitter().Split(top, session, Dims, weights, points, 20);

        var windowLabels = pointOfWindow.Select(p => split[p]).ToArray();
        Assert.True(SamePartition(voices, windowLabels));
    }

    [Fact]
    public void Turn_taking_reads_a_pre_cluster_as_its_run_of_windows()
    {
        // Inside each group's long turn the two voices alternate every 8 windows: each block is one pre-cluster with no
        // change inside, but blocks of different voices follow each other, so the split changes part every 8 windows.
        var (_, voices, raw) = MeetingWithRaw(160, alternate: true, block: 8);
        var (points, session, weights, _) = Fold(raw, voices, 8);
        var top = FoldedSessionLabels(session, weights);
        Assert.Equal(2, top.Distinct().Count());

        Assert.True(SamePartition(top, new RecursiveSplitter().Split(top, session, Dims, weights, points, 20)));
        // A change every 8 windows is a rate of 1/8: allowed, the same pre-clusters split into the voices.
        var lenient = new RecursiveSplitter(new RecursiveSplitOptions { MaxSwitchRate = 0.2 });
        Assert.Equal(4, lenient.Split(top, session, Dims, weights, points, 20).Distinct().Count());
    }
}
