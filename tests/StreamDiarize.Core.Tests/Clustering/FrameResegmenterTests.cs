// The offline frame-level resegmentation: where two voices change with no pause, the frames follow the voice.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Features;

namespace StreamDiarize.Core.Tests.Clustering;

public sealed class FrameResegmenterTests
{
    private const int Dims = 4;

    // Frames drawn from one of two unit Gaussians 3 apart on every coefficient (column 0 is c0, left out as in the product).
    private static FeatureMatrix Frames(int[] voice, int seed = 7)
    {
        var rng = new Random(seed);
        var data = new float[voice.Length * (Dims + 1)];
        for (int i = 0; i < voice.Length; i++)
        {
            for (int d = 1; d <= Dims; d++)
            {
                double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
                double g = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                data[i * (Dims + 1) + d] = (float)(g + 3 * voice[i]);
            }
        }
        return new FeatureMatrix(data, voice.Length, Dims + 1, 0.01, 0.025);
    }

    private static readonly double[] Floor = [0.01, 0.01, 0.01, 0.01];

    // 600 frames: voice 0, then voice 1 from frame 300; frames 250-349 (across the change) labelled `across`.
    private static (int[] Voice, FeatureMatrix Features, int[] Labels) AcrossTheChange(int across)
    {
        var voice = new int[600];
        voice.AsSpan(300, 300).Fill(1);
        var labels = (int[])voice.Clone();
        labels.AsSpan(250, 100).Fill(across);
        return (voice, Frames(voice), labels);
    }

    [Fact]
    public void A_segment_that_holds_a_change_of_voice_is_split_where_the_voice_changes()
    {
        // 0-299 voice 0, 300-599 voice 1, 600-899 voice 0, with no silence; the clustering gave 250-349 (one segment
        // across the change) to voice 0.
        var voice = new int[900];
        voice.AsSpan(300, 300).Fill(1);
        var labels = (int[])voice.Clone();
        labels.AsSpan(250, 100).Clear();

        int changed = FrameResegmenter.Apply(labels, Frames(voice), 1, Dims, Floor, penalty: 50, freeGapFrames: 30);

        Assert.InRange(changed, 40, 60);
        int wrong = labels.Zip(voice).Count(p => p.First != p.Second);
        Assert.True(wrong <= 3, $"{wrong} frames disagree with the voice");
    }

    [Fact]
    public void A_change_costs_the_penalty_so_a_few_odd_frames_do_not_switch_but_a_silence_lets_it_switch_for_free()
    {
        // Voice 0 throughout, except three frames drawn from voice 1: not worth a change at a high penalty.
        var voice = new int[400];
        voice.AsSpan(200, 3).Fill(1);
        var labels = new int[400];
        FrameResegmenter.Apply(labels, Frames(voice), 1, Dims, Floor, penalty: 1000, freeGapFrames: 30);
        Assert.DoesNotContain(1, labels);

        // Voice 0, a silence, voice 1, a silence longer than the free gap, then three frames of voice 1 that the
        // clustering gave voice 0, alone in their run: across the silence the change is free, so they follow their voice.
        voice = new int[500];
        voice.AsSpan(240, 260).Fill(1);
        labels = (int[])voice.Clone();
        labels.AsSpan(200, 40).Fill(-1);
        labels.AsSpan(440, 40).Fill(-1);
        labels.AsSpan(480, 3).Clear();
        labels.AsSpan(483).Fill(-1);
        FrameResegmenter.Apply(labels, Frames(voice), 1, Dims, Floor, penalty: 1000, freeGapFrames: 30);
        Assert.All(Enumerable.Range(480, 3), i => Assert.Equal(1, labels[i]));
        Assert.All(Enumerable.Range(200, 40).Concat(Enumerable.Range(440, 40)).Concat(Enumerable.Range(483, 17)), i => Assert.Equal(-1, labels[i]));
        Assert.Equal(0, labels[100]);
        Assert.Equal(1, labels[300]);
    }

    [Fact]
    public void No_penalty_or_one_cluster_changes_nothing_and_a_cluster_too_small_for_a_covariance_keeps_its_frames()
    {
        var (voice, features, labels) = AcrossTheChange(0);
        var before = (int[])labels.Clone();
        Assert.Equal(0, FrameResegmenter.Apply(labels, features, 1, Dims, Floor, penalty: 0, freeGapFrames: 30));
        Assert.Equal(before, labels);

        var one = new int[600];
        Assert.Equal(0, FrameResegmenter.Apply(one, features, 1, Dims, Floor, penalty: 50, freeGapFrames: 30));
        Assert.All(one, l => Assert.Equal(0, l));

        // Cluster 2 holds 5 frames (fewer than 2 per dimension): they stay cluster 2.
        labels = (int[])voice.Clone();
        labels.AsSpan(100, 5).Fill(2);
        FrameResegmenter.Apply(labels, features, 1, Dims, Floor, penalty: 50, freeGapFrames: 30);
        Assert.All(Enumerable.Range(100, 5), i => Assert.Equal(2, labels[i]));
    }

    [Fact]
    public void A_cluster_of_pieces_of_two_voices_dissolves_unless_the_caller_asked_for_that_many_speakers()
    {
        // Frames 250-349 (half of each voice, across the change) were clustered apart as a third "speaker".
        var (voice, features, mixed) = AcrossTheChange(2);

        var free = (int[])mixed.Clone();
        Assert.True(FrameResegmenter.Apply(free, features, 1, Dims, Floor, penalty: 50, freeGapFrames: 30) > 90);
        Assert.DoesNotContain(2, free);
        Assert.True(free.Zip(voice).Count(p => p.First != p.Second) <= 3);

        // Asked for three speakers (--num-speakers 3, --min-speakers 3): the three stay as they were.
        var asked = (int[])mixed.Clone();
        Assert.Equal(0, FrameResegmenter.Apply(asked, features, 1, Dims, Floor, penalty: 50, freeGapFrames: 30, minClusters: 3));
        Assert.Equal(mixed, asked);
    }
}
