// Research round 6: the offline kernel on the first N seconds of each conversation: how many voices it finds on
// little speech, for ΔBIC weights. Tells whether live discovery is limited by the kernel's count or by the live mapping.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speech;

static class Prefix
{
    public static void Run(List<(string Id, double DurationSeconds, SpeechMask mask, FeatureMatrix mfcc, IReadOnlyList<SpeakerSegment> reference, bool Ami)> analysed, double[] seconds, double[] lambdas, double threshold)
    {
        foreach (double lambda in lambdas)
        {
            var clusterer = new SegmentClusterer(new SegmentClusteringOptions { MergeLambda = lambda, DistanceThreshold = threshold, Coefficients = int.Parse(Environment.GetEnvironmentVariable("DIMS") ?? "19") });
            var line = new System.Text.StringBuilder($"λ={lambda} T={threshold}:");
            var all = new List<DerResult>();
            foreach (double sec in seconds)
            {
                var ders = new List<DerResult>(); var counts = new List<string>();
                foreach (var a in analysed.Where(a => !a.Ami))
                {
                    int n = Math.Min((int)(sec / 0.01), a.mask.Frames);
                    var mask = new SpeechMask(a.mask.IsSpeech[..n], a.mask.HopSeconds) { IsPause = a.mask.IsPause?[..n], Voicing = a.mask.Voicing?[..n], PitchLags = a.mask.PitchLags?[..n] };
                    var labels = SegmentDiarization.LabelFrames(mask, a.mfcc, clusterer, new ClusterCountLimits(1, 20), mask.Voicing ?? [], mask.PitchLags ?? []);
                    int spk = LabelNumbering.ByFirstAppearance(labels);
                    var segs = FrameGrouper.Group(labels, new FrameTimeline(0.01, 0.01), FrameGrouper.DefaultName);
                    var refs = a.reference.Where(s => s.StartSeconds < sec).Select(s => s with { EndSeconds = Math.Min(s.EndSeconds, sec) }).ToList();
                    var der = DerScorer.Score(a.Id, refs, segs, new DerOptions { CollarSeconds = 0.25 });
                    ders.Add(der); all.Add(der);
                    int truth = refs.GroupBy(s => s.Speaker).Count(g => g.Sum(s => s.DurationSeconds) >= 3);
                    counts.Add($"{spk}/{truth}");
                }
                line.Append($"  {sec}s {DerTotal.Of(ders).Der * 100:F1}% [{string.Join(" ", counts)}]");
            }
            line.Append($"  all {DerTotal.Of(all).Der * 100:F2}");
            Console.WriteLine(line);
        }
    }
}
