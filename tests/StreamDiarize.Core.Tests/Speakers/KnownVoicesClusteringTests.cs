// Enrolled voices inside the segment clustering: two known voices are never one speaker, the parts of one are joined.
using StreamDiarize.Audio;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speakers;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Core.Tests.Speakers;

public sealed class KnownVoicesClusteringTests
{
    private static GaussianStats Voice(Random rnd, double[] mean, int frames)
    {
        var g = new GaussianStats(mean.Length);
        var x = new float[mean.Length];
        for (int f = 0; f < frames; f++)
        {
            for (int k = 0; k < mean.Length; k++)
            {
                // Box-Muller: unit variance around the voice's mean.
                double u = 1 - rnd.NextDouble(), v = rnd.NextDouble();
                x[k] = (float)(mean[k] + Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
            }
            g.Add(x);
        }
        return g;
    }

    [Fact]
    public void Two_close_voices_that_the_penalty_merges_stay_apart_when_both_are_known()
    {
        var rnd = new Random(7);
        double[] a = [0, 0, 0], b = [0.6, 0.6, 0], far = [10, 10, 10];
        var items = new List<GaussianStats> { Voice(rnd, a, 150), Voice(rnd, b, 150), Voice(rnd, a, 150), Voice(rnd, b, 150) };
        var floor = new[] { 0.01, 0.01, 0.01 };

        var plain = BicClusterer.Cluster(items, 3, floor, default);
        var anchored = BicClusterer.ClusterWithAnchors(items, [Voice(rnd, a, 3000), Voice(rnd, b, 3000)], 3, floor, default);
        var unrelated = BicClusterer.ClusterWithAnchors(items, [Voice(rnd, far, 3000)], 3, floor, default);

        Assert.Equal([0, 0, 0, 0], plain);
        Assert.Equal([0, 1, 0, 1], anchored);
        // A known voice no item resembles takes no part: the clustering is the plain one.
        Assert.Equal(plain, unrelated);
    }

    [Fact]
    public void The_count_limits_apply_to_the_found_speakers_not_to_the_known_voices()
    {
        var rnd = new Random(3);
        double[] a = [0, 0, 0], b = [0.6, 0.6, 0];
        var items = new List<GaussianStats> { Voice(rnd, a, 150), Voice(rnd, b, 150), Voice(rnd, a, 150) };
        var floor = new[] { 0.01, 0.01, 0.01 };

        var one = BicClusterer.ClusterWithAnchors(items, [Voice(rnd, a, 3000), Voice(rnd, b, 3000)], 3, floor, new ClusterCountLimits(1, 1));

        Assert.Equal([0, 0, 0], one);
    }

    [Fact]
    public void Enrolled_voices_of_a_real_conversation_give_its_speaker_count_where_the_plain_clustering_merges_voices()
    {
        // dev_3spk_5min: each voice enrolled from its first reference turns (about 30 s), the rest diarized.
        const string id = "dev_3spk_5min";
        var clip = AudioLoader.LoadWav(RepoPaths.RealDev(id + ".wav"));
        var reference = Rttm.ReadFile(RepoPaths.RealDev(id + ".rttm"))[id];
        var enrolment = new List<SpeakerSegment>();
        foreach (var voice in reference.GroupBy(t => t.Speaker))
        {
            double held = 0;
            foreach (var t in voice.OrderBy(t => t.StartSeconds).TakeWhile(_ => held < 30))
            {
                enrolment.Add(t);
                held += t.DurationSeconds;
            }
        }
        double cutoff = enrolment.Max(t => t.EndSeconds);
        var known = new FeatureVoiceModeller().ModelSpeakers(clip, enrolment).Values.ToList();
        int cut = (int)Math.Round(cutoff * clip.SampleRateHz);
        var rest = new AudioClip(id, clip.Samples[cut..], clip.SampleRateHz);
        var restReference = reference.Where(r => r.EndSeconds > cutoff)
            .Select(r => r with { StartSeconds = Math.Max(0, r.StartSeconds - cutoff), EndSeconds = r.EndSeconds - cutoff }).ToList();

        // Measured with the ΔBIC weight 3 throughout over whole clusters, under which the plain clustering merges two of
        // these voices. Since round 16 the default weight is lighter on little speech, and since round 22 ΔBIC compares
        // the clusters' cores: either way the plain clustering finds all three here too.
        var heavy = new DefaultDiarizerOptions { Segments = new SegmentClusteringOptions { ShortMergeLambda = 0, MergeOnCores = false } };
        var plain = new DefaultDiarizer(heavy).Diarize(rest);
        var steered = new DefaultDiarizer(heavy).Diarize(rest, new SpeakerHints { KnownVoices = known });
        var options = new DerOptions { CollarSeconds = 0.25 };

        Assert.Equal(3, known.Count);
        Assert.True(plain.SpeakerCount < 3, $"plain found {plain.SpeakerCount}");
        Assert.Equal(3, steered.SpeakerCount);
        Assert.True(DerScorer.Score(id, restReference, steered.Segments, options).Der < DerScorer.Score(id, restReference, plain.Segments, options).Der - 0.1);
        Assert.Equal(3, new DefaultDiarizer().Diarize(rest, new SpeakerHints { KnownVoices = known }).SpeakerCount);
        Assert.Equal(3, new DefaultDiarizer().Diarize(rest).SpeakerCount);
        Assert.Equal(3, new DefaultDiarizer(heavy with { Segments = heavy.Segments with { MergeOnCores = true } }).Diarize(rest).SpeakerCount);
    }

    [Fact]
    public void A_known_voice_of_other_features_is_refused_with_a_clear_message()
    {
        var clip = new AudioClip("x", new float[16000], 16000);
        var ex = Assert.Throws<ArgumentException>(() => new DefaultDiarizer().Diarize(clip, new SpeakerHints { KnownVoices = [new GaussianStats(12)] }));
        Assert.Contains("a known voice has 12 coefficients; this configuration models 19", ex.Message);
    }
}
