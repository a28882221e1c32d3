// The segment kernel on hand-made Gaussians: sufficient statistics merge exactly, voices are counted, a dominant voice does not swamp the rest.
using StreamDiarize.Core.Clustering;

namespace StreamDiarize.Core.Tests.Clustering;

public sealed class SegmentClustererTests
{
    private const int Dims = 4;

    /// <summary>A segment of <paramref name="frames"/> frames from a Gaussian voice: its own mean and per-dimension scale.</summary>
    private static GaussianStats Segment(Random random, double[] mean, double[] scale, int frames)
    {
        var g = new GaussianStats(Dims);
        var x = new float[Dims];
        for (int f = 0; f < frames; f++)
        {
            for (int k = 0; k < Dims; k++)
            {
                // Box-Muller: a normal deviate from two uniforms.
                double u = 1 - random.NextDouble(), v = random.NextDouble();
                x[k] = (float)(mean[k] + scale[k] * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
            }
            g.Add(x);
        }
        return g;
    }

    private static readonly double[][] Means = [[0, 0, 0, 0], [1.5, -1, 0.5, 0], [-1, 1.5, 0, 1], [0.5, 0.5, -1.5, -1]];
    private static readonly double[][] Scales = [[1, 1, 1, 1], [0.6, 1.2, 1, 0.8], [1.3, 0.7, 0.9, 1.1], [0.9, 0.9, 1.4, 0.6]];

    private static (List<GaussianStats> Segments, List<int> Voices) Conversation(int seed, params int[] segmentsPerVoice)
    {
        var random = new Random(seed);
        var segments = new List<GaussianStats>();
        var voices = new List<int>();
        var left = (int[])segmentsPerVoice.Clone();
        while (left.Any(n => n > 0))
        {
            int v = random.Next(left.Length);
            if (left[v] == 0)
            {
                continue;
            }
            left[v]--;
            segments.Add(Segment(random, Means[v], Scales[v], 150));
            voices.Add(v);
        }
        return (segments, voices);
    }

    private static double[] SessionFloor(SegmentClusterer clusterer, List<GaussianStats> segments)
    {
        var session = new GaussianStats(Dims);
        foreach (var s in segments)
        {
            session.Add(s);
        }
        return clusterer.Floor(session);
    }

    /// <summary>The share of segments whose cluster is not the one most of their voice went to.</summary>
    private static double Impurity(IReadOnlyList<int> labels, IReadOnlyList<int> voices)
    {
        int wrong = 0;
        foreach (int v in voices.Distinct())
        {
            var mine = Enumerable.Range(0, voices.Count).Where(i => voices[i] == v).Select(i => labels[i]).ToList();
            int major = mine.GroupBy(l => l).OrderByDescending(g => g.Count()).First().Key;
            wrong += mine.Count(l => l != major);
        }
        return wrong / (double)voices.Count;
    }

    [Fact]
    public void A_cluster_of_two_voices_that_take_turns_is_split_but_not_one_voice_nor_two_one_after_the_other()
    {
        // Voices 0 and 1 take turns (a random order), all in one cluster, as the first stage can leave two voices.
        var (mixed, voices) = Conversation(5, 20, 20);
        var clusterer = new SegmentClusterer(new SegmentClusteringOptions { Coefficients = Dims, FirstCoefficient = 0 });
        var floor = SessionFloor(clusterer, mixed);
        var options = new SegmentClusteringOptions();
        double weight = options.SplitWeightFactor * options.MergeLambda;
        var labels = new int[mixed.Count];

        Assert.Equal(1, SegmentClusterer.SplitByHeldOut(mixed, labels, floor, options.SplitHeldOutGain, weight, options.SplitMinRunShare));
        // Two clusters, each one voice.
        Assert.Equal(2, labels.Distinct().Count());
        Assert.Equal(0, Impurity(labels, voices));
        Assert.Equal(0, Impurity(voices, labels));
        // At most one cluster in all leaves it whole.
        Assert.Equal(0, SegmentClusterer.SplitByHeldOut(mixed, new int[mixed.Count], floor, options.SplitHeldOutGain, weight, options.SplitMinRunShare, max: 1));

        // One voice: the best cut of half its segments explains the other half no better than one Gaussian does.
        var (one, _) = Conversation(6, 40);
        var oneLabels = new int[one.Count];
        Assert.Equal(0, SegmentClusterer.SplitByHeldOut(one, oneLabels, SessionFloor(clusterer, one), options.SplitHeldOutGain, weight, options.SplitMinRunShare));
        Assert.All(oneLabels, l => Assert.Equal(0, l));

        // The same two voices one after the other (all of voice 0, then all of voice 1), as one voice heard in two rooms
        // would be: the halves do not take turns, so the cluster stays; without the condition it is split.
        var order = Enumerable.Range(0, mixed.Count).OrderBy(i => voices[i]).ThenBy(i => i).ToList();
        var ordered = order.Select(i => mixed[i]).ToList();
        Assert.Equal(0, SegmentClusterer.SplitByHeldOut(ordered, new int[ordered.Count], floor, options.SplitHeldOutGain, weight, options.SplitMinRunShare));
        Assert.Equal(1, SegmentClusterer.SplitByHeldOut(ordered, new int[ordered.Count], floor, options.SplitHeldOutGain, weight, minRunShare: 0));
    }

    [Fact]
    public void A_clusters_core_leaves_out_the_segments_another_cluster_explains_much_better()
    {
        // Cluster 0 holds 20 segments of voice 0 and 4 misfiled segments of voice 1; cluster 1 holds 20 of voice 1.
        var (segments, voices) = Conversation(7, 20, 24);
        int misfiled = 0;
        var labels = new int[segments.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = voices[i] == 0 || misfiled++ < 4 ? 0 : 1;
        }
        var clusterer = new SegmentClusterer(new SegmentClusteringOptions { Coefficients = Dims, FirstCoefficient = 0 });
        var floor = SessionFloor(clusterer, segments);
        var clusters = SegmentClusterer.Pool(segments, labels);

        var cores = clusterer.Cores(segments, labels, clusters, floor);

        Assert.Equal(20 * 150, cores[0].Count);
        Assert.Equal(20 * 150, cores[1].Count);
        Assert.Equal(24 * 150, clusters[0].Count);
        // The ΔBIC gain of keeping the two apart grows when the misfiled segments no longer blur cluster 0.
        var scratch = new double[Dims * Dims];
        double Gain(GaussianStats a, GaussianStats b) =>
            GaussianStats.CostOfUnion(a, b, floor, scratch) - a.Cost(floor, scratch) - b.Cost(floor, scratch);
        Assert.True(Gain(cores[0], cores[1]) / (cores[0].Count + cores[1].Count) > Gain(clusters[0], clusters[1]) / (clusters[0].Count + clusters[1].Count));

        // A margin no segment clears leaves every cluster whole.
        var strict = new SegmentClusterer(new SegmentClusteringOptions { Coefficients = Dims, FirstCoefficient = 0, MergeCoreMargin = 100000 });
        Assert.All(strict.Cores(segments, labels, clusters, floor).Zip(clusters), p => Assert.Equal(p.Second.Count, p.First.Count));
    }

    [Fact]
    public void A_cluster_of_two_voices_bits_dissolves_while_a_small_voice_of_its_own_stays()
    {
        // Voices 0 and 1 have 20 segments each in their clusters; cluster 2 holds 3 more of each (a catch-all of odd
        // segments, as the first stage leaves one); cluster 3 is voice 2's 6 segments, a small voice of its own.
        var (segments, voices) = Conversation(11, 23, 23, 6);
        var seen = new int[3];
        var labels = new int[segments.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            int v = voices[i];
            labels[i] = v == 2 ? 3 : seen[v]++ < 20 ? v : 2;
        }
        var clusterer = new SegmentClusterer(new SegmentClusteringOptions { Coefficients = Dims, FirstCoefficient = 0 });
        var floor = SessionFloor(clusterer, segments);
        var before = (int[])labels.Clone();

        int dissolved = SegmentClusterer.DissolveUnsupported(segments, labels, floor, min: 1, weight: 1);

        Assert.Equal(1, dissolved);
        Assert.Equal(3, labels.Distinct().Count());
        // Every segment is with its own voice: the catch-all's went home, and the small voice kept its cluster whole.
        Assert.Equal(0, Impurity(labels, voices));
        Assert.Equal(6, Enumerable.Range(0, labels.Length).Count(i => voices[i] == 2 && labels[i] == labels[Array.IndexOf(before, 3)]));

        // The catch-all's segments go half to each voice: a limit of 40 % on what one cluster may take leaves it, as
        // ΔBIC's own question (two clusters, one voice?) would.
        var limited = (int[])before.Clone();
        Assert.Equal(0, SegmentClusterer.DissolveUnsupported(segments, limited, floor, min: 1, weight: 1, maxShare: 0.4));
        // A model-size penalty a hundred times heavier dissolves real voices too, down to the minimum count asked.
        var heavy = (int[])before.Clone();
        Assert.Equal(2, SegmentClusterer.DissolveUnsupported(segments, heavy, floor, min: 2, weight: 100));
        Assert.Equal(2, heavy.Distinct().Count());
        // A minimum count of four keeps all four.
        var kept = (int[])before.Clone();
        Assert.Equal(0, SegmentClusterer.DissolveUnsupported(segments, kept, floor, min: 4, weight: 1));
        // The same clusters (numbered by first appearance).
        var numbered = (int[])before.Clone();
        LabelNumbering.ByFirstAppearance(numbered);
        Assert.Equal(numbered, kept);
    }

    [Fact]
    public void Merged_statistics_equal_the_statistics_of_all_frames()
    {
        var random = new Random(1);
        var a = Segment(random, Means[0], Scales[0], 50);
        var b = Segment(random, Means[1], Scales[1], 70);
        var joined = a.Clone();
        joined.Add(b);
        var floor = new double[Dims];
        Array.Fill(floor, 1e-3);
        var scratch = new double[Dims * Dims];
        Assert.Equal(120, joined.Count);
        Assert.Equal(joined.LogDet(floor, scratch), GaussianStats.LogDetOfUnion(a, b, floor, scratch), 10);
        // Removing b again gives a back (the refinement's leave-one-out).
        joined.Remove(b);
        Assert.Equal(50, joined.Count);
        Assert.Equal(a.LogDet(floor, scratch), joined.LogDet(floor, scratch), 8);
    }

    [Fact]
    public void A_pitch_track_beside_the_mfccs_adds_its_own_likelihood_ratio()
    {
        // Same MFCC statistics, different log F0: only the one-dimensional Gaussian tells the two sets apart.
        var random = new Random(3);
        var a = Segment(random, Means[0], Scales[0], 200);
        var b = a.Clone();
        for (int i = 0; i < 100; i++)
        {
            a.AddAux(4.8 + 0.05 * Math.Sin(i));
            b.AddAux(5.4 + 0.05 * Math.Cos(i));
        }
        var floor = new double[Dims + 1];
        Array.Fill(floor, 1e-3);
        var s = new double[Dims * Dims];
        double withPitch = SegmentClusterer.Distance(a, a.Cost(floor, s), b, b.Cost(floor, s), floor, s);
        var mfccOnly = floor.AsSpan(0, Dims);
        double without = SegmentClusterer.Distance(a, a.Cost(mfccOnly, s), b, b.Cost(mfccOnly, s), mfccOnly, s);
        Assert.Equal(0, without, 9);
        Assert.True(withPitch > 0.5, $"{withPitch}");
    }

    [Fact]
    public void The_log_determinant_is_that_of_the_sample_covariance()
    {
        // Two dimensions by hand: frames (1, 0), (-1, 0), (0, 2), (0, -2): covariance diag(0.5, 2), det 1.
        var g = new GaussianStats(2);
        foreach (var frame in new float[][] { [1, 0], [-1, 0], [0, 2], [0, -2] })
        {
            g.Add(frame);
        }
        Assert.Equal(0, g.LogDet([0, 0], new double[4]), 10);
        Assert.Equal(Math.Log(1.5 * 3), g.LogDet([1, 1], new double[4]), 10);
    }

    [Fact]
    public void The_distance_of_a_segment_to_itself_is_zero_and_grows_between_voices()
    {
        var random = new Random(2);
        var a = Segment(random, Means[0], Scales[0], 200);
        var same = Segment(random, Means[0], Scales[0], 200);
        var other = Segment(random, Means[1], Scales[1], 200);
        var floor = new double[Dims];
        Array.Fill(floor, 1e-3);
        var s = new double[Dims * Dims];
        double la = a.Cost(floor, s), ls = same.Cost(floor, s), lo = other.Cost(floor, s);
        Assert.Equal(0, SegmentClusterer.Distance(a, la, a, la, floor, s), 9);
        Assert.True(SegmentClusterer.Distance(a, la, same, ls, floor, s) < SegmentClusterer.Distance(a, la, other, lo, floor, s));
    }

    [Theory]
    [InlineData(2, new[] { 30, 30 })]
    [InlineData(3, new[] { 60, 8, 8 })]
    [InlineData(4, new[] { 20, 20, 20, 20 })]
    public void Voices_are_counted_with_one_dominant_or_all_balanced(int voices, int[] segmentsPerVoice)
    {
        var (segments, truth) = Conversation(voices, segmentsPerVoice);
        var clusterer = new SegmentClusterer(new SegmentClusteringOptions { DistanceThreshold = 0.3, MergeLambda = 3 });
        var labels = clusterer.Cluster(segments, SessionFloor(clusterer, segments), new ClusterCountLimits(1, 20));
        Assert.Equal(voices, labels.Distinct().Count());
        Assert.True(Impurity(labels, truth) < 0.05, $"impurity {Impurity(labels, truth):P1}");
    }

    [Fact]
    public void Scaling_the_features_changes_nothing()
    {
        // The likelihood ratio is invariant to a linear map of the features, and the floor scales with the session.
        var (segments, _) = Conversation(7, 20, 10, 10);
        var scaled = segments.Select(s =>
        {
            var g = new GaussianStats(Dims);
            g.Add(s);
            for (int i = 0; i < Dims; i++)
            {
                g.Sum[i] *= 10;
            }
            for (int i = 0; i < g.Scatter.Length; i++)
            {
                g.Scatter[i] *= 100;
            }
            return g;
        }).ToList();
        var clusterer = new SegmentClusterer(new SegmentClusteringOptions { DistanceThreshold = 0.3 });
        Assert.Equal(
            clusterer.Cluster(segments, SessionFloor(clusterer, segments), new ClusterCountLimits(1, 20)),
            clusterer.Cluster(scaled, SessionFloor(clusterer, scaled), new ClusterCountLimits(1, 20)));
    }

    [Fact]
    public void An_exact_count_is_honoured_both_ways()
    {
        var (segments, _) = Conversation(3, 20, 20, 20);
        var clusterer = new SegmentClusterer(new SegmentClusteringOptions { DistanceThreshold = 0.3 });
        var floor = SessionFloor(clusterer, segments);
        Assert.Equal(2, clusterer.Cluster(segments, floor, ClusterCountLimits.Exactly(2)).Distinct().Count());
        Assert.Equal(4, clusterer.Cluster(segments, floor, ClusterCountLimits.Exactly(4)).Distinct().Count());
    }

    [Fact]
    public void Given_distances_give_the_same_labels_as_computed_ones_and_are_not_changed()
    {
        var (segments, _) = Conversation(5, 15, 15);
        var clusterer = new SegmentClusterer(new SegmentClusteringOptions { DistanceThreshold = 0.3 });
        var floor = SessionFloor(clusterer, segments);
        var scratch = new double[Dims * Dims];
        var costs = segments.Select(s => s.Cost(floor, scratch)).ToList();
        var distances = SegmentClusterer.Distances(segments, costs, floor);
        var copy = (double[])distances.Clone();
        Assert.Equal(clusterer.Cluster(segments, floor, default), clusterer.Cluster(segments, floor, default, distances));
        Assert.Equal(copy, distances);
    }

    [Fact]
    public void Bad_options_are_all_reported()
    {
        var errors = new SegmentClusteringOptions { Coefficients = 0, MaxSegmentSeconds = 0.1, DistanceThreshold = -1, MergeLambda = 50 }.GetValidationErrors();
        // Five: MinSegmentSeconds (1 by default) is now above MaxSegmentSeconds too.
        Assert.Equal(5, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("DistanceThreshold -1 is invalid", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("MinSegmentSeconds 1 is invalid: use 0.1 up to MaxSegmentSeconds (0.1)", StringComparison.Ordinal));
    }

    [Fact]
    public void The_merge_weight_moves_from_the_short_weight_to_the_long_one_with_the_log_of_the_speech()
    {
        var off = new SegmentClusteringOptions { ShortMergeLambda = 0 };
        Assert.Equal(3, off.MergeLambdaFor(10));
        // The defaults (round 16): 2 up to 60 s, 3 from 180 s.
        var defaults = new SegmentClusteringOptions();
        Assert.Equal(2, defaults.MergeLambdaFor(30));
        Assert.Equal(2.5, defaults.MergeLambdaFor(Math.Sqrt(60 * 180)), 9);
        Assert.Equal(3, defaults.MergeLambdaFor(180));
        var schedule = new SegmentClusteringOptions { ShortMergeLambda = 1.5, ShortSpeechSeconds = 60, LongSpeechSeconds = 480 };
        Assert.Equal(1.5, schedule.MergeLambdaFor(30));
        Assert.Equal(1.5, schedule.MergeLambdaFor(60));
        // 60 -> 480 s is three doublings: each adds a third of the way.
        Assert.Equal(2.0, schedule.MergeLambdaFor(120), 9);
        Assert.Equal(2.5, schedule.MergeLambdaFor(240), 9);
        Assert.Equal(3, schedule.MergeLambdaFor(480));
        Assert.Equal(3, schedule.MergeLambdaFor(5000));
        var errors = new SegmentClusteringOptions { ShortMergeLambda = -1, ShortSpeechSeconds = 500, LongSpeechSeconds = 480 }.GetValidationErrors();
        Assert.Contains(errors, e => e.StartsWith("ShortMergeLambda -1 is invalid", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ShortSpeechSeconds 500 and LongSpeechSeconds 480 are invalid", StringComparison.Ordinal));
    }

    /// <summary>Labels and truth numbered by first appearance: equal arrays mean the same partition.</summary>
    private static int[] Partition(IEnumerable<int> labels)
    {
        var copy = labels.ToArray();
        LabelNumbering.ByFirstAppearance(copy);
        return copy;
    }

    [Fact]
    public void Refinement_moves_mislabelled_segments_back_to_their_voice()
    {
        var (segments, truth) = Conversation(7, 20, 20, 20);
        var clusterer = new SegmentClusterer();
        var labels = truth.ToArray();
        // Four segments given to the wrong voice, as the average linkage sometimes does with a noisy segment.
        foreach (int i in new[] { 3, 17, 30, 44 })
        {
            labels[i] = (truth[i] + 1) % 3;
        }
        int passes = clusterer.Refine(segments, labels, SessionFloor(clusterer, segments));
        Assert.InRange(passes, 1, clusterer.Options.ReassignPasses);
        Assert.Equal(Partition(truth), labels);
    }

    [Fact]
    public void A_mixed_cluster_gives_its_segments_back_to_their_voices()
    {
        var (segments, truth) = Conversation(8, 20, 20, 20);
        var clusterer = new SegmentClusterer();
        var labels = truth.ToArray();
        // A fourth cluster holding three segments of each voice: a mixture, which ΔBIC keeps because its broad Gaussian
        // fits none of the voices well enough to merge with it.
        var seen = new int[3];
        for (int i = 0; i < labels.Length; i++)
        {
            if (seen[truth[i]]++ < 3)
            {
                labels[i] = 3;
            }
        }
        Assert.Equal(4, labels.Distinct().Count());
        clusterer.Refine(segments, labels, SessionFloor(clusterer, segments));
        Assert.Equal(Partition(truth), labels);
    }

    [Fact]
    public void Refinement_never_leaves_fewer_clusters_than_the_minimum_and_can_be_turned_off()
    {
        var (segments, truth) = Conversation(8, 20, 20, 20);
        var labels = truth.ToArray();
        for (int i = 0; i < 6; i++)
        {
            labels[i] = 3;
        }
        var refine = new SegmentClusterer();
        var floor = SessionFloor(refine, segments);
        var kept = (int[])labels.Clone();
        refine.Refine(segments, kept, floor, min: 4);
        Assert.Equal(4, kept.Distinct().Count());

        var off = new SegmentClusterer(new SegmentClusteringOptions { ReassignPasses = 0 });
        var unchanged = (int[])labels.Clone();
        Assert.Equal(0, off.Refine(segments, unchanged, floor));
        Assert.Equal(Partition(labels), unchanged);
        Assert.Contains(new SegmentClusteringOptions { ReassignPasses = -1 }.GetValidationErrors(),
            e => e.StartsWith("ReassignPasses -1 is invalid", StringComparison.Ordinal));
    }

    [Fact]
    public void A_quiet_voice_of_a_long_recording_is_not_dissolved_once_it_holds_the_minimum_seconds()
    {
        // 300 segments of one voice and 4 of another, 1.5 s each: the quiet one holds 6 s, 1.3 % of the speech. Under a 2 % share
        // the quiet voice is an outlier; with a 4 s floor it is a voice, and ΔBIC keeps it apart.
        var (segments, truth) = Conversation(11, 300, 4);
        var share = new SegmentClusterer(new SegmentClusteringOptions { DistanceThreshold = 0.3, MinClusterFraction = 0.02, MinClusterSeconds = 0 });
        var capped = new SegmentClusterer(new SegmentClusteringOptions { DistanceThreshold = 0.3, MinClusterFraction = 0.02, MinClusterSeconds = 4 });
        var floor = SessionFloor(share, segments);
        var dissolved = share.Cluster(segments, floor, new ClusterCountLimits(1, 20));
        var kept = capped.Cluster(segments, floor, new ClusterCountLimits(1, 20));
        Assert.Single(dissolved.Distinct());
        Assert.Equal(2, kept.Distinct().Count());
        Assert.Equal(Partition(truth), Partition(kept));
        Assert.Contains(new SegmentClusteringOptions { MinClusterSeconds = -1 }.GetValidationErrors(),
            e => e.StartsWith("MinClusterSeconds -1 is invalid", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_voice_that_joined_lately_is_judged_at_its_own_weight_against_a_voice_that_went_on_speaking(bool stillSpeaking)
    {
        // The ΔBIC stage on first-stage groups: one voice's 140 segments (1.5 s each, 210 s) in one group, and a close
        // second voice's 6 segments of the last minute in two groups of 3. ΔBIC merges the two voices at 3 (the long
        // weight) and keeps them apart at 2. With the new-voice rule at 2 the late voice is kept apart when the first went
        // on speaking after it began; when the first fell silent as it began (one voice that changed) the clustering's
        // weight decides, as without the rule.
        var random = new Random(5);
        double[] near = [0.45, -0.3, 0.15, 0];
        var first = new GaussianStats(Dims);
        var firstSegments = new List<(long Start, double Frames)>();
        for (int i = 0; i < 140; i++)
        {
            first.Add(Segment(random, Means[0], Scales[0], 150));
            // Still speaking: its last 10 segments fall among the late voice's, in the last minute.
            firstSegments.Add((stillSpeaking && i >= 130 ? 26_000 + (i - 130) * 300L : i * 180L, 150));
        }
        var late = new[] { new GaussianStats(Dims), new GaussianStats(Dims) };
        var lateSegments = new[] { new List<(long Start, double Frames)>(), new List<(long Start, double Frames)>() };
        for (int i = 0; i < 6; i++)
        {
            late[i % 2].Add(Segment(random, near, Scales[0], 150));
            lateSegments[i % 2].Add((26_150 + i * 300L, 150));
        }
        var floor = SessionFloor(new SegmentClusterer(), [first, late[0], late[1]]);
        var scratch = new double[Dims * Dims];
        var lateAll = late[0].Clone();
        lateAll.Add(late[1]);
        double MergeCost(double lambda) => BicClusterer.DeltaBic(lateAll, lateAll.Cost(floor, scratch), first, first.Cost(floor, scratch), lambda, floor, scratch);
        Assert.True(MergeCost(3) < 0 && MergeCost(2) > 0, $"premise: ΔBIC {MergeCost(3):F1} at 3, {MergeCost(2):F1} at 2");

        GaussianStats[] items = [first, late[0], late[1]];
        IReadOnlyList<(long Start, double Frames)>[] segments = [firstSegments, lateSegments[0], lateSegments[1]];
        var limits = new ClusterCountLimits(1, 20);
        // Now is frame 28 000; recent is the last 60 s; a late voice is judged at 2 while it holds under 30 s.
        var rule = new NewVoiceRule(2, 3000, 28_000 - 6000, []);
        var without = BicClusterer.Cluster(items, 3, floor, limits);
        var with = BicClusterer.ClusterWithAnchors(items, [], 3, floor, limits, rule, segments);
        Assert.Equal([0, 0, 0], without);
        Assert.Equal(stillSpeaking ? [0, 1, 1] : [0, 0, 0], with);
        // The rule at the clustering's weight, or a late voice past its size, is the clustering's own test.
        Assert.Equal(without, BicClusterer.ClusterWithAnchors(items, [], 3, floor, limits, rule with { Lambda = 3 }, segments));
        Assert.Equal(without, BicClusterer.ClusterWithAnchors(items, [], 3, floor, limits, rule with { MaxFrames = 600 }, segments));
        // With a known voice (an anchor, as offline passes enrolled voices) beside them: the anchor joins the first voice,
        // holds no segments of its own, and the late voice is judged as without it.
        var anchor = new GaussianStats(Dims);
        for (int i = 0; i < 20; i++)
        {
            anchor.Add(Segment(random, Means[0], Scales[0], 150));
        }
        Assert.Equal(with, BicClusterer.ClusterWithAnchors(items, [anchor], 3, floor, limits, rule, segments));
        // Through the segment clusterer the rule needs one start per segment.
        var ex = Assert.Throws<ArgumentException>(() => new SegmentClusterer().Cluster(items, floor, limits, newVoice: rule));
        Assert.Contains("0 segment starts for 3 segments", ex.Message, StringComparison.Ordinal);
    }
}
